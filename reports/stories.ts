/**
 * The stories `paths.md` tells, as data: each a start, an event alphabet and goals. The paths
 * themselves are found by @xstate/graph (`path-finder.ts`), never written here. Caps are scaled
 * down (the id of a scaled policy says so) so each graph has a few dozen states.
 * @module
 */
import type { PlatformSnapshot } from '../model/platform/machine.ts';
import { builtinPolicy } from '../model/platform/policies.ts';
import type { Policy, PolicyParameters } from '../model/platform/policy.ts';
import { heldTenants, uncertifiedAppsOn } from '../model/platform/rules.ts';
import type { PlatformEvent } from '../model/platform/transitions.ts';
import { appRecord, defaultApp, isLinked, worldOf } from '../model/world/world.ts';
import type { Goal, Story } from './path-finder.ts';

/** The one user who makes every connection in the stories. */
export const STORY_USER = 'u1';

function policy(id: string): Policy {
  const found = builtinPolicy(id);
  if (found === undefined) throw new Error(`unknown built-in policy ${id}`);
  return found;
}

/** A built-in policy with some parameters scaled down; its id names the change. */
export function scaled(id: string, changes: Partial<PolicyParameters>): Policy {
  const text = Object.entries(changes)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(', ');
  return { ...policy(id), ...changes, id: `${id} (${text})` };
}

const connect = (app: string, tenant: string): PlatformEvent => ({ type: 'connect', app, tenant, user: STORY_USER, at: null });
const disconnect = (app: string, tenant: string): PlatformEvent => ({ type: 'disconnect', app, tenant, user: STORY_USER });
const each = <T>(xs: readonly string[], ys: readonly string[], f: (x: string, y: string) => T): T[] =>
  xs.flatMap((x) => ys.map((y) => f(x, y)));

const outcomeIs = (outcome: string) => (s: PlatformSnapshot) => s.context.outcome === outcome;
const connected = (app: string, tenant: string) => (s: PlatformSnapshot) =>
  s.context.outcome === 'connected' && isLinked(s.context.world, app, tenant);
const goal = (text: string, reached: Goal['reached']): Goal => ({ text, reached });

const capStory: Story = {
  title: 'An uncertified app: its first connection, its cap, and back',
  intro:
    "One uncertified app A and three organisations, one user, under the OAuth 2.0 limits with the app's cap scaled from 25 to 2 (the path at 25 is the same, with 23 more connects).",
  policy: scaled('xero-oauth2-2019', { appCap: 2 }),
  world: worldOf({ apps: ['A'], tenants: ['T1', 'T2', 'T3'] }),
  events: [...each(['A'], ['T1', 'T2', 'T3'], connect), ...each(['A'], ['T1', 'T2', 'T3'], disconnect)],
  goals: [
    goal('A holds its cap of 2 tenants', (s) => heldTenants(s.context.world, s.context.policy, 'A') === 2),
    goal("a third tenant is refused by the app's cap", outcomeIs('rejected:app-limit')),
    goal('a disconnect frees a place, and the refused tenant T3 connects', connected('A', 'T3')),
  ],
};

const slotsStory: Story = {
  title: 'An organisation: two uncertified slots, filled and freed',
  intro:
    'Three uncertified apps A, B and C, a certified app D, and one organisation T, under the OAuth 2.0 limits at their real values (2 uncertified apps per organisation).',
  policy: policy('xero-oauth2-2019'),
  world: worldOf({ apps: ['A', 'B', 'C', { ...defaultApp('D'), certified: true, tier: 'plus' }], tenants: ['T'] }),
  events: [...each(['A', 'B', 'C', 'D'], ['T'], connect), ...each(['A', 'B', 'C'], ['T'], disconnect)],
  goals: [
    goal('T has its two uncertified apps', (s) => uncertifiedAppsOn(s.context.world, s.context.policy, 'T') === 2),
    goal("a third uncertified app is refused by the organisation's limit", outcomeIs('rejected:org-limit')),
    goal('the certified app D still connects: certified apps take no slot', connected('D', 'T')),
    goal('one uncertified app disconnects, and the refused app C connects', connected('C', 'T')),
  ],
};

const certifyStory: Story = {
  title: 'Certification: an app past its cap',
  intro:
    'One app A and three organisations, under the OAuth 2.0 limits with the uncertified cap scaled from 25 to 2. Certified apps have no cap before the 2026 tiers.',
  policy: scaled('xero-oauth2-2019', { appCap: 2 }),
  world: worldOf({ apps: ['A'], tenants: ['T1', 'T2', 'T3'] }),
  events: [...each(['A'], ['T1', 'T2', 'T3'], connect), { type: 'certify', app: 'A' }],
  goals: [
    goal('A is refused at its cap', outcomeIs('rejected:app-limit')),
    goal('A is certified; its connections stay', (s) => appRecord(s.context.world, 'A')?.certified === true),
    goal('the refused tenant T3 connects', connected('A', 'T3')),
  ],
};

const tiersStory: Story = {
  title: 'The 2026 tiers: Starter, Core, and Plus after certification',
  intro:
    'One app A, new on Starter, and three organisations, under the 2026 tiers with the caps scaled from 5, 50 and 1,000 to 1, 2 and 3.',
  policy: scaled('xero-tiers-2026', { starterCap: 1, coreCap: 2, plusCap: 3 }),
  world: worldOf({ apps: ['A'], tenants: ['T1', 'T2', 'T3'] }),
  events: [
    ...each(['A'], ['T1', 'T2', 'T3'], connect),
    { type: 'tier', app: 'A', tier: 'core' },
    { type: 'tier', app: 'A', tier: 'plus' },
    { type: 'certify', app: 'A' },
  ],
  goals: [
    goal('A on Starter is refused its second tenant', outcomeIs('rejected:app-limit')),
    goal('Plus is refused: it needs certification', outcomeIs('rejected:requirements')),
    goal('on Core, the refused tenant T2 connects', connected('A', 'T2')),
    goal("Core's cap refuses a third tenant", outcomeIs('rejected:app-limit')),
    goal('certified and on Plus, the third tenant T3 connects', connected('A', 'T3')),
  ],
};

const bugStory: Story = {
  title: 'The February 2020 bug window',
  intro:
    "One uncertified app A, two organisations and a Demo Company. The timeline switches the policy in force, and the machine's regime follows: `bugWindow` while a bug reading is in force (here the default reading, which compared the app's own tenant count with the limit of 2 apps per organisation), `normal` after the fix.",
  policy: policy('xero-oauth2-2019'),
  world: worldOf({ apps: ['A'], tenants: ['T1', 'T2', { id: 'Demo', kind: 'demo' }] }),
  events: [
    { type: 'policy', policy: policy('xero-bug-2020-02') },
    { type: 'policy', policy: policy('xero-oauth2-2019') },
    ...each(['A'], ['T1', 'T2', 'Demo'], connect),
  ],
  goals: [
    goal('the bug window opens', (s) => s.value === 'bugWindow'),
    goal('a connect no rule refuses is refused', outcomeIs('rejected:org-limit')),
    goal('the fix: the regime is normal again', (s) => s.value === 'normal'),
    goal('the same connect now succeeds', connected('A', 'Demo')),
  ],
};

/** Every story of `paths.md`, in the order the page tells them. */
export const STORIES: readonly Story[] = [capStory, slotsStory, certifyStory, tiersStory, bugStory];
