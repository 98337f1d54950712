/**
 * Shortest state paths through the platform machine, found by @xstate/graph. A story is a start
 * (a policy and a world with its apps and tenants declared), a small alphabet of machine events,
 * and a sequence of goals; each goal's path is the shortest from where the previous one ended.
 * The graph search is quadratic, so stories stay tiny (one to three apps, at most four tenants,
 * one user, scaled caps); a state key that ignores connection and consent serials merges states
 * that differ only in ids, which keeps every story's graph finite.
 * @module
 */
import { getShortestPaths } from '@xstate/graph';
import { explain } from '../model/oracle/explain.ts';
import { platformMachine, type PlatformSnapshot } from '../model/platform/machine.ts';
import type { Policy } from '../model/platform/policy.ts';
import { initialSnapshot } from '../model/engine/step.ts';
import type { PlatformEvent } from '../model/platform/transitions.ts';
import { allConnections, appIds, appOf, type World } from '../model/world/world.ts';

/** One goal of a story: what the path must reach, in words and as a predicate. */
export interface Goal {
  text: string;
  reached(snapshot: PlatformSnapshot): boolean;
}

/** A story: a start, the events the search may use, and goals reached in order. */
export interface Story {
  title: string;
  intro: string;
  policy: Policy;
  world: World;
  events: readonly PlatformEvent[];
  goals: readonly Goal[];
}

/** One step of a found path: the event and what the machine did with it. */
interface PathStep {
  event: PlatformEvent;
  outcome: string;
  regime: string;
  reason: string;
}

/** The shortest path to one goal, and the size of the graph it was chosen from. */
interface FoundLeg {
  goal: string;
  steps: PathStep[];
  reachable: number;
}

/**
 * What identifies a state for the search: regime, policy, apps, live (app, tenant, user) links and
 * the last outcome. Connection ids and serials are left out, so equivalent states merge.
 */
function stateKey(snapshot: PlatformSnapshot): string {
  const { policy, world, outcome } = snapshot.context;
  const apps = appIds(world)
    .map((id) => appOf(world, id))
    .map((a) => `${a.id}:${a.certified ? 'c' : 'u'}:${a.tier}`)
    .sort();
  const links = [...allConnections(world)].map((c) => `${c.app}>${c.tenant}>${c.user}`).sort();
  return JSON.stringify([String(snapshot.value), policy.id, apps, links, outcome]);
}

/** An event in words, as the reports print it; `withUser` names the user of a connection. */
export function eventText(event: PlatformEvent, withUser = false): string {
  const user = withUser && 'user' in event ? ` (user ${event.user})` : '';
  switch (event.type) {
    case 'connect':
      return `connect ${event.app} to ${event.tenant}${user}`;
    case 'disconnect':
      return `disconnect ${event.app} from ${event.tenant}${user}`;
    case 'revoke':
      return `revoke the tokens of ${event.app}${user}`;
    case 'certify':
      return `certify ${event.app}`;
    case 'tier':
      return `move ${event.app} to ${event.tier}`;
    case 'policy':
      return `policy ${event.policy.id} comes into force`;
    case 'app':
      return `declare app ${event.app}`;
    case 'tenant':
      return `declare tenant ${event.tenant} (${event.kind})`;
    case 'consent':
      return 'open a consent';
  }
}

function stepOf(before: PlatformSnapshot, event: PlatformEvent, after: PlatformSnapshot): PathStep {
  const regime = String(after.value);
  // A policy event decides nothing; the outcome left in the context is the previous event's.
  if (event.type === 'policy')
    return { event, outcome: `regime ${regime}`, regime, reason: `its organisation check is ${event.policy.orgLimitReading}` };
  const outcome = after.context.outcome ?? 'ok';
  return { event, outcome, regime, reason: explain(before.context, event, outcome).text };
}

/** The shortest path from `from` to a state the goal accepts (ties: the machine's event order). */
function shortestLeg(from: PlatformSnapshot, story: Story, goal: Goal): { leg: FoundLeg; end: PlatformSnapshot } {
  const paths = getShortestPaths(platformMachine, { fromState: from, events: story.events, serializeState: stateKey });
  const best = paths.filter((p) => goal.reached(p.state)).sort((a, b) => a.weight - b.weight)[0];
  if (best === undefined) throw new Error(`story "${story.title}": no path reaches "${goal.text}"`);
  // steps[0] is the start (event xstate.init); each later step is an event and the state after it.
  const steps = best.steps.slice(1).map((s, i) => stepOf(best.steps[i]?.state ?? from, s.event, s.state));
  return { leg: { goal: goal.text, steps, reachable: paths.length }, end: best.state };
}

/** Walk a story: one shortest leg per goal, each starting where the previous ended. */
export function walkStory(story: Story): FoundLeg[] {
  let at = initialSnapshot({ policy: story.policy, world: story.world });
  return story.goals.map((goal) => {
    const { leg, end } = shortestLeg(at, story, goal);
    at = end;
    return leg;
  });
}
