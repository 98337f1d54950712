/**
 * The start-up benchmark: the installed `xcm` (packed, installed into an empty project, run with
 * plain node) against `node -e 0`, the floor every Node program pays. Prints the medians and the
 * difference; the target is within 0.3 s of `node -e 0`.
 * @module
 */
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packAndInstall } from './packed.ts';

/** The installed `xcm` must start within this many seconds of `node -e 0`. */
const TARGET_OVER_NODE_SECONDS = 0.3;
const RUNS = 15;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/** The median wall time of a command over `RUNS` runs (after one warm-up), and its exit status. */
function timeCommand(command: string, args: readonly string[], cwd: string): { seconds: number; status: number | null } {
  spawnSync(command, args, { cwd });
  const times: number[] = [];
  let status: number | null = null;
  for (let i = 0; i < RUNS; i++) {
    const start = process.hrtime.bigint();
    status = spawnSync(command, args, { cwd, stdio: 'ignore' }).status;
    times.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  return { seconds: median(times), status };
}

/** Print the start-up figures. */
export function benchStartup(): void {
  console.log('start-up: the installed xcm (npm pack, installed into an empty project), plain node');
  const packed = packAndInstall();
  try {
    const trace = join(packed.work, 'one.jsonl');
    writeFileSync(trace, '{"type":"connect","app":"a","tenant":"t","observed":"connected"}\n');
    const floor = timeCommand(process.execPath, ['-e', '0'], packed.project);
    const rows = [
      { name: 'xcm --help', ...timeCommand(packed.xcm, ['--help'], packed.project) },
      { name: 'xcm check (a one-line trace)', ...timeCommand(packed.xcm, ['check', trace], packed.project) },
    ];
    console.log(`  ${'node -e 0'.padEnd(30)} ${floor.seconds.toFixed(3)} s (median of ${RUNS})`);
    for (const row of rows) {
      const over = row.seconds - floor.seconds;
      const verdict = over <= TARGET_OVER_NODE_SECONDS ? 'MET' : 'MISSED';
      console.log(
        `  ${row.name.padEnd(30)} ${row.seconds.toFixed(3)} s, ${(row.seconds / floor.seconds).toFixed(2)}x node -e 0, ${over < 0 ? '-' : '+'}${Math.abs(over).toFixed(3)} s (target: within +${TARGET_OVER_NODE_SECONDS} s) ${verdict}${row.status === 0 ? '' : ` (exit ${row.status})`}`,
      );
    }
  } finally {
    rmSync(packed.work, { recursive: true, force: true });
  }
}
