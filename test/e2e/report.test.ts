// The run report as a change board sees it: written by the real CLI at the end of each run, rebuilt
// by `r53migrate report`, and opened in a real headless Chromium with no network. What is checked
// is what a reviewer reads: the status, every change with its request id, the halt at the time
// it happened, the zone backups, and one timeline row per VPC whose strips turn red exactly where
// the DNS fault was.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLASS_COLOURS } from '../../src/report/html.js';
import { browserAvailable, launchBrowser, type ReportBrowser } from '../support/browser.js';
import { runCli, type CliRun } from '../support/cli.js';
import { startEstate, type Estate } from '../support/estate.js';
import { readStateWithJournalSync } from '../support/state-file.js';

const LONG = 300_000;
// A parking VPC: no keeper loses its answer in step 7, so any red is the injected fault's.
const SMALL = ['--scenario', 'direct', '--vpcs', '3', '--endpoints', '2', '--accounts', '2', '--parking'];
const out = (r: CliRun) => `exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;
const statePath = (e: Estate) => join(e.dir, 'state', 'run.state.json');
const reportPath = (e: Estate) => join(e.dir, 'state', 'run.report.html');
const run = (e: Estate, args: string[]) => e.cli([...args, '--state', statePath(e)], LONG);

/** What the page shows, read in the browser (the DOM after the page's script ran). */
interface Seen {
  status: string;
  verdictClass: string;
  rows: { vpc: string; nonOk: number; rects: { name: string; cls: string; fill: string; from: number; to: number }[] }[];
  markers: { kind: string; at: number; label: string }[];
  incidents: { kind: string; at: number; step: number; text: string }[];
  steps: { step: number; direction: string; requestIds: string[] }[];
  backups: { zone: string; records: string }[];
}

async function look(browser: ReportBrowser, file: string): Promise<Seen & { errors: string[]; outside: string[] }> {
  const opened = await browser.open(file);
  try {
    const seen = await opened.page.evaluate(() => {
      const all = (sel: string, root: ParentNode = document) => Array.from(root.querySelectorAll(sel));
      return {
        status: document.getElementById('run-status')!.textContent!.trim(),
        verdictClass: document.getElementById('verdict')!.className,
        rows: all('.tl-row').map((r) => ({
          vpc: r.getAttribute('data-vpc')!,
          nonOk: Number(r.getAttribute('data-nonok')),
          rects: all('rect', r).map((x) => ({
            name: x.getAttribute('data-name')!,
            cls: x.getAttribute('data-class')!,
            fill: x.getAttribute('fill')!,
            from: Number(x.getAttribute('data-from')),
            to: Number(x.getAttribute('data-to')),
          })),
        })),
        markers: all('#axis [data-marker]').map((m) => ({ kind: m.getAttribute('data-marker')!, at: Number(m.getAttribute('data-at')), label: m.textContent! })),
        incidents: all('.incident').map((i) => ({ kind: i.getAttribute('data-kind')!, at: Number(i.getAttribute('data-at')), step: Number(i.getAttribute('data-step')), text: i.textContent! })),
        steps: all('section.step').map((s) => ({
          step: Number(s.getAttribute('data-step')),
          direction: s.getAttribute('data-direction')!,
          requestIds: all('table.calls tbody tr td:last-child code', s).map((c) => c.textContent!),
        })),
        backups: all('#backups tbody tr').map((r) => ({ zone: r.children[0]!.textContent!, records: r.children[2]!.textContent! })),
      };
    });
    return { ...seen, errors: [...opened.errors], outside: [...opened.outside] };
  } finally {
    await opened.close();
  }
}

/** The request ids the journal recorded for applied changes, per step. */
function journalRequestIds(e: Estate): Map<number, string[]> {
  const state = readStateWithJournalSync<{ journal: { phase: string; step: number; requestId?: string }[] }>(statePath(e));
  const ids = new Map<number, string[]>();
  for (const j of state.journal) if (j.phase === 'applied' && j.requestId) ids.set(j.step, [...(ids.get(j.step) ?? []), j.requestId]);
  return ids;
}

const withBrowser = browserAvailable('run report in a browser');

describe.skipIf(!withBrowser)('the run report in headless Chromium', () => {
  let browser: ReportBrowser;
  beforeAll(async () => {
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
  });

  it.concurrent('a clean run: done, every change with its request id, backups read back, one all-green row per VPC; no console error, no request outside the file', async () => {
    const e = await startEstate(SMALL);
    try {
      // Applied by the hash the reviewer saw: the report records it against the session.
      const reviewed = await e.cli(['plan', e.info.planFile, '--json']);
      const planHash = (JSON.parse(reviewed.stdout) as { planHash: string }).planHash;
      const r = await run(e, ['apply', e.info.planFile, '--plan-hash', planHash]);
      expect(r.code, out(r)).toBe(0);
      expect(r.stdout).toMatch(/^Report: .*run\.report\.html/m);
      expect(readFileSync(reportPath(e), 'utf8')).toMatch(new RegExp(`<code>${planHash}</code> <span class="reviewed">as reviewed`));
      // One file: nothing it refers to lies outside it.
      expect(readFileSync(reportPath(e), 'utf8')).not.toMatch(/\b(src|href)="(?!#)[^"]+"/);
      const seen = await look(browser, reportPath(e));
      expect(seen.errors).toEqual([]);
      expect(seen.outside).toEqual([]);
      expect(seen.status).toBe('done');
      expect(seen.verdictClass).toContain('verdict-ok');
      // One row per VPC of the estate, one strip per name, every segment ok and drawn green.
      expect(seen.rows.map((x) => x.vpc).sort()).toEqual(e.info.vpcs.map((v) => v.id).sort());
      for (const row of seen.rows) {
        expect(new Set(row.rects.map((x) => x.name))).toEqual(new Set(e.info.names.map((n) => n.name)));
        expect(row.nonOk).toBe(0);
        for (const rect of row.rects) expect([rect.cls, rect.fill]).toEqual(['ok', CLASS_COLOURS.ok]);
      }
      // Seven steps, each change with the request id AWS gave it (as journaled).
      const ids = journalRequestIds(e);
      expect(seen.steps.filter((s) => s.direction === 'forward').map((s) => s.step)).toEqual([1, 2, 3, 4, 5, 6, 7]);
      for (const s of seen.steps) expect(s.requestIds.filter(Boolean).sort(), `step ${s.step}`).toEqual([...(ids.get(s.step) ?? [])].sort());
      expect(seen.markers.filter((m) => m.kind === 'step').map((m) => m.label)).toEqual(['step 1', 'step 2', 'step 3', 'step 4', 'step 5', 'step 6', 'step 7']);
      expect(seen.incidents).toEqual([]);
      // Every zone was backed up before deletion; the report read each backup back.
      const zones = new Set(e.info.names.map((n) => n.zoneName));
      expect(seen.backups).toHaveLength(zones.size);
      for (const b of seen.backups) expect(Number(b.records), b.zone).toBeGreaterThan(0);
    } finally {
      await e.close();
    }
  }, LONG);

  it.concurrent('a halted run, resumed after the fault was fixed: the halt in its step at its time, the faulty VPC red exactly there, every other row green', async () => {
    const e = await startEstate(SMALL);
    try {
      const first = await run(e, ['apply', e.info.planFile, '--yes', '--through-step', '2']);
      expect(first.code, out(first)).toBe(5);
      // A resolver that fails every name in one spoke VPC, from before step 3 until it is fixed.
      const bad = e.info.vpcs[1]!;
      const faultFrom = Date.now();
      await e.fault({ kind: 'dns', vpcId: bad.id, servfail: true });
      const halted = await run(e, ['resume', e.info.planFile]);
      expect(halted.code, out(halted)).toBe(3);
      await e.clearFaults();
      const faultTo = Date.now();
      const done = await run(e, ['resume', e.info.planFile]);
      expect(done.code, out(done)).toBe(0);

      // Rebuilt by the report command too (same file, same place), from another folder.
      const rebuilt = await e.cli(['report', '--state', statePath(e), '--out', join(e.dir, 'again.html')]);
      expect(rebuilt.code, out(rebuilt)).toBe(0);
      expect(rebuilt.stdout).toMatch(/1 halt\(s\) or stop\(s\)|2 halt\(s\) or stop\(s\)/);

      for (const file of [reportPath(e), join(e.dir, 'again.html')]) {
        const seen = await look(browser, file);
        expect(seen.errors).toEqual([]);
        expect(seen.outside).toEqual([]);
        expect(seen.status).toBe('done');
        expect(seen.verdictClass).toContain('verdict-bad');
        // The halt: in step 3 (the first step after the fault), between the fault and its fix.
        const halt = seen.incidents.find((i) => i.kind === 'halt')!;
        expect(halt, JSON.stringify(seen.incidents)).toBeDefined();
        expect(halt.step).toBe(3);
        expect(halt.at).toBeGreaterThanOrEqual(faultFrom);
        expect(halt.at).toBeLessThanOrEqual(faultTo);
        expect(halt.text).toContain(bad.id);
        expect(halt.text).toMatch(/then: resume/);
        // The stop asked for by --through-step 2 is there too, before it.
        expect(seen.incidents.find((i) => i.kind === 'stop')?.step).toBe(3);

        // On the timeline, the halt marker sits after step 3's start; the bad VPC's strips are red
        // (servfail) around the halt, and only that VPC has any non-ok segment.
        const haltMarker = seen.markers.find((m) => m.kind === 'halt')!;
        const startsBefore = seen.markers.filter((m) => m.kind === 'step' && m.at <= haltMarker.at).map((m) => m.label);
        expect(startsBefore.at(-1), JSON.stringify(seen.markers)).toBe('step 3');
        for (const row of seen.rows) {
          const nonOk = row.rects.filter((x) => x.cls !== 'ok');
          if (row.vpc !== bad.id) {
            expect(nonOk, row.vpc).toEqual([]);
            continue;
          }
          expect(row.nonOk).toBeGreaterThan(0);
          for (const n of e.info.names) {
            const red = nonOk.filter((x) => x.name === n.name);
            expect(red.length, n.name).toBeGreaterThan(0);
            for (const x of red) expect([x.cls, x.fill]).toEqual(['servfail', CLASS_COLOURS.servfail]);
            expect(Math.min(...red.map((x) => x.from)), n.name).toBeLessThanOrEqual(haltMarker.at);
            expect(Math.max(...red.map((x) => x.to)), n.name).toBeGreaterThanOrEqual(haltMarker.at - 5_000);
          }
          // Green again after the fix: the last segment of each strip is ok.
          for (const n of e.info.names) expect(row.rects.filter((x) => x.name === n.name).at(-1)!.cls, n.name).toBe('ok');
        }
      }
    } finally {
      await e.close();
    }
  }, LONG);
});

describe('the report of a run still under way', () => {
  it('is made without the lock and without disturbing the run: status running, the changes so far; the run then finishes', async () => {
    const e = await startEstate(SMALL);
    try {
      // Hold step 2's first change at the twin: the run waits on it with the state file locked.
      await e.fault({ kind: 'hold', operation: 'DisassociateVPCFromHostedZone', phase: 'before', count: 1 });
      const running = e.start(['apply', e.info.planFile, '--yes', '--state', statePath(e)]);
      expect((await e.waitHeld(120_000)).length, running.stdout()).toBeGreaterThan(0);
      const r = await e.cli(['report', '--state', statePath(e), '--out', join(e.dir, 'mid-run.html')]);
      expect(r.code, out(r)).toBe(0);
      expect(r.stdout).toMatch(/\(running\)/);
      const html = readFileSync(join(e.dir, 'mid-run.html'), 'utf8');
      expect(html).toContain('id="run-status">running<');
      // Step 1's changes are there with their request ids; step 2's held call has no reply yet.
      const ids = journalRequestIds(e);
      for (const id of ids.get(1) ?? []) expect(html).toContain(id);
      expect(ids.get(1)?.length).toBeGreaterThan(0);
      expect(html).toMatch(/no reply recorded/);
      await e.release();
      const done = await running.exited;
      expect(done.code, running.stdout() + running.stderr()).toBe(0);
      expect(running.stdout()).toMatch(/Migration complete/);
    } finally {
      await e.close();
    }
  }, LONG);
});

describe('the report command on bad input', () => {
  it('no state file: exit 2, says where it looked, writes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'r53m-report-'));
    try {
      const r = await runCli(['report', '--state', join(dir, 'nope.state.json')], { cwd: dir });
      expect(r.code, out(r)).toBe(2);
      expect(r.stderr).toMatch(/no state file at .*nope\.state\.json/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
