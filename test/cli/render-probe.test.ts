// The probe command's rendering: sorted table, summary line, the WHY column only when needed,
// JSON with stable fields, and the two kinds of --watch frame.
import { describe, expect, it } from 'vitest';
import {
  CLEAR_SCREEN,
  renderProbeJson,
  renderProbeJsonLine,
  renderProbeTable,
  renderSummaryLine,
  renderWatchFrame,
  summarise,
  type ProbeRow,
} from '../../src/cli/render-probe.js';

const row = (vpcId: string, name: string, over: Partial<ProbeRow> = {}): ProbeRow => ({
  vpcId,
  name,
  probeName: name.replace(/^\*\./, 'r53migrate-probe.'),
  class: 'ok',
  answers: ['10.0.0.5', '10.0.1.5'],
  expected: ['10.0.0.5', '10.0.1.5'],
  latencyMs: 0.4321,
  rcode: 'NOERROR',
  ...over,
});

const rows: ProbeRow[] = [
  row('vpc-bbbb', 'lambda.us-east-1.amazonaws.com', { role: 'keeper' }),
  row('vpc-aaaa', 's3.us-east-1.amazonaws.com', { role: 'shared' }),
  row('vpc-bbbb', '*.s3.us-east-1.amazonaws.com', {
    role: 'keeper',
    class: 'public',
    answers: ['198.51.100.7'],
    reason: "answered 198.51.100.7, not the endpoint's 10.0.0.5, 10.0.1.5",
  }),
  row('vpc-aaaa', 'lambda.us-east-1.amazonaws.com', { role: 'shared', class: 'timeout', answers: [], latencyMs: 1000, rcode: undefined, reason: 'no reply after 2 attempt(s) over UDP' }),
];

describe('renderProbeTable', () => {
  it('sorts by VPC then name, shows the role, and ends with the summary', () => {
    const lines = renderProbeTable(rows).trimEnd().split('\n');
    expect(lines[0]).toMatch(/^VPC\s+NAME\s+CLASS\s+ANSWERS\s+MS\s+WHY$/);
    const body = lines.slice(1, -1).map((l) => l.split(/\s{2,}/).slice(0, 3));
    expect(body).toEqual([
      ['vpc-aaaa (shared)', 'lambda.us-east-1.amazonaws.com', 'timeout'],
      ['vpc-aaaa (shared)', 's3.us-east-1.amazonaws.com', 'ok'],
      ['vpc-bbbb (keeper)', '*.s3.us-east-1.amazonaws.com', 'public'],
      ['vpc-bbbb (keeper)', 'lambda.us-east-1.amazonaws.com', 'ok'],
    ]);
    expect(lines.at(-1)).toBe('4 pairs, 2 ok, 2 not ok (1 public, 1 timeout)');
  });

  it('prints answers comma-joined ("-" for none), latency in ms with one decimal, and why a pair is not ok', () => {
    const text = renderProbeTable(rows);
    const timeout = text.split('\n').find((l) => l.includes('timeout'))!;
    expect(timeout).toMatch(/timeout\s+-\s+1000\.0\s+no reply after 2 attempt\(s\) over UDP$/);
    const pub = text.split('\n').find((l) => l.includes('public'))!;
    expect(pub).toContain('198.51.100.7');
    expect(pub).toContain("not the endpoint's 10.0.0.5, 10.0.1.5");
    const ok = text.split('\n').find((l) => l.includes('vpc-aaaa') && l.includes(' ok '))!;
    expect(ok).toMatch(/10\.0\.0\.5,10\.0\.1\.5\s+0\.4$/);
  });

  it('columns line up: every row starts NAME at the same offset', () => {
    const lines = renderProbeTable(rows).split('\n').slice(0, 5);
    const names = ['NAME', 'lambda.', 's3.', '*.s3.', 'lambda.'];
    const offsets = lines.map((l, i) => l.indexOf(` ${names[i]}`) + 1);
    expect(offsets[0]).toBeGreaterThan(0);
    expect(new Set(offsets).size).toBe(1);
  });

  it('leaves out the WHY column when every pair is ok', () => {
    const allOk = rows.filter((r) => r.class === 'ok');
    const text = renderProbeTable(allOk);
    expect(text.split('\n')[0]).not.toContain('WHY');
    expect(text.trimEnd().split('\n').at(-1)).toBe('2 pairs, 2 ok, 0 not ok');
  });
});

describe('summaries and JSON', () => {
  it('counts not-ok pairs per class', () => {
    expect(summarise(rows)).toEqual({ pairs: 4, ok: 2, notOk: 2, byClass: { public: 1, timeout: 1 } });
    expect(renderSummaryLine(summarise([]))).toBe('0 pairs, 0 ok, 0 not ok');
  });

  it('--json: a sorted array where every field is present (null when it has no value)', () => {
    const parsed = JSON.parse(renderProbeJson(rows)) as Record<string, unknown>[];
    expect(parsed.map((r) => `${r.vpcId} ${r.name}`)).toEqual([
      'vpc-aaaa lambda.us-east-1.amazonaws.com',
      'vpc-aaaa s3.us-east-1.amazonaws.com',
      'vpc-bbbb *.s3.us-east-1.amazonaws.com',
      'vpc-bbbb lambda.us-east-1.amazonaws.com',
    ]);
    for (const r of parsed) {
      expect(Object.keys(r).sort()).toEqual(['answers', 'class', 'expected', 'latencyMs', 'name', 'probeName', 'rcode', 'reason', 'role', 'vpcId']);
    }
    expect(parsed[0]).toMatchObject({ class: 'timeout', rcode: null, answers: [], reason: 'no reply after 2 attempt(s) over UDP' });
    expect(parsed[2]).toMatchObject({ probeName: 'r53migrate-probe.s3.us-east-1.amazonaws.com', expected: ['10.0.0.5', '10.0.1.5'] });
  });

  it('--watch --json: one line per round with its number, time and counts', () => {
    const line = renderProbeJsonLine(rows, 7, Date.UTC(2026, 0, 2, 3, 4, 5));
    expect(line.endsWith('\n')).toBe(true);
    expect(line.trimEnd()).not.toContain('\n');
    const parsed = JSON.parse(line) as { round: number; time: string; pairs: number; ok: number; notOk: number; results: unknown[] };
    expect(parsed).toMatchObject({ round: 7, time: '2026-01-02T03:04:05.000Z', pairs: 4, ok: 2, notOk: 2 });
    expect(parsed.results).toHaveLength(4);
  });
});

describe('--watch frames', () => {
  const frame = { round: 3, atMs: Date.UTC(2026, 0, 2, 3, 4, 5), intervalMs: 1000, planName: 'prod' };

  it('on a terminal: clear screen and home, a heading, the table', () => {
    const text = renderWatchFrame(rows, { ...frame, tty: true });
    expect(text.startsWith(CLEAR_SCREEN)).toBe(true);
    expect(text).toContain('round 3 at 2026-01-02T03:04:05.000Z, every 1000 ms');
    expect(text.endsWith(renderProbeTable(rows))).toBe(true);
  });

  it('elsewhere: no escape codes, a timestamp line before each table', () => {
    const text = renderWatchFrame(rows, { ...frame, tty: false });
    expect(text).not.toContain('\x1b');
    expect(text).toBe(`--- 2026-01-02T03:04:05.000Z round 3 ---\n${renderProbeTable(rows)}`);
  });
});
