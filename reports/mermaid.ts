/**
 * Mermaid state diagrams generated from a machine's definition: walk `machine.root`, draw every
 * leaf state and every transition that changes state, and list the transitions that keep the
 * state (the platform's whole decision logic is of that kind: actions on the context). Nothing
 * here is hand-written per machine, so a change to a machine changes its diagram.
 * @module
 */
import type { AnyStateMachine, StateNode } from 'xstate';
import { code, table } from './markdown.ts';

// biome-ignore lint/suspicious/noExplicitAny: a state node of any machine, as xstate types it
type Node = StateNode<any, any>;
type Transition = { eventType: string; guard?: unknown; actions: readonly unknown[]; target?: readonly Node[] | undefined };

/** A guard or action reference as text: its name, with parameters in parentheses. */
function refText(ref: unknown): string {
  if (typeof ref === 'string') return ref;
  if (typeof ref === 'object' && ref !== null && 'type' in ref) {
    const { type, params } = ref as { type: unknown; params?: unknown };
    const values = params !== null && typeof params === 'object' ? Object.values(params).map(String) : [];
    return values.length === 0 ? String(type) : `${String(type)}(${values.join(', ')})`;
  }
  return typeof ref === 'function' ? 'inline' : String(ref);
}

/** A node's Mermaid id: its path without the machine id, dots as underscores. */
function idOf(node: Node): string {
  return node.path.join('_');
}

function children(node: Node): Node[] {
  return Object.values(node.states) as Node[];
}

function leaves(node: Node): Node[] {
  const kids = children(node);
  return kids.length === 0 ? [node] : kids.flatMap(leaves);
}

/** Transitions defined on a node, eventless ones included (event type `always`). */
function ownTransitions(node: Node): Transition[] {
  const on = [...node.transitions.values()].flat() as Transition[];
  const always = (node.always ?? []).map((t) => ({ ...(t as Transition), eventType: 'always' }));
  return [...on, ...always];
}

/** Whether a node between `leaf` and `source` (leaf included, source excluded) handles the event. */
function handledBelow(leaf: Node, source: Node, eventType: string): boolean {
  for (let n: Node | undefined = leaf; n !== undefined && n !== source; n = n.parent as Node | undefined) {
    if (ownTransitions(n).some((t) => t.eventType === eventType)) return true;
  }
  return false;
}

function label(t: Transition): string {
  const event = t.eventType === 'always' ? 'eventless' : t.eventType;
  const guard = t.guard === undefined ? '' : ` [${refText(t.guard)}]`;
  const actions = t.actions.length === 0 ? '' : ` / ${t.actions.map(refText).join(', ')}`;
  return `${event}${guard}${actions}`;
}

/** Every transition of the machine, depth first, in definition order. */
function allTransitions(node: Node): Array<{ source: Node; t: Transition }> {
  return [...ownTransitions(node).map((t) => ({ source: node, t })), ...children(node).flatMap(allTransitions)];
}

/** The leaf a node starts in, following initial states down. */
function initialLeaf(node: Node): Node {
  const target = ((node.initial?.target ?? []) as readonly Node[])[0];
  return target === undefined ? node : initialLeaf(target);
}

/**
 * State declarations, flat: Mermaid cannot draw a transition between states of two different
 * composite states, and the lifecycle's certification does exactly that, so every leaf is drawn
 * at the top level and named by its path (`uncertified.starter`).
 */
function nodeLines(root: Node): string[] {
  const lines = [`  [*] --> ${idOf(initialLeaf(root))}`];
  for (const leaf of leaves(root)) {
    const label = leaf.path.join('.');
    lines.push(label === idOf(leaf) ? `  ${label}` : `  state "${label}" as ${idOf(leaf)}`);
  }
  return lines;
}

/** The machine as a Mermaid `stateDiagram-v2`, plus how many self-transitions were left out. */
export function mermaidDiagram(machine: AnyStateMachine): { diagram: string; selfLoops: number } {
  const root = machine.root as Node;
  const edges: string[] = [];
  let selfLoops = 0;
  for (const { source, t } of allTransitions(root)) {
    for (const target of t.target ?? []) {
      for (const leaf of leaves(source)) {
        if (source !== leaf && handledBelow(leaf, source, t.eventType)) continue;
        if (leaves(target).includes(leaf)) {
          selfLoops++;
          continue;
        }
        edges.push(`  ${idOf(leaf)} --> ${idOf(target)}: ${label(t)}`);
      }
    }
  }
  return { diagram: ['```mermaid', 'stateDiagram-v2', ...nodeLines(root), ...edges, ...decisionNotes(root), '```'].join('\n'), selfLoops };
}

/**
 * A note beside each drawn state that decides an event by transitions of its own (ones that keep
 * the state): the event and its guards in decision order. This is where a state's behaviour
 * differs from its siblings' (the bug window's organisation check).
 */
function decisionNotes(root: Node): string[] {
  return leaves(root)
    .filter((leaf) => leaf !== root)
    .flatMap((leaf) => {
      const byEvent = new Map<string, string[]>();
      for (const t of ownTransitions(leaf)) {
        if (t.target !== undefined && t.target.length > 0) continue;
        byEvent.set(t.eventType, [...(byEvent.get(t.eventType) ?? []), t.guard === undefined ? 'otherwise' : refText(t.guard)]);
      }
      return [...byEvent].map(([event, guards]) => `  note right of ${idOf(leaf)}: ${event} decided by ${guards.join(', ')}`);
    });
}

/** The transitions that keep the machine in its state (no target), as a table in decision order. */
export function keepStateTable(machine: AnyStateMachine): string | null {
  const all = allTransitions(machine.root as Node);
  const guardText = (source: Node, t: Transition): string => {
    if (t.guard !== undefined) return code(refText(t.guard));
    const earlier = all.find((o) => o.source === source && o.t.eventType === t.eventType);
    return earlier?.t === t ? 'none' : 'otherwise';
  };
  const rows = all
    .filter(({ t }) => t.target === undefined || t.target.length === 0)
    .map(({ source, t }) => [
      source === machine.root ? '(any state)' : source.path.join('.'),
      code(t.eventType),
      guardText(source, t),
      t.actions.length === 0 ? 'nothing' : t.actions.map((a) => code(refText(a))).join(', '),
    ]);
  return rows.length === 0 ? null : table(['in state', 'event', 'guard (first that holds wins)', 'actions'], rows);
}
