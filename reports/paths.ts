/**
 * `paths.md`: the state paths of the model, found by @xstate/graph on the machines themselves,
 * and a Mermaid diagram of each machine generated from its definition.
 * @module
 */
import { getShortestPaths } from '@xstate/graph';
import { appLifecycleMachine, type LifecycleEvent } from '../model/platform/lifecycle.ts';
import { platformMachine } from '../model/platform/machine.ts';
import { TIERS } from '../model/types.ts';
import { code, count, page, table } from './markdown.ts';
import { keepStateTable, mermaidDiagram } from './mermaid.ts';
import { eventText, walkStory, type Story } from './path-finder.ts';
import { STORIES, STORY_USER } from './stories.ts';

const INTRO = `How the model's state machines move, step by step. The model has two machines: the
**platform machine** decides every connect, disconnect, revoke, certification and tier change,
and switches between a normal regime and the February 2020 bug window; the **app lifecycle
machine** says which certification and tier states an app may be in. Each path below is the
shortest one that @xstate/graph's \`getShortestPaths\` finds on the platform machine from a small
start (a few apps and tenants, caps scaled down where the real ones would make long paths; the
policy's name says so). Each step gives the event, the outcome the platform gives, and the
model's reason with the counts behind it. One user, ${STORY_USER}, makes every connection; the
\`consent\` event that opens each consent of a trace is left out, as it decides nothing.`;

function storySection(story: Story): string {
  const parts = [`### ${story.title}`, story.intro];
  let n = 0;
  for (const leg of walkStory(story)) {
    const steps = leg.steps.length === 1 ? '1 event' : `${leg.steps.length} events`;
    parts.push(
      `**${leg.goal[0]?.toUpperCase()}${leg.goal.slice(1)}** (${steps}; the shortest among ${count(leg.reachable)} states reachable from where it starts)`,
    );
    parts.push(leg.steps.map((s) => `${++n}. ${eventText(s.event)} → **${s.outcome}** — ${s.reason}.`).join('\n'));
  }
  return parts.join('\n\n');
}

function platformSection(): string {
  const { diagram } = mermaidDiagram(platformMachine);
  return [
    '### The platform machine',
    "Its states are the regime. It is in `bugWindow` exactly while the policy in force is a reading of the February 2020 bug; the regime follows the policy through eventless transitions. Each regime decides a connect by transitions of its own (the notes): `normal` by the rules, `bugWindow` by the bug's organisation check (`bugAppLimitRefuses`, `bugOrgLimitRefuses`), which is where the bug lives.",
    diagram,
    'Every event is decided by transitions that keep the regime and change the context (the world of apps, tenants and connections): on the machine itself, or, for a connect, on the regime. For each event the machine tries them in this order; the first whose guard holds is taken:',
    keepStateTable(platformMachine) ?? '',
  ].join('\n\n');
}

function lifecycleState(value: unknown): string {
  const [status, tier] = Object.entries(value as Record<string, string>)[0] ?? ['?', '?'];
  return `${status}.${tier}`;
}

const LIFECYCLE_EVENTS: readonly LifecycleEvent[] = [{ type: 'certify' }, ...TIERS.map((tier) => ({ type: 'tier' as const, tier }))];

function lifecycleEventText(event: LifecycleEvent): string {
  return event.type === 'certify' ? 'certify' : `tier ${event.tier}`;
}

function lifecycleSection(): string {
  const { diagram, selfLoops } = mermaidDiagram(appLifecycleMachine);
  const kept = keepStateTable(appLifecycleMachine);
  const rows = getShortestPaths(appLifecycleMachine, { events: LIFECYCLE_EVENTS }).map((path) => {
    const events = path.steps.slice(1).map((s) => code(lifecycleEventText(s.event)));
    const refused = LIFECYCLE_EVENTS.filter((e) => appLifecycleMachine.getTransitionData(path.state, e).length === 0);
    return [
      code(lifecycleState(path.state.value)),
      events.length === 0 ? '(a new app)' : events.join(', '),
      refused.map((e) => code(lifecycleEventText(e))).join(', ') || 'none',
    ];
  });
  return [
    '### The app lifecycle machine',
    'A new app is uncertified on Starter. Certification keeps the tier; Plus, Advanced and Enterprise need certification; nothing withdraws a certification.',
    diagram,
    `Not drawn: ${selfLoops} transitions that return to the state they leave (a tier event asking for the tier the app already has).${kept === null ? '' : ' Transitions that keep the state:'}`,
    ...(kept === null ? [] : [kept]),
    'The shortest path to each lifecycle state from a new app, and the events the machine refuses there (the platform answers them `rejected:requirements`):',
    table(['state', 'shortest path', 'refused there'], rows),
  ].join('\n\n');
}

/** The text of `paths.md`. */
export function pathsReport(): string {
  return page('State paths of the connection model', INTRO, [
    '## The machines',
    platformSection(),
    lifecycleSection(),
    '## Paths',
    ...STORIES.map(storySection),
  ]);
}
