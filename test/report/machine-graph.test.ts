// `r53migrate graph` draws the run machine from its xstate definition: every step and end state,
// every transition accounted for, and a change to the machine is a change to the picture. Mermaid's
// own parser reads the text back as the same graph.
import { describe, expect, it } from 'vitest';
import { createMachine, type AnyStateNode } from 'xstate';
import { PSEUDO, renderStateDiagram, stateDiagram, type StateDiagram } from '../../src/report/machine-graph.js';
import { buildRunMachine, STEPS_OF, type Direction } from '../../src/machines/run-machine.js';
import { meantState, mermaidProblems, readMermaid } from '../support/mermaid.js';

const FINALS = ['done', 'halted', 'failed', 'stopped'];
const stepKey = (direction: Direction, n: number) => `${direction === 'forward' ? 'step' : 'undo'}${n}`;

/** Every transition of the machine with a target, as (target, outcome): counted here without the generator. */
function machineTransitions(root: AnyStateNode): Map<string, number> {
  const out = new Map<string, number>();
  const walk = (node: AnyStateNode) => {
    for (const t of [...[...node.transitions.values()].flat(), ...(node.always ?? [])]) {
      for (const target of t.target ?? []) {
        const key = `${target.path.join('_')}|${t.description}`;
        out.set(key, (out.get(key) ?? 0) + 1);
      }
    }
    for (const child of Object.values(node.states)) walk(child as AnyStateNode);
  };
  walk(root);
  return out;
}

/** The same, read off the diagram: each edge stands for `transitions` of them. */
function drawnTransitions(d: StateDiagram): Map<string, number> {
  const out = new Map<string, number>();
  for (const e of d.edges.filter((x) => x.transitions > 0)) {
    const key = `${e.to}|${e.label.replace(/ \(.*\)$/, '')}`;
    out.set(key, (out.get(key) ?? 0) + e.transitions);
  }
  return out;
}

for (const direction of ['forward', 'rollback'] as const) {
  describe(`the ${direction} run machine as a state diagram`, () => {
    const machine = buildRunMachine(direction);
    const d = stateDiagram(machine);
    const steps = STEPS_OF[direction];

    it('draws the start, every step as a box titled with the step, its four phases inside, and the end states', () => {
      const top = d.states.filter((s) => !s.parent);
      expect(top.map((s) => s.id)).toEqual(['start', ...steps.map((s) => stepKey(direction, s.number)), ...FINALS]);
      for (const step of steps) {
        const id = stepKey(direction, step.number);
        const box = d.states.find((s) => s.id === id)!;
        expect(box.kind).toBe('composite');
        expect(box.label).toContain(step.title);
        expect(d.states.filter((s) => s.parent === id).map((s) => s.id)).toEqual(['plan', 'act', 'converge', 'dns'].map((p) => `${id}_${p}`));
      }
      for (const f of FINALS) expect(d.states.find((s) => s.id === f)?.kind).toBe('final');
      expect(d.states.find((s) => s.id === 'halted')?.label).toMatch(/exit 3/);
    });

    it('accounts for every transition of the machine, each exactly once', () => {
      const fromMachine = machineTransitions(machine.root);
      const total = [...fromMachine.values()].reduce((a, b) => a + b, 0);
      // 8 ways out of start, and per step: plan 4 outcomes + error, act 1 + error, converge 2 + error, dns 2 + error.
      expect(total).toBe(steps.length + 1 + steps.length * 13);
      expect(d.edges.reduce((n, e) => n + e.transitions, 0)).toBe(total);
      expect(drawnTransitions(d)).toEqual(fromMachine);
    });

    it("labels each edge with its outcome, and edges leaving a step with the phases they leave from", () => {
      const edge = (from: string, to: string) => d.edges.filter((e) => e.from === from && e.to === to).map((e) => e.label);
      expect(d.edges.filter((e) => e.from === PSEUDO && !e.parent).map((e) => e.to)).toEqual(['start']);
      steps.forEach((step, i) => {
        const id = stepKey(direction, step.number);
        const next = i + 1 < steps.length ? stepKey(direction, steps[i + 1]!.number) : 'done';
        expect(edge('start', id)).toEqual([`${direction === 'forward' ? 'step' : 'undo'} ${step.number} next`]);
        expect(edge(PSEUDO, `${id}_plan`)).toEqual(['']);
        expect(edge(`${id}_plan`, `${id}_act`)).toEqual(['act']);
        expect(edge(`${id}_act`, `${id}_converge`)).toEqual(['sent']);
        expect(edge(`${id}_converge`, `${id}_dns`)).toEqual(['settled']);
        expect(edge(`${id}_dns`, `${id}_plan`)).toEqual(['pass']);
        expect(edge(id, next)).toEqual(['step-done (plan)']);
        expect(edge(id, 'halted')).toEqual(['halt (plan, converge, dns)']);
        expect(edge(id, 'stopped')).toEqual(['stop (plan)']);
        expect(edge(id, 'failed')).toEqual(['error (plan, act, converge, dns)']);
      });
      expect(edge('start', 'done')).toEqual(['nothing left']);
      for (const f of FINALS) expect(edge(f, PSEUDO)).toEqual(['']);
    });

    it('is valid Mermaid, and Mermaid reads back exactly these states, labels and edges', async () => {
      const text = renderStateDiagram(d);
      expect((await readMermaid(text)).type).toBe('stateDiagram');
      expect(await mermaidProblems(text, meantState(d))).toEqual([]);
    });
  });
}

describe('the diagram follows the machine', () => {
  it('the rollback machine walks undo 7 down to undo 1, and its diagram says so', () => {
    const text = renderStateDiagram(stateDiagram(buildRunMachine('rollback')));
    expect(text).toMatch(/undo7 --> undo6 : step-done \(plan\)/);
    expect(text).toMatch(/undo1 --> done : step-done \(plan\)/);
    expect(text).not.toMatch(/\bstep1\b/);
    expect(text).toMatch(/state "Undo of step 7 \(back up, empty and delete the self-managed zones\)" as undo7 \{/);
  });

  it('a state or transition added to the machine appears in the diagram, and nothing else moves', () => {
    const run = buildRunMachine('forward');
    const base = renderStateDiagram(stateDiagram(run));
    const config = run.config as { states: Record<string, object> };
    const changed = createMachine({
      ...(run.config as object),
      states: { ...config.states, start: { ...config.states.start, on: { PAUSE: { target: 'paused', description: 'pause' } } }, paused: { type: 'final' } },
    } as never);
    const text = renderStateDiagram(stateDiagram(changed));
    expect(text).not.toBe(base);
    const added = text.split('\n').filter((l) => !base.split('\n').includes(l));
    expect(added).toEqual(['  state paused', '  start --> paused : pause', '  paused --> [*]']);
  });

  it('a machine without descriptions is still drawn: edges named by what xstate fires, guards by name', () => {
    const m = createMachine({
      id: 'tiny',
      initial: 'work',
      states: {
        work: {
          invoke: { id: 'job', src: 'job', onDone: [{ guard: 'finished', target: 'ok' }, { guard: () => false, target: 'bad' }, { target: 'work', reenter: true }], onError: 'bad' },
          on: { CANCEL: 'bad' },
        },
        ok: { type: 'final' },
        bad: { type: 'final' },
      },
    });
    const labels = stateDiagram(m).edges.filter((e) => e.transitions).map((e) => `${e.from}->${e.to}: ${e.label}`);
    expect(labels).toEqual(['work->bad: CANCEL', 'work->ok: done if finished', 'work->bad: done if guarded', 'work->work: done', 'work->bad: error']);
  });
});
