// The run machine as a Mermaid state diagram, read off the xstate definition itself (its state
// nodes, their invoke onDone/onError, always and event transitions), so the picture can't drift
// from what runs. Labels come from the definition's `description`s; a machine without them is
// still drawn, its edges labelled by event kind.
import type { AnyStateNode } from 'xstate';

/** Any xstate machine: only its tree of state nodes is read. */
export interface MachineLike {
  root: AnyStateNode;
}

/** `[*]`: Mermaid's start (as a source) or end (as a target) pseudo-state of the enclosing state. */
export const PSEUDO = '[*]';

export interface DiagramState {
  id: string;
  label: string;
  /** The composite state it is drawn inside; none at the top level. */
  parent?: string;
  kind: 'atomic' | 'composite' | 'final';
}

export interface DiagramEdge {
  from: string;
  to: string;
  label: string;
  /** Where the edge is drawn: inside that composite state, or at the top level. */
  parent?: string;
  /**
   * How many of the machine's transitions it stands for: an edge leaving a composite state
   * stands for every inner state's transition to the same target with the same outcome (its
   * label names those states). Start and end markers stand for none.
   */
  transitions: number;
}

export interface StateDiagram {
  states: DiagramState[];
  edges: DiagramEdge[];
}

const idOf = (node: AnyStateNode): string => node.path.map((k: string) => k.replace(/[^A-Za-z0-9_]/g, '_')).join('_');

/** Mermaid reads `;` as the end of a statement and `"` as the end of a quoted name. */
const safeText = (text: string): string => text.replace(/"/g, "'").replace(/[;\r\n]+/g, ',').trim();

/** The outcome a transition stands for: its description, or what xstate's event says. */
function outcomeOf(t: { description?: string; eventType: string; guard?: unknown }): string {
  if (t.description) return t.description;
  const base = t.eventType === '' ? 'always' : t.eventType.startsWith('xstate.done.actor.') ? 'done' : t.eventType.startsWith('xstate.error.actor.') ? 'error' : t.eventType;
  const guard = t.guard as { type?: string } | string | ((...args: never[]) => unknown) | undefined;
  // An inline guard function is named after the property it was written in: `guard` says nothing.
  const named = typeof guard === 'string' ? guard : typeof guard === 'function' ? (guard.name === 'guard' ? '' : guard.name) : guard?.type;
  return guard ? `${base} if ${named || 'guarded'}` : base;
}

/** Every transition of a node with a target: events, invoke onDone/onError, always. */
function transitionsOf(node: AnyStateNode) {
  return [...[...node.transitions.values()].flat(), ...(node.always ?? [])].filter((t) => t.target?.length);
}

const nodeAt = (machine: MachineLike, path: string[]): AnyStateNode => path.reduce((node, key) => node.states[key] as AnyStateNode, machine.root as AnyStateNode);

export function stateDiagram(machine: MachineLike): StateDiagram {
  const states: DiagramState[] = [];
  const edges: DiagramEdge[] = [];
  // Transitions that leave a composite state are drawn from it, one edge per target and outcome.
  const merged = new Map<string, { edge: DiagramEdge; sources: string[]; lifted: boolean }>();

  const visit = (node: AnyStateNode, parent: string | undefined) => {
    const id = idOf(node);
    const children = Object.values(node.states) as AnyStateNode[];
    states.push({ id, label: safeText(node.description ?? node.key), kind: node.type === 'final' ? 'final' : children.length ? 'composite' : 'atomic', ...(parent ? { parent } : {}) });
    if (children.length) addInitial(node, id);
    for (const child of children) visit(child, id);
  };

  const addInitial = (node: AnyStateNode, parent: string | undefined) => {
    for (const target of node.initial?.target ?? []) edges.push({ from: PSEUDO, to: idOf(target), label: '', transitions: 0, ...(parent ? { parent } : {}) });
  };

  const addTransitions = (node: AnyStateNode) => {
    for (const t of transitionsOf(node)) {
      for (const target of t.target!) {
        // Drawn between the ancestors of source and target that share a parent.
        const from: string[] = node.path;
        const to: string[] = target.path;
        let common = 0;
        while (common < from.length && common < to.length && from[common] === to[common]) common++;
        common = Math.min(common, from.length - 1, to.length - 1);
        const drawnFrom = nodeAt(machine, from.slice(0, common + 1));
        const drawnTo = nodeAt(machine, to.slice(0, common + 1));
        const parent = common > 0 ? idOf(drawnFrom.parent!) : undefined;
        const outcome = safeText(outcomeOf(t));
        const key = `${idOf(drawnFrom)}|${idOf(drawnTo)}|${outcome}`;
        const lifted = drawnFrom !== node;
        const seen = merged.get(key);
        if (seen) {
          seen.edge.transitions++;
          seen.sources.push(node.key);
          seen.lifted ||= lifted;
          continue;
        }
        const edge: DiagramEdge = { from: idOf(drawnFrom), to: idOf(drawnTo), label: outcome, transitions: 1, ...(parent ? { parent } : {}) };
        merged.set(key, { edge, sources: [node.key], lifted });
        edges.push(edge);
      }
    }
    for (const child of Object.values(node.states) as AnyStateNode[]) addTransitions(child);
  };

  addInitial(machine.root, undefined);
  for (const child of Object.values(machine.root.states) as AnyStateNode[]) visit(child, undefined);
  addTransitions(machine.root);
  for (const { edge, sources, lifted } of merged.values()) if (lifted) edge.label = `${edge.label} (${[...new Set(sources)].join(', ')})`;
  for (const s of states) if (s.kind === 'final') edges.push({ from: s.id, to: PSEUDO, label: '', transitions: 0, ...(s.parent ? { parent: s.parent } : {}) });
  return { states, edges };
}

/**
 * Mermaid `stateDiagram-v2` text, composites as nested blocks. Everything flows top to bottom:
 * steps laid out left to right inside push the fan of edges to the end states across the page.
 */
export function renderStateDiagram(d: StateDiagram): string {
  const lines = ['stateDiagram-v2'];
  const block = (parent: string | undefined, indent: string) => {
    for (const s of d.states.filter((x) => x.parent === parent)) {
      const named = s.label === s.id ? `state ${s.id}` : `state "${s.label}" as ${s.id}`;
      if (s.kind !== 'composite') {
        lines.push(`${indent}${named}`);
        continue;
      }
      lines.push(`${indent}${named} {`);
      block(s.id, `${indent}  `);
      lines.push(`${indent}}`);
    }
    for (const e of d.edges.filter((x) => x.parent === parent)) lines.push(`${indent}${e.from} --> ${e.to}${e.label ? ` : ${e.label}` : ''}`);
  };
  block(undefined, '  ');
  return lines.join('\n') + '\n';
}
