// Mermaid's own parser as the referee of the diagrams r53migrate prints: `mermaid.parse` rejects
// what is not Mermaid, and reading the parsed graph back (nodes, their labels and parents, edges
// and their labels) catches what Mermaid accepts but reads differently from what was meant — an
// id with a space becomes another node, a `;` ends a label early, a stray `}` becomes a state.
// Mermaid wants a DOM for its sanitiser: jsdom gives it one, no browser needed.
import { JSDOM } from 'jsdom';
import type { Mermaid } from 'mermaid';
import type { Flowchart } from '../../src/report/plan-graph.js';
import type { StateDiagram } from '../../src/report/machine-graph.js';

export interface ReadNode {
  id: string;
  label: string;
  parent?: string;
}
export interface ReadEdge {
  from: string;
  to: string;
  label: string;
}
export interface ReadGraph {
  type: string;
  nodes: ReadNode[];
  edges: ReadEdge[];
}

let loaded: Promise<Mermaid> | undefined;
function mermaid(): Promise<Mermaid> {
  loaded ??= (async () => {
    const g = globalThis as Record<string, unknown>;
    if (!g.window) {
      const { window } = new JSDOM('');
      g.window = window;
      g.document = window.document;
    }
    return (await import('mermaid')).default;
  })();
  return loaded;
}

/** Mermaid's start and end markers (`[*]`) get ids like `step1_start`, `root_end`. */
const PSEUDO_SHAPES = new Set(['stateStart', 'stateEnd']);

/** Parses a diagram with Mermaid (throws its syntax error) and returns the graph Mermaid read. */
export async function readMermaid(text: string): Promise<ReadGraph> {
  const m = await mermaid();
  const parsed = await m.parse(text);
  if (!parsed) throw new Error('mermaid did not recognise the diagram');
  const diagram = await m.mermaidAPI.getDiagramFromText(text);
  const db = diagram.db as unknown as StateDb & FlowDb;
  if (parsed.diagramType === 'stateDiagram') {
    const data = db.getData();
    const pseudo = new Set(data.nodes.filter((n) => PSEUDO_SHAPES.has(n.shape)).map((n) => n.id));
    const name = (id: string) => (pseudo.has(id) ? '[*]' : id);
    return {
      type: parsed.diagramType,
      nodes: data.nodes.filter((n) => !pseudo.has(n.id)).map((n) => ({ id: n.id, label: String(n.label), ...(n.parentId ? { parent: n.parentId } : {}) })),
      edges: data.edges.map((e) => ({ from: name(e.start), to: name(e.end), label: e.label ?? '' })),
    };
  }
  if (parsed.diagramType.startsWith('flowchart')) {
    const parents = new Map(db.getSubGraphs().flatMap((s) => s.nodes.map((n) => [n, s.id] as const)));
    return {
      type: parsed.diagramType,
      nodes: [
        ...db.getSubGraphs().map((s) => ({ id: s.id, label: s.title })),
        ...[...db.getVertices().values()].map((v) => ({ id: v.id, label: v.text ?? v.id, ...(parents.has(v.id) ? { parent: parents.get(v.id)! } : {}) })),
      ],
      edges: db.getEdges().map((e) => ({ from: e.start, to: e.end, label: e.text ?? '' })),
    };
  }
  throw new Error(`unexpected diagram type ${parsed.diagramType}`);
}

interface StateDb {
  getData(): { nodes: { id: string; label: unknown; parentId?: string; shape: string }[]; edges: { start: string; end: string; label?: string }[] };
}
interface FlowDb {
  getVertices(): Map<string, { id: string; text?: string }>;
  getEdges(): { start: string; end: string; text?: string }[];
  getSubGraphs(): { id: string; title: string; nodes: string[] }[];
}

const nodeKey = (n: ReadNode) => `${n.id} "${n.label}"${n.parent ? ` in ${n.parent}` : ''}`;
const edgeKey = (e: ReadEdge) => `${e.from} --> ${e.to}${e.label ? ` : ${e.label}` : ''}`;

/** What one list holds more often than the other (multisets: order does not matter). */
function surplus(a: string[], b: string[]): string[] {
  const left = new Map<string, number>();
  for (const k of b) left.set(k, (left.get(k) ?? 0) + 1);
  return a.filter((k) => {
    const n = left.get(k) ?? 0;
    if (n) left.set(k, n - 1);
    return !n;
  });
}

/**
 * Why Mermaid would not draw `text` as the graph that was meant: its syntax error, or each node
 * and edge it reads differently. Empty when the diagram is what was meant.
 */
export async function mermaidProblems(text: string, meant: { nodes: ReadNode[]; edges: ReadEdge[] }): Promise<string[]> {
  let read: ReadGraph;
  try {
    read = await readMermaid(text);
  } catch (e) {
    return [`not Mermaid: ${String((e as Error).message).split('\n').slice(0, 3).join(' ')}`];
  }
  const [meantNodes, readNodes] = [meant.nodes.map(nodeKey), read.nodes.map(nodeKey)];
  const [meantEdges, readEdges] = [meant.edges.map(edgeKey), read.edges.map(edgeKey)];
  return [
    ...surplus(meantNodes, readNodes).map((k) => `state meant, not read: ${k}`),
    ...surplus(readNodes, meantNodes).map((k) => `state read, not meant: ${k}`),
    ...surplus(meantEdges, readEdges).map((k) => `edge meant, not read: ${k}`),
    ...surplus(readEdges, meantEdges).map((k) => `edge read, not meant: ${k}`),
  ];
}

/** The graph a state diagram is meant to be, in the terms Mermaid reads it back in. */
export function meantState(d: StateDiagram): { nodes: ReadNode[]; edges: ReadEdge[] } {
  return {
    nodes: d.states.map((s) => ({ id: s.id, label: s.label, ...(s.parent ? { parent: s.parent } : {}) })),
    edges: d.edges.map((e) => ({ from: e.from, to: e.to, label: e.label })),
  };
}

/** The graph a flowchart is meant to be: Mermaid reads `<br/>` in a label as `<br>`. */
export function meantFlow(f: Flowchart): { nodes: ReadNode[]; edges: ReadEdge[] } {
  return {
    nodes: f.nodes.map((n) => ({ id: n.id, label: n.lines.join('<br>') })),
    edges: f.edges.map((e) => ({ from: e.from, to: e.to, label: e.label ?? '' })),
  };
}
