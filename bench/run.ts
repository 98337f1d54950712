/**
 * `npm run bench`: every benchmark section in one process. Each section prints its own figures
 * and ratios against a plain baseline; nothing here asserts a speed.
 * @module
 */
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { benchConform } from './conform.ts';
import { benchOracle } from './oracle.ts';
import { benchReports } from './reports.ts';
import { benchServe } from './serve.ts';
import { benchStartup } from './startup.ts';

const started = process.hrtime.bigint();
console.log(
  `xcm benchmarks: node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), ${process.platform} ${process.arch}`,
);
benchStartup();
console.log('');
await benchReports();
console.log('');
await benchOracle();
console.log('');
await benchServe();
console.log('');
await benchConform();

const explore = new URL('./explore.ts', import.meta.url);
if (existsSync(explore)) {
  console.log('');
  const { benchExplore } = (await import(explore.href)) as { benchExplore: () => Promise<void> };
  await benchExplore();
}
console.log(`\nbenchmarks took ${(Number(process.hrtime.bigint() - started) / 1e9).toFixed(0)} s`);
