/**
 * `xcm conform URL`: test the implementation at URL against the model, over the HTTP adapter.
 * Output only; the work is in `conform.ts`. A failure prints (or, with `--out FILE`, writes) the
 * shrunk trace as a scenario file: a header naming the URL, the policy, the overrides and the
 * seed, then each event with what the implementation answered as `observed`, so `xcm check FILE`
 * replays it against the model and shows the same divergence.
 * @module
 */
import { writeFileSync } from 'node:fs';
import { InputError, quote } from '../model/errors.ts';
import { COMMON_OPTIONS, parse, wholeNumber } from '../model/io/args.ts';
import { traceLine } from '../model/io/trace-line.ts';
import type { TraceEvent } from '../model/types.ts';
import { ContractError } from './adapter.ts';
import { type ConformReport, conform } from './conform.ts';
import { HttpAdapter } from './http-adapter.ts';

export const CONFORM_USAGE =
  'xcm conform URL [--policy ID|FILE] [--set K=V] [--runs N] [--seed S] [--concurrency K] [--admin-token T] [--out FILE] [--json]';

/** The most runs and the largest batch taken. */
const MAX_RUNS = 100_000;
const MAX_CONCURRENCY = 64;
const MAX_SEED = 2 ** 31 - 1;

/** The scenario file of a failure. */
export function failureScenario(
  report: ConformReport,
  options: { policy?: string | undefined; set?: readonly string[] | undefined },
): string {
  const failure = report.failure;
  if (failure === null) return '';
  const header: Record<string, unknown> = {
    type: 'scenario',
    title: `${report.url} parts from the model (${failure.kind})`,
    story: `Found by xcm conform with seed ${report.seed} and shrunk; each event's observed outcome is what the implementation answered. Step ${failure.step}: expected ${failure.expected}; observed ${failure.observed}.`,
    source: `xcm conform ${report.url} --seed ${report.seed}${options.policy === undefined ? '' : ` --policy ${options.policy}`}${(options.set ?? []).map((s) => ` --set ${s}`).join('')}`,
    url: report.url,
    seed: report.seed,
  };
  if (options.policy !== undefined) header.policy = options.policy;
  if (options.set !== undefined && options.set.length > 0) header.set = [...options.set];
  const lines = failure.trace.map((event: TraceEvent, i) =>
    i === failure.step - 1 && failure.explanation.startsWith('the state after')
      ? traceLine(event, `${failure.explanation}: expected ${failure.expected}; observed ${failure.observed}`)
      : traceLine(event),
  );
  return `${[JSON.stringify(header), ...lines].join('\n')}\n`;
}

function summary(r: ConformReport): string {
  const batches = r.batches === 0 ? 'no concurrent batches' : `${r.batches.toLocaleString('en')} concurrent batches`;
  return `${r.runs.toLocaleString('en')} runs, ${batches}, ${r.events.toLocaleString('en')} events, policy ${r.policy}, seed ${r.seed}`;
}

export async function conformCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(
    args,
    {
      policy: COMMON_OPTIONS.policy,
      set: COMMON_OPTIONS.set,
      runs: { type: 'string' },
      seed: { type: 'string' },
      concurrency: { type: 'string' },
      'admin-token': { type: 'string' },
      out: { type: 'string' },
      json: COMMON_OPTIONS.json,
    },
    CONFORM_USAGE,
  );
  const [url, extra] = positionals;
  if (url === undefined) throw new InputError('missing the URL of the implementation to test', { file: 'xcm' }, `usage: ${CONFORM_USAGE}`);
  if (extra !== undefined) throw new InputError(`unexpected argument ${quote(extra)}`, { file: 'xcm' }, `usage: ${CONFORM_USAGE}`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InputError(`not a URL: ${quote(url)}`, { file: 'xcm', field: 'URL' }, 'e.g. http://127.0.0.1:8080, as xcm serve prints it');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new InputError(`expected an http or https URL, got ${quote(url)}`, { file: 'xcm', field: 'URL' });
  const runs = wholeNumber(values.runs, 'runs', MAX_RUNS);
  const concurrency = wholeNumber(values.concurrency, 'concurrency', MAX_CONCURRENCY);
  const seed =
    values.seed === undefined ? undefined : /^\d+$/.test(values.seed) && Number(values.seed) <= MAX_SEED ? Number(values.seed) : Number.NaN;
  if (Number.isNaN(seed))
    throw new InputError(`expected a whole number from 0 to ${MAX_SEED.toLocaleString('en')}, got ${quote(values.seed)}`, {
      file: 'xcm',
      field: '--seed',
    });
  const adminToken = values['admin-token'];
  const base = url.replace(/\/+$/, '');
  let report: ConformReport;
  try {
    report = await conform(new HttpAdapter(base, { adminToken }), {
      policy: values.policy,
      set: values.set,
      runs,
      seed,
      concurrency,
      url: base,
    });
  } catch (error) {
    if (error instanceof ContractError) {
      const locked = / \/sim\//.test(error.request) && error.message.startsWith('answered 401');
      throw new InputError(
        `${base} does not speak the contract of xcm serve (DESIGN.md, "Simulator"): ${error.request} ${error.message}`,
        { file: 'xcm', field: 'URL' },
        locked
          ? adminToken === undefined
            ? 'its /sim/ asks for a token: give --admin-token T'
            : 'is --admin-token the one it was started with?'
          : undefined,
      );
    }
    throw error;
  }
  const scenario = failureScenario(report, { policy: values.policy, set: values.set });
  if (values.out !== undefined && report.failure !== null) {
    try {
      writeFileSync(values.out, scenario);
    } catch (error) {
      throw new InputError(`cannot write the scenario: ${(error as Error).message}`, { file: values.out, field: '--out' });
    }
  }
  if (values.json === true) {
    process.stdout.write(`${JSON.stringify(report)}\n`);
    return report.ok ? 0 : 1;
  }
  if (report.failure === null) {
    process.stdout.write(`conforms: ${summary(report)}\n`);
    return 0;
  }
  const f = report.failure;
  const out: string[] = [
    `diverges (${f.kind}): ${summary(report)}`,
    `shrunk to ${f.trace.length} event${f.trace.length === 1 ? '' : 's'}; step ${f.step} (line ${f.step + 1} of the scenario) parts from the model:`,
    `  expected ${f.expected}`,
    `  observed ${f.observed}`,
    `  ${f.explanation.replaceAll('\n', '\n  ')}`,
  ];
  if (values.out !== undefined) out.push(`scenario written to ${values.out} (replay it: xcm check ${values.out})`);
  else out.push('', scenario.trimEnd());
  process.stdout.write(`${out.join('\n')}\n`);
  return 1;
}
