// The run report as one self-contained HTML file: styles, script and data inline, nothing
// fetched, so it can be mailed to a change board, opened from a share, or kept with the change
// record. Everything but the resolution timeline is rendered here as static HTML (it reads the
// same with scripts off); the timeline is drawn by the page's script from the data embedded as
// JSON, because at 300 VPCs × 10 names it needs grouping and filtering.
import { formatDuration } from '../steps/timing.js';
import type { BackupInfo, Incident, ReportModel, StepReport } from './model.js';
import { TIMELINE_CLASSES } from './timeline.js';

/** Colours per class, in TIMELINE_CLASSES order: green is fine, everything else is not. */
export const CLASS_COLOURS: Record<string, string> = {
  ok: '#2f9e44',
  public: '#f08c00',
  nxdomain: '#e03131',
  servfail: '#a61e4d',
  timeout: '#7048e8',
  error: '#c2255c',
  'probe-error': '#868e96',
};

const esc = (s: unknown) =>
  String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const iso = (t: number) => new Date(t).toISOString();
const stepLabel = (direction: string, n: number) => `${direction === 'rollback' ? 'Undo step' : 'Step'} ${n}`;
/** JSON inside a script element: "</script" and "<!--" must not appear in it. */
const scriptJson = (v: unknown) => JSON.stringify(v).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');

export function renderReportHtml(m: ReportModel): string {
  const colours = TIMELINE_CLASSES.map((c) => CLASS_COLOURS[c]);
  const data = { classes: TIMELINE_CLASSES, colours, timeline: m.timeline };
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>${esc(m.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
  <h1>r53migrate run report: ${esc(m.run.planName)}</h1>
  <p><span class="status status-${esc(m.run.status)}" id="run-status">${esc(m.run.status)}</span>
  ${esc(m.run.direction === 'rollback' ? 'rollback' : 'migration')}${m.run.position ? ` · at ${esc(m.run.position)}` : ''} · report generated ${esc(m.generatedAt)} by r53migrate ${esc(m.toolVersion)}</p>
  ${verdict(m)}
</header>
<nav><a href="#summary">Summary</a> <a href="#sessions">Sessions</a> <a href="#incidents">Halts and stops</a> <a href="#steps">Steps</a> <a href="#backups">Zone backups</a> <a href="#timeline">Resolution timeline</a></nav>
${m.problems.length ? `<section id="problems"><h2>What this report could not read</h2><ul>${m.problems.map((p) => `<li>${esc(p)}</li>`).join('')}</ul></section>` : ''}
${summary(m)}
${sessions(m)}
${incidents(m.incidents)}
<section id="steps"><h2>Steps</h2>
${m.steps.length ? m.steps.map(step).join('\n') : '<p>No step has started.</p>'}
</section>
${backups(m.backups)}
<section id="timeline"><h2>Resolution timeline</h2>
<p>One row per VPC, one strip per name, coloured by what the probes saw over time; the vertical lines are step starts (blue), halts and stops (red), and sessions (grey). A gap in a strip is time with no evidence (no probe was running, or the process was lost).</p>
<div id="timeline-controls">
  <label>Filter <input id="filter" type="search" placeholder="VPC id, account or name"></label>
  <label><input id="only-bad" type="checkbox"> only rows with any non-ok result</label>
  <span id="row-count"></span>
</div>
<div id="legend"></div>
<p id="strip-order"></p>
<div id="axis"></div>
<div id="timeline-rows"><noscript>The timeline needs JavaScript; everything above reads without it.</noscript></div>
</section>
<footer>Rebuild this report at any time with <code>r53migrate report --state ${esc(m.run.statePath)}</code>: it reads the state file, the run's log and the probe evidence, and never calls AWS.</footer>
<script type="application/json" id="timeline-data">${scriptJson(data)}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

function verdict(m: ReportModel): string {
  const t = m.timeline;
  if (!t.results) return `<p class="verdict verdict-none" id="verdict">No probe evidence was found for this run.</p>`;
  const allowed = t.allowed.reduce((n, g) => n + g.results, 0);
  const allowedOf = (vpcId: string) => t.allowed.filter((g) => g.vpcId === vpcId).reduce((n, g) => n + g.results, 0);
  const bad = t.rows.filter((r) => r.nonOk > allowedOf(r.vpcId));
  const unexpected = t.nonOkResults - allowed;
  const gaps = t.allowed.map((g) => `${g.results.toLocaleString('en')} on the keeper ${g.vpcId} for ${formatDuration(g.toMs - g.fromMs)} in ${g.step}`).join('; ');
  if (bad.length) {
    return `<p class="verdict verdict-bad" id="verdict">${unexpected.toLocaleString('en')} of ${t.results.toLocaleString('en')} probe results were not ok, in ${bad.length} of ${t.rows.length} VPCs: see the red strips in the timeline.${allowed ? ` Besides them, the keeper's allowed gap: ${esc(gaps)}.` : ''}</p>`;
  }
  if (allowed) {
    return `<p class="verdict verdict-allowed" id="verdict">All ${t.results.toLocaleString('en')} probe results were ok but the keeper's allowed gap (${esc(gaps)}): without a parking VPC, the keeper answers from the zones until they are deleted, and from the Profile once the deletion is in sync; the plan allows it, and no other VPC lost its answer.</p>`;
  }
  return `<p class="verdict verdict-ok" id="verdict">All ${t.results.toLocaleString('en')} probe results were ok, in ${t.rows.length} VPCs over ${formatDuration(t.endMs - t.startMs)}: no VPC lost its answer.</p>`;
}

function row(label: string, value: unknown): string {
  return value === undefined || value === '' ? '' : `<tr><th>${esc(label)}</th><td>${esc(value)}</td></tr>`;
}

function summary(m: ReportModel): string {
  const r = m.run;
  return `<section id="summary"><h2>Summary</h2><table class="kv">
${row('Plan', r.planName)}${row('Plan file', r.planFile)}${row('Plan file sha256', r.planHash)}${row('Run id', r.runId)}
${row('Direction', r.direction)}${row('Starting architecture', r.path ? `path ${r.path} (${r.path === 'A' ? 'zones associated with every VPC' : 'zones on the Profile'})` : undefined)}
${row('Region', r.region)}${row('Profile', r.profileId)}
${row('Accounts', r.accounts.map((a) => `${a.name}${a.id ? ` (${a.id})` : ''}`).join(', '))}
${row('VPCs', r.vpcs)}${row('Zones', r.zones.join(', '))}${row('Names probed', r.names)}
${row('Started', r.createdAt)}${row('Last checkpoint', r.updatedAt)}
${row('State file', r.statePath)}${row('Probe log', r.probeLog)}${r.evidenceFrom.length ? row('Probe evidence also from', r.evidenceFrom.join(', ')) : ''}
${r.approvals.length ? row('Approvals', r.approvals.map((a) => `${stepLabel(a.direction, a.step)} by ${a.by} at ${a.at}`).join('; ')) : ''}
</table></section>`;
}

function sessions(m: ReportModel): string {
  return `<section id="sessions"><h2>Sessions</h2><table><thead><tr><th>Command</th><th>By</th><th>Started</th><th>Ended</th><th>Outcome</th><th>Plan hash (the dry run it ran)</th></tr></thead><tbody>
${m.sessions.map((s) => `<tr><td><code>${esc(s.command)}</code></td><td>${esc(s.by)}</td><td>${esc(iso(s.startedAt))}</td><td>${s.endedAt ? esc(iso(s.endedAt)) : ''}</td><td class="outcome-${esc(s.outcome ?? 'running')}">${esc(s.outcome ?? 'running or lost')}</td><td>${s.runHash ? `<code>${esc(s.runHash)}</code>${s.reviewed ? ' <span class="reviewed">as reviewed (--plan-hash)</span>' : ''}` : ''}</td></tr>`).join('\n')}
</tbody></table></section>`;
}

function incidents(list: Incident[]): string {
  if (!list.length) return `<section id="incidents"><h2>Halts and stops</h2><p id="no-incidents">None: no gate halted and no stop was asked for.</p></section>`;
  return `<section id="incidents"><h2>Halts and stops</h2>
${list
  .map(
    (i) => `<div class="incident incident-${esc(i.kind)}" data-kind="${esc(i.kind)}" data-at="${i.at}" data-step="${i.step}" data-direction="${esc(i.direction)}">
<h3>${esc(i.kind === 'halt' ? 'Halt in' : i.kind === 'stop' ? 'Stop before' : i.kind === 'interrupt' ? 'Interrupted in' : 'Failure in')} ${esc(stepLabel(i.direction, i.step).toLowerCase())}${i.phase ? ` (${esc(i.phase)})` : ''} at <time>${esc(iso(i.at))}</time></h3>
<p>${esc(i.reason)}</p>
${i.pairs?.length ? `<table><thead><tr><th>VPC</th><th>Name</th><th>Class</th><th>Answers</th></tr></thead><tbody>${i.pairs.map((p) => `<tr><td>${esc(p.vpcId)}</td><td>${esc(p.name)}</td><td class="class-${esc(p.class)}">${esc(p.class)}</td><td>${esc(p.answers.join(' '))}</td></tr>`).join('')}</tbody></table>` : ''}
<p class="after">${esc(i.after)}</p></div>`,
  )
  .join('\n')}
</section>`;
}

function step(s: StepReport): string {
  const took = s.startedAt && s.endedAt ? formatDuration(Date.parse(s.endedAt) - Date.parse(s.startedAt)) : undefined;
  const calls = s.batches.reduce((n, b) => n + b.calls.length, 0);
  const times = [
    s.startedAt ? `started ${esc(s.startedAt)}` : '',
    s.endedAt ? `ended ${esc(s.endedAt)}` : s.startedAt ? 'not ended' : '',
    took ? `took ${took}` : '',
    s.estimateMs !== undefined ? `estimate ${formatDuration(s.estimateMs)}` : '',
  ].filter(Boolean);
  return `<section class="step" id="step-${s.direction}-${s.number}" data-step="${s.number}" data-direction="${s.direction}">
<h3>${esc(stepLabel(s.direction, s.number))}: ${esc(s.title)}</h3>
<p>${times.join(' · ') || 'no timing recorded'} · ${calls} change${calls === 1 ? '' : 's'} in ${s.batches.length} batch${s.batches.length === 1 ? '' : 'es'}</p>
${s.batches
  .map(
    (b, i) => `<details class="batch"${s.batches.length <= 3 ? ' open' : ''}><summary>${b.batch !== undefined ? `Batch ${b.batch}` : `Calls ${i + 1}`}${b.session > 0 ? ` (session ${b.session + 1})` : ''}: ${b.calls.length} call${b.calls.length === 1 ? '' : 's'} from ${esc(b.startedAt)}</summary>
<table class="calls"><thead><tr><th>Time (UTC)</th><th>Account</th><th>Operation</th><th>Target</th><th>Result</th><th>Request id</th></tr></thead><tbody>
${b.calls.map((c) => `<tr class="result-${esc(c.result)}"><td title="${esc(c.at)}">${esc(c.at.slice(11, 23))}</td><td>${esc(c.account)}${c.accountId ? ` <small>${esc(c.accountId)}</small>` : ''}</td><td>${esc(c.operation)}</td><td>${esc(c.target)}</td><td>${esc(c.result === 'no-reply' ? 'no reply recorded (in flight, or lost with its process: resume re-checks it)' : c.result)}${c.error ? `: ${esc(c.error)}` : ''}</td><td><code>${esc(c.requestId)}</code></td></tr>`).join('\n')}
</tbody></table></details>`,
  )
  .join('\n')}
${s.gates.length ? `<ul class="gates">${s.gates.map((g) => `<li class="gate-${esc(g.verdict)}"><time>${esc(iso(g.at))}</time> DNS gate ${esc(g.verdict)}: ${esc(g.reason)}</li>`).join('')}</ul>` : ''}
</section>`;
}

function backups(list: BackupInfo[]): string {
  if (!list.length) return `<section id="backups"><h2>Zone backups</h2><p>No zone was backed up (step 7 did not start).</p></section>`;
  return `<section id="backups"><h2>Zone backups</h2><p>Each zone's records were written as JSON and BIND, read back and compared with the live zone before it was emptied; restore one with <code>r53migrate restore-zone &lt;json&gt;</code>.</p>
<table><thead><tr><th>Zone</th><th>Name</th><th>Record sets</th><th>Verified</th><th>JSON</th><th>BIND</th></tr></thead><tbody>
${list.map((b) => `<tr${b.problem ? ' class="backup-problem"' : ''}><td>${esc(b.zoneId)}</td><td>${esc(b.zoneName)}</td><td>${b.records ?? `<strong>${esc(b.problem ?? 'unreadable')}</strong>`}</td><td>${esc(b.verifiedAt)}</td><td><code>${esc(b.json)}</code></td><td><code>${esc(b.bind)}</code></td></tr>`).join('\n')}
</tbody></table></section>`;
}

const STYLE = `
:root { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: #1c1e21; background: #fff; }
body { margin: 0 auto; max-width: 1400px; padding: 0 1.5rem 3rem; line-height: 1.4; }
h1 { font-size: 1.5rem; margin: 1.2rem 0 .3rem; } h2 { font-size: 1.2rem; border-bottom: 1px solid #dee2e6; padding-bottom: .2rem; margin-top: 2rem; } h3 { font-size: 1rem; margin: 1rem 0 .3rem; }
nav a { margin-right: 1rem; }
table { border-collapse: collapse; font-size: .85rem; margin: .4rem 0; }
th, td { border: 1px solid #dee2e6; padding: .2rem .45rem; text-align: left; vertical-align: top; }
table.kv th { background: #f8f9fa; width: 13rem; }
code { font-size: .8rem; word-break: break-all; }
.status { padding: .1rem .5rem; border-radius: .3rem; color: #fff; font-weight: 600; }
.status-done { background: #2f9e44; } .status-halted, .status-failed { background: #e03131; } .status-stopped { background: #f08c00; } .status-running { background: #1971c2; }
.verdict { padding: .5rem .8rem; border-radius: .3rem; font-weight: 600; } .verdict-ok { background: #ebfbee; color: #2b8a3e; } .verdict-bad { background: #fff5f5; color: #c92a2a; } .verdict-allowed { background: #fff9db; color: #8a5a00; } .verdict-none { background: #f8f9fa; }
.incident { border-left: 4px solid #e03131; padding: .1rem .8rem; margin: .6rem 0; background: #fff5f5; } .incident-stop { border-color: #f08c00; background: #fff9db; }
.result-failed td, .result-no-reply td, .backup-problem td { background: #fff5f5; }
.gates { font-size: .85rem; } .gate-halt, .gate-timeout { color: #c92a2a; font-weight: 600; }
#timeline-controls { display: flex; gap: 1.5rem; align-items: center; margin: .5rem 0; flex-wrap: wrap; }
#legend span { display: inline-block; margin-right: 1rem; font-size: .85rem; } #legend i { display: inline-block; width: .9rem; height: .9rem; margin-right: .3rem; vertical-align: middle; border-radius: 2px; }
#axis { position: relative; height: 7rem; margin-left: 16rem; font-size: .7rem; color: #495057; }
#axis span { position: absolute; transform: translateX(-50%); white-space: nowrap; }
#axis span.m { color: #1971c2; } #axis span.m-halt, #axis span.m-stop, #axis span.m-failure { color: #c92a2a; font-weight: 600; } #axis span.m-session { color: #868e96; }
details.group > summary { font-weight: 600; cursor: pointer; padding: .3rem 0; }
.tl-row { display: flex; align-items: center; border-top: 1px solid #f1f3f5; }
.tl-row .label { width: 16rem; flex: none; font-size: .75rem; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.tl-row .label .bad { color: #c92a2a; font-weight: 600; }
.tl-row svg { flex: 1; height: auto; display: block; background: #f1f3f5; }
footer { margin-top: 2rem; font-size: .8rem; color: #495057; }
`;

// The page's script: draws the timeline from #timeline-data. Plain DOM, no dependencies.
const SCRIPT = `
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('timeline-data').textContent);
  var t = data.timeline, classes = data.classes, colours = data.colours;
  var span = Math.max(1, t.endMs - t.startMs);
  var STRIP = 6, GAP = 1, SVGNS = 'http://www.w3.org/2000/svg';
  var minWidth = span / 600;
  var meta = {}; t.meta.forEach(function (m) { meta[m.vpcId] = m; });
  var fmt = function (ms) { return new Date(t.startMs + ms).toISOString().slice(11, 19); };

  var legend = document.getElementById('legend');
  classes.forEach(function (c, i) {
    var s = document.createElement('span'); s.setAttribute('data-class', c);
    var sw = document.createElement('i'); sw.style.background = colours[i];
    s.appendChild(sw); s.appendChild(document.createTextNode(c)); legend.appendChild(s);
  });

  var names = [];
  t.rows.forEach(function (r) { r.strips.forEach(function (s) { if (names.indexOf(s.name) < 0) names.push(s.name); }); });
  document.getElementById('strip-order').textContent = names.length ? 'Strips in each row, top to bottom: ' + names.join(', ') + ' (hover a strip for its VPC, name, class and times).' : '';

  var axis = document.getElementById('axis');
  for (var k = 0; k <= 8; k++) {
    var tick = document.createElement('span'); tick.style.left = (k * 12.5) + '%'; tick.textContent = fmt(span * k / 8) + (k === 0 ? ' UTC' : ''); axis.appendChild(tick);
  }
  // Labels in lanes by kind (steps, then halts and stops, then sessions), two rows per lane so
  // that labels close in time do not print over each other.
  var LANE = { step: 0, halt: 2, stop: 2, failure: 2, session: 4 }, lastLeft = {};
  t.markers.forEach(function (m) {
    var left = 100 * m.atMs / span, lane = LANE[m.kind] || 0;
    if (lastLeft[lane] !== undefined && left - lastLeft[lane] < 8) lane++;
    lastLeft[lane] = left;
    var s = document.createElement('span'); s.className = 'm m-' + m.kind; s.style.left = left + '%'; s.style.top = (1.2 + lane * 1.05) + 'rem';
    s.textContent = m.label; s.title = m.label + ' at ' + fmt(m.atMs);
    s.setAttribute('data-marker', m.kind); s.setAttribute('data-at', String(m.atMs)); axis.appendChild(s);
  });

  function rowSvg(row) {
    var h = row.strips.length * (STRIP + GAP);
    var svg = document.createElementNS(SVGNS, 'svg');
    svg.setAttribute('viewBox', '0 0 ' + span + ' ' + h); svg.setAttribute('preserveAspectRatio', 'none');
    svg.style.height = h + 'px';
    row.strips.forEach(function (strip, i) {
      strip.segments.forEach(function (seg, j) {
        var r = document.createElementNS(SVGNS, 'rect');
        r.setAttribute('x', String(seg[0])); r.setAttribute('y', String(i * (STRIP + GAP)));
        r.setAttribute('width', String(Math.max(seg[1] - seg[0], minWidth))); r.setAttribute('height', String(STRIP));
        r.setAttribute('fill', colours[seg[2]]); r.setAttribute('data-name', strip.name); r.setAttribute('data-class', classes[seg[2]]);
        r.setAttribute('data-from', String(seg[0])); r.setAttribute('data-to', String(seg[1]));
        var title = document.createElementNS(SVGNS, 'title');
        title.textContent = row.vpcId + ' ' + strip.name + ': ' + classes[seg[2]] + ' ' + fmt(seg[0]) + '-' + fmt(seg[1]) + ' (' + seg[3] + ' result' + (seg[3] === 1 ? '' : 's') + ')' + (strip.notes[j] ? ' - ' + strip.notes[j] : '');
        r.appendChild(title); svg.appendChild(r);
      });
    });
    t.markers.forEach(function (m) {
      var l = document.createElementNS(SVGNS, 'line');
      l.setAttribute('x1', String(m.atMs)); l.setAttribute('x2', String(m.atMs)); l.setAttribute('y1', '0'); l.setAttribute('y2', String(h));
      l.setAttribute('stroke', m.kind === 'step' ? '#1971c2' : m.kind === 'session' ? '#868e96' : '#c92a2a'); l.setAttribute('stroke-width', '1.5');
      l.setAttribute('vector-effect', 'non-scaling-stroke'); l.setAttribute('data-marker', m.kind); svg.appendChild(l);
    });
    return svg;
  }

  var groups = {}, order = [];
  t.rows.forEach(function (row) {
    var m = meta[row.vpcId] || { account: 'not in the plan', role: 'other' };
    if (!groups[m.account]) { groups[m.account] = []; order.push(m.account); }
    groups[m.account].push(row);
  });
  var container = document.getElementById('timeline-rows');
  var many = t.rows.length > 50;
  order.forEach(function (account) {
    var rows = groups[account];
    var bad = rows.filter(function (r) { return r.nonOk > 0; }).length;
    var d = document.createElement('details'); d.className = 'group'; d.setAttribute('data-account', account);
    if (!many || bad) d.open = true;
    var sum = document.createElement('summary');
    sum.textContent = account + ': ' + rows.length + ' VPC' + (rows.length === 1 ? '' : 's') + (bad ? ', ' + bad + ' with non-ok results' : ', all ok');
    d.appendChild(sum);
    rows.forEach(function (row) {
      var m = meta[row.vpcId] || { role: 'other' };
      var div = document.createElement('div'); div.className = 'tl-row';
      div.setAttribute('data-vpc', row.vpcId); div.setAttribute('data-nonok', String(row.nonOk));
      div.setAttribute('data-search', (row.vpcId + ' ' + account + ' ' + m.role + ' ' + row.strips.map(function (s) { return s.name; }).join(' ')).toLowerCase());
      var label = document.createElement('div'); label.className = 'label';
      label.title = row.vpcId + ' (' + m.role + ') - strips top to bottom: ' + row.strips.map(function (s) { return s.name; }).join(', ');
      label.textContent = row.vpcId + ' ' + m.role;
      if (row.nonOk) { var b = document.createElement('span'); b.className = 'bad'; b.textContent = ' ' + row.nonOk + ' not ok'; label.appendChild(b); }
      div.appendChild(label); div.appendChild(rowSvg(row)); d.appendChild(div);
    });
    container.appendChild(d);
  });

  var filter = document.getElementById('filter'), onlyBad = document.getElementById('only-bad'), count = document.getElementById('row-count');
  function apply() {
    var q = filter.value.trim().toLowerCase(), shown = 0;
    Array.prototype.forEach.call(container.querySelectorAll('.tl-row'), function (div) {
      var show = (!q || div.getAttribute('data-search').indexOf(q) >= 0) && (!onlyBad.checked || div.getAttribute('data-nonok') !== '0');
      div.style.display = show ? '' : 'none'; if (show) shown++;
    });
    Array.prototype.forEach.call(container.querySelectorAll('details.group'), function (d) {
      var any = Array.prototype.some.call(d.querySelectorAll('.tl-row'), function (r) { return r.style.display !== 'none'; });
      d.style.display = any ? '' : 'none'; if ((q || onlyBad.checked) && any) d.open = true;
    });
    count.textContent = shown + ' of ' + t.rows.length + ' VPCs shown';
  }
  filter.addEventListener('input', apply); onlyBad.addEventListener('change', apply); apply();
})();
`;
