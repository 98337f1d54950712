/**
 * `policies.md`: every built-in policy side by side (caps, what counts, assumptions, dates,
 * sources), the timeline, and the shortest trace that tells consecutive policies apart.
 * @module
 */
import { BUILTIN_POLICIES } from '../model/platform/policies.ts';
import { PARAMETERS, type ParameterDoc, type Policy, type PolicyParameters } from '../model/platform/policy.ts';
import { ERAS, TIERS_REGISTRATION_CUTOFF } from '../model/platform/timeline.ts';
import { differenceSections } from './policy-diffs.ts';
import { tierImpactSection } from './tier-impact.ts';
import { code, count, page, table } from './markdown.ts';

const INTRO = `Which limits Xero applied, when, and on what evidence. A **policy** is one version of
the rules as data: the caps, what counts toward them, and a named assumption for every point the
public sources leave open. The model never hard-codes a number; it reads the policy in force.
The **timeline** picks the policy in force for an event from its date. For each pair of policies
that follow each other, the last section gives the shortest sequence of events after which they
give a different answer, found by searching both models at once. Sources are labelled as in the
RULES.md: [DOC] Xero documentation, [STAFF] a Xero staff member, [3P] a third party,
[NOTES] someone's notes quoting a Xero page.`;

/** The policy the others are compared with: values that differ from it are in bold. */
const BASELINE = 'xero-oauth2-2019';

/** How the side-by-side tables group the parameters; any parameter not named here goes last. */
const GROUPS: ReadonlyArray<{ title: string; keys: ReadonlyArray<keyof PolicyParameters> }> = [
  {
    title: 'Caps',
    keys: ['appCap', 'orgCap', 'certifiedCap', 'customCap', 'tiered', 'starterCap', 'coreCap', 'plusCap', 'advancedCap', 'enterpriseCap'],
  },
  { title: 'What counts', keys: ['demoCountsTowardAppCap', 'demoSubjectToOrgLimit', 'orgLimitReading'] },
  {
    title: 'Assumptions where the sources are silent',
    keys: ['reconsentAtCap', 'reconsentKeepsConnectionId', 'reconsentTakesNewAuthEvent', 'checkOrder'],
  },
];

/** A policy's short column header: its id without the common `xero-` prefix. */
function shortId(policy: Policy): string {
  return policy.id.replace(/^xero-/, '');
}

function valueText(doc: ParameterDoc, value: unknown): string {
  if (value === null) return 'unlimited';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'number') return count(value);
  return doc.kind === 'enum' ? code(String(value)) : String(value);
}

function parameterRow(doc: ParameterDoc): string[] {
  const baseline = BUILTIN_POLICIES.find((p) => p.id === BASELINE);
  const values = BUILTIN_POLICIES.map((p) => {
    const text = valueText(doc, p[doc.key]);
    return baseline !== undefined && p[doc.key] !== baseline[doc.key] ? `**${text}**` : text;
  });
  return [code(doc.key), doc.meaning, ...values, doc.why];
}

function sideBySide(): string[] {
  const named = new Set<string>(GROUPS.flatMap((g) => g.keys));
  const groups = [...GROUPS, { title: 'Other parameters', keys: PARAMETERS.map((p) => p.key).filter((k) => !named.has(k)) }];
  const head = ['parameter', 'meaning', ...BUILTIN_POLICIES.map(shortId), 'why this value'];
  return groups
    .filter((g) => g.keys.length > 0)
    .flatMap((g) => {
      const docs = g.keys.map((k) => PARAMETERS.find((p) => p.key === k)).filter((d): d is ParameterDoc => d !== undefined);
      return [`### ${g.title}`, table(head, docs.map(parameterRow))];
    });
}

function overview(): string {
  return table(
    ['policy', 'what it is', 'in force'],
    BUILTIN_POLICIES.map((p) => [code(p.id), p.title, p.inForce]),
  );
}

function sources(): string {
  return BUILTIN_POLICIES.map((p) => [`**${code(p.id)}**`, ...p.sources.map((s) => `- ${s}`)].join('\n')).join('\n\n');
}

function timeline(): string {
  const rows = ERAS.map((era) => [era.from ?? '(start)', era.until ?? '(open)', code(era.policyId), era.note]);
  return [
    table(['from', 'until (exclusive)', 'policy', 'note'], rows),
    `An app registered on or after ${TIERS_REGISTRATION_CUTOFF} is on ${code('xero-tiers-2026')} from registration. An event without a time falls in the newest era.`,
  ].join('\n\n');
}

/** The text of `policies.md`. */
export function policiesReport(scenarioDir: string): string {
  return page('Policies: the limits over time, side by side', INTRO, [
    '## The built-in policies',
    overview(),
    '## Side by side',
    `Each parameter with its value under every policy (bold: differs from ${code(BASELINE)}) and the reason for the value, from the sources or, where they are silent, as a stated assumption.`,
    ...sideBySide(),
    '## Sources',
    sources(),
    '## The timeline `xero`',
    timeline(),
    ...differenceSections(),
    ...tierImpactSection(scenarioDir),
  ]);
}
