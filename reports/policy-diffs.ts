/**
 * The "what changes" part of `policies.md`: for each pair of policies that follow each other on
 * the timeline (and the App Partner page's claim against the OAuth 2.0 limits it misstated), the
 * shortest trace on which they differ, from `diffPolicies`, replayed under both policies so every
 * step shows both outcomes.
 * @module
 */
import { diffPolicies, type DiffResult } from '../model/search/diff.ts';
import { Driver } from '../model/engine/driver.ts';
import { builtinPolicy } from '../model/platform/policies.ts';
import type { Policy } from '../model/platform/policy.ts';
import { compiledEngine } from '../model/engine/step.ts';
import { ERAS } from '../model/platform/timeline.ts';
import type { TraceEvent } from '../model/types.ts';
import { code, table } from './markdown.ts';

/** Pairs compared: the partner page's claim, then each change of era on the timeline. */
function comparedPairs(): Array<[string, string]> {
  const pairs: Array<[string, string]> = [['xero-partner-page-2019', 'xero-oauth2-2019']];
  for (let i = 1; i < ERAS.length; i++) {
    const before = ERAS[i - 1]?.policyId;
    const after = ERAS[i]?.policyId;
    if (before !== undefined && after !== undefined && before !== after) pairs.push([before, after]);
  }
  return pairs;
}

function policy(id: string): Policy {
  const found = builtinPolicy(id);
  if (found === undefined) throw new Error(`unknown built-in policy ${id}`);
  return found;
}

/** The outcomes of each event of a trace under one fixed policy. */
function outcomesUnder(policy: Policy, trace: readonly TraceEvent[]): string[] {
  const driver = new Driver(compiledEngine({ policy }), () => policy);
  return trace.map((event) => driver.apply(event).outcomes.join(', '));
}

/** A trace event in words. */
function traceEventText(event: TraceEvent): string {
  const user = 'user' in event && event.user !== undefined ? ` (user ${event.user})` : '';
  switch (event.type) {
    case 'connect':
      return `connect ${event.app} to ${event.tenants.join(', ')}${user}`;
    case 'disconnect':
      return `disconnect ${event.app} from ${event.tenant}${user}`;
    case 'revoke':
      return `revoke the tokens of ${event.app}${user}`;
    case 'certify':
      return `certify ${event.app}`;
    case 'tier':
      return `move ${event.app} to ${event.tier}`;
    case 'tenant':
      return `declare tenant ${event.tenant}${event.kind === undefined ? '' : ` (${event.kind})`}`;
    case 'app': {
      const { type: _t, app, at: _a, observed: _o, ...fields } = event;
      const text = Object.entries(fields)
        .map(([k, v]) => `${k} ${String(v)}`)
        .join(', ');
      return `declare app ${app}${text === '' ? '' : ` (${text})`}`;
    }
  }
}

interface Row {
  first: number;
  last: number;
  text: string;
  a: string;
  b: string;
}

/** One connect of one app to one new tenant, by the same user: such runs are folded into a row. */
function foldable(previous: TraceEvent | undefined, event: TraceEvent): boolean {
  return (
    previous?.type === 'connect' &&
    event.type === 'connect' &&
    previous.app === event.app &&
    previous.user === event.user &&
    previous.tenants.length === 1 &&
    event.tenants.length === 1
  );
}

function rows(trace: readonly TraceEvent[], a: readonly string[], b: readonly string[]): Row[] {
  const out: Array<Row & { tenants: string[] }> = [];
  trace.forEach((event, i) => {
    const last = out[out.length - 1];
    const same = last !== undefined && last.a === a[i] && last.b === b[i];
    if (same && foldable(trace[i - 1], event) && event.type === 'connect') {
      last.last = i;
      last.tenants.push(...event.tenants);
      return;
    }
    out.push({
      first: i,
      last: i,
      text: traceEventText(event),
      a: a[i] ?? '',
      b: b[i] ?? '',
      tenants: event.type === 'connect' ? [...event.tenants] : [],
    });
  });
  return out.map((r) => {
    if (r.last === r.first) return r;
    const event = trace[r.first];
    const app = event?.type === 'connect' ? event.app : '';
    const tenants =
      r.tenants.length <= 3 ? r.tenants.join(', ') : `${r.tenants[0]}, ${r.tenants[1]}, …, ${r.tenants[r.tenants.length - 1]}`;
    return { ...r, text: `connect ${app} to ${tenants}, one consent each (${r.last - r.first + 1} events)` };
  });
}

function boundsText(bounds: DiffResult['bounds']): string {
  return Object.entries(bounds)
    .map(([k, v]) => `${k} ${String(v)}`)
    .join(', ');
}

/** The section for one pair. */
function pairSection(idA: string, idB: string): string {
  const a = policy(idA);
  const b = policy(idB);
  const result = diffPolicies(a, b);
  const title = `### ${code(idA)} → ${code(idB)}`;
  if (result.equivalent)
    return `${title}\n\nThey give the same outcome on every event sequence within the bounds (${boundsText(result.bounds)}).`;
  const outcomesA = outcomesUnder(a, result.trace);
  const outcomesB = outcomesUnder(b, result.trace);
  const n = result.trace.length;
  const body = rows(result.trace, outcomesA, outcomesB).map((r) => [
    r.first === r.last ? String(r.first + 1) : `${r.first + 1}–${r.last + 1}`,
    r.text,
    r.a === r.b ? r.a : `**${r.a}**`,
    r.a === r.b ? r.b : `**${r.b}**`,
  ]);
  const diff = result.difference;
  const summary = diff === null ? '' : ` At the last event ${code(idA)} gives ${code(diff.a)} and ${code(idB)} gives ${code(diff.b)}.`;
  return [
    title,
    `The shortest trace on which they differ has ${n} event${n === 1 ? '' : 's'}.${summary} Search bounds: ${boundsText(result.bounds)}.`,
    table(['#', 'event', idA, idB], body),
  ].join('\n\n');
}

/** Every pair's section, under one heading. */
export function differenceSections(): string[] {
  return [
    '## What changes between consecutive policies',
    'Each table is a trace that can be saved as a scenario file as is: the events in order, with the outcome under each policy (bold where they differ). Runs of connects of one app to new tenants are folded into one row.',
    ...comparedPairs().map(([a, b]) => pairSection(a, b)),
  ];
}
