// The report model from a run's files: every change with its outcome (a call whose reply was
// never recorded said so), batches as the log numbered them, each halt with what came after it.
import { describe, expect, it } from 'vitest';
import { buildReportModel, type LogLine } from '../../src/report/model.js';
import { buildTimeline } from '../../src/report/timeline.js';
import type { JournalEntry, RunState } from '../../src/state/schema.js';

const at = (s: number) => new Date(Date.UTC(2026, 11, 3, 2, 0, s)).toISOString();
const t = (s: number) => Date.parse(at(s));

function entry(seq: number, s: number, step: number, actionId: string, phase: JournalEntry['phase'], extra: Partial<JournalEntry> = {}): JournalEntry {
  return { seq, at: at(s), step, actionId, kind: 'k', account: 'shared', operation: 'DisassociateVPCFromHostedZone', target: 'Z1', params: {}, phase, ...extra };
}

function state(journal: JournalEntry[], over: Partial<RunState> = {}): RunState {
  return {
    schemaVersion: 3, toolVersion: '0.1.0', plan: { name: 'p', file: 'plan.yaml', hash: 'h' }, definitionVersion: 'run-machine/1',
    createdAt: at(0), updatedAt: at(60), status: 'done', probeLog: 'p.probes.ndjson', backups: [], stats: {}, journal, ...over,
  } as RunState;
}

const session = (s: number, command: string, mode: string): LogLine => ({ time: t(s), msg: 'progress', event: { type: 'session', command, mode, direction: 'forward', by: 'ops@host' } });
const outcome = (s: number, event: Record<string, unknown>): LogLine => ({ time: t(s), msg: 'progress', event: { type: 'outcome', direction: 'forward', ...event } });
const action = (s: number, step: number, batch: number, id: string): LogLine => ({ time: t(s), msg: 'progress', event: { type: 'action', step, batch, status: 'start', action: { id } } });

const model = (st: RunState, log: LogLine[]) =>
  buildReportModel({ statePath: 's.state.json', state: st, log, timeline: buildTimeline([]), backups: [], generatedAt: at(99), toolVersion: '0.1.0' });

describe('buildReportModel', () => {
  it('pairs each intent with its outcome; an intent with none is a call whose reply was not recorded', () => {
    const m = model(
      state([
        entry(1, 1, 2, 'a', 'intent'),
        entry(2, 1, 2, 'b', 'intent'),
        entry(3, 2, 2, 'a', 'applied', { requestId: 'req-a' }),
        entry(4, 9, 2, 'b', 'intent'),
        entry(5, 10, 2, 'b', 'already-done', { requestId: 'req-b2' }),
      ]),
      [session(0, 'apply plan.yaml', 'apply'), action(1, 2, 1, 'a'), action(1, 2, 1, 'b'), outcome(5, { outcome: 'interrupted', failure: { step: 2, phase: 'interrupt', message: 'SIGINT again' } }), session(8, 'resume plan.yaml', 'resume'), action(9, 2, 1, 'b'), outcome(20, { outcome: 'done' })],
    );
    const step2 = m.steps.find((s) => s.number === 2)!;
    expect(step2.batches.map((b) => [b.session, b.batch, b.calls.map((c) => [c.actionId, c.result, c.requestId ?? null])])).toEqual([
      [0, 1, [['a', 'applied', 'req-a'], ['b', 'no-reply', null]]],
      [1, 1, [['b', 'already-done', 'req-b2']]],
    ]);
    expect(m.sessions.map((s) => [s.command, s.outcome])).toEqual([['apply plan.yaml', 'interrupted'], ['resume plan.yaml', 'done']]);
    expect(m.incidents).toHaveLength(1);
    expect(m.incidents[0]).toMatchObject({ kind: 'interrupt', step: 2, reason: 'SIGINT again' });
    expect(m.incidents[0]!.after).toMatch(/^then: resume plan\.yaml at .* by ops@host \(done\)$/);
  });

  it('a halt not yet taken up says what the operator can do; rollback actions are the undo steps', () => {
    const m = model(
      state([entry(1, 1, 6, 'undo:6:x', 'intent'), entry(2, 2, 6, 'undo:6:x', 'failed', { error: { code: 'AccessDenied', message: 'no' } })], { status: 'halted', direction: 'rollback' }),
      [session(0, 'rollback', 'rollback'), outcome(3, { outcome: 'halted', direction: 'rollback', halt: { step: 6, phase: 'dns', reason: 'vpc-1 lost its answer', pairs: [] } })],
    );
    expect(m.steps.map((s) => [s.direction, s.number, s.title])).toEqual([['rollback', 6, expect.stringMatching(/^Undo of step 6/)]]);
    expect(m.steps[0]!.batches[0]!.calls[0]).toMatchObject({ result: 'failed', error: 'AccessDenied: no' });
    expect(m.incidents[0]).toMatchObject({ kind: 'halt', direction: 'rollback', step: 6, phase: 'dns' });
    expect(m.incidents[0]!.after).toMatch(/not yet taken up.*r53migrate resume plan\.yaml, or r53migrate rollback/);
  });

  it('without session lines in the log (an older run, a lost log), the state file still gives the latest halt', () => {
    const m = model(state([], { status: 'halted', halt: { reason: 'probes did not run', step: 4, at: at(30) } }), []);
    expect(m.sessions).toHaveLength(1);
    expect(m.incidents).toEqual([expect.objectContaining({ kind: 'halt', step: 4, reason: 'probes did not run', at: t(30) })]);
  });
});
