import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TMP, xcmAsync } from '../bin/cli-harness.ts';
import { serve } from '../server/http.ts';

describe('xcm conform on the command line', () => {
  it('exits 2 with one line for bad usage', async () => {
    for (const [args, message] of [
      [[], /^xcm: missing the URL of the implementation to test \(usage: xcm conform URL/],
      [['ftp://x'], /^xcm: field "URL": expected an http or https URL, got "ftp:\/\/x"\n$/],
      [['not a url'], /^xcm: field "URL": not a URL: "not a url"/],
      [['http://127.0.0.1:1', '--runs', '0'], /^xcm: field "--runs": expected a whole number from 1 to 100,000, got "0"\n$/],
      [['http://127.0.0.1:1', '--seed', '-3'], /^xcm: field "--seed": expected a whole number from 0 to 2,147,483,647, got "-3"\n$/],
      [['http://127.0.0.1:1', '--concurrency', '65'], /^xcm: field "--concurrency": expected a whole number from 1 to 64, got "65"\n$/],
      [['http://127.0.0.1:1', '--set', 'appCap=x'], /^xcm: .*appCap/],
    ] as const) {
      const r = await xcmAsync('conform', ...args);
      expect({ status: r.status, stdout: r.stdout }, args.join(' ')).toEqual({ status: 2, stdout: '' });
      expect(r.stderr).toMatch(message);
      expect(r.stderr.split('\n').length).toBe(2);
    }
  });

  it('exits 2 when the URL does not speak the contract, naming the request and what was wrong', async () => {
    const unreachable = await xcmAsync('conform', 'http://127.0.0.1:1');
    expect(unreachable.status).toBe(2);
    expect(unreachable.stderr).toMatch(
      /^xcm: field "URL": http:\/\/127\.0\.0\.1:1 does not speak the contract of xcm serve .*POST \/sim\/reset no answer/,
    );
    const other = createServer((_, res) => res.writeHead(404, { 'content-type': 'text/plain' }).end('no'));
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    try {
      const address = other.address();
      const url = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
      const r = await xcmAsync('conform', url, '--runs', '1');
      expect(r.status).toBe(2);
      expect(r.stderr).toBe(
        `xcm: field "URL": ${url} does not speak the contract of xcm serve (DESIGN.md, "Simulator"): POST /sim/reset answered 404, expected 204\n`,
      );
    } finally {
      await new Promise((resolve) => other.close(resolve));
    }
  });

  it('names --admin-token when /sim/ asks for one, and passes with it', async () => {
    const running = await serve({ port: 0, adminToken: 's3cret' });
    try {
      const without = await xcmAsync('conform', running.url, '--runs', '2');
      expect(without.status).toBe(2);
      expect(without.stderr).toMatch(
        /POST \/sim\/reset answered 401, expected 204: .*\(its \/sim\/ asks for a token: give --admin-token T\)\n$/,
      );
      const wrong = await xcmAsync('conform', running.url, '--runs', '2', '--admin-token', 'nope');
      expect(wrong.stderr).toMatch(/\(is --admin-token the one it was started with\?\)\n$/);
      const right = await xcmAsync('conform', running.url, '--runs', '2', '--seed', '1', '--admin-token', 's3cret');
      expect(right).toMatchObject({ status: 0, stderr: '' });
    } finally {
      await running.close();
    }
  });

  it('exits 0 with a summary, 1 with the shrunk scenario (written by --out), and --json gives the report', async () => {
    const running = await serve({ port: 0, set: ['appCap=4'] });
    try {
      const ok = await xcmAsync('conform', running.url, '--set', 'appCap=4', '--runs', '5', '--seed', '3');
      expect(ok).toMatchObject({ status: 0, stderr: '' });
      expect(ok.stdout).toMatch(/^conforms: 5 runs, 3 concurrent batches, [\d,]+ events, policy xero with appCap=4, seed 3\n$/);
      const out = join(TMP, 'conform-failure.jsonl');
      const bad = await xcmAsync('conform', running.url, '--set', 'appCap=3', '--seed', '3', '--out', out);
      expect(bad.status).toBe(1);
      expect(bad.stdout).toMatch(
        /^diverges \(sequential\): .*seed 3\nshrunk to \d+ events; step \d+ \(line \d+ of the scenario\) parts from the model:\n {2}expected rejected:app-limit\n {2}observed connected\n/,
      );
      expect(bad.stdout).toContain(`scenario written to ${out} (replay it: xcm check ${out})`);
      const header = JSON.parse(readFileSync(out, 'utf8').split('\n')[0] as string);
      expect(header).toMatchObject({ type: 'scenario', url: running.url, seed: 3, set: ['appCap=3'] });
      const check = await xcmAsync('check', out);
      expect(check.status).toBe(1);
      expect(check.stdout).toMatch(/expected rejected:app-limit, observed connected \[app-cap\]/);
      const json = await xcmAsync('conform', running.url, '--set', 'appCap=3', '--seed', '3', '--json');
      expect(json.status).toBe(1);
      const report = JSON.parse(json.stdout);
      expect(Object.keys(report)).toEqual(['ok', 'url', 'policy', 'seed', 'runs', 'events', 'batches', 'failure']);
      expect(report).toMatchObject({
        ok: false,
        url: running.url,
        seed: 3,
        batches: 0,
        failure: { kind: 'sequential', expected: 'rejected:app-limit' },
      });
      expect(Object.keys(report.failure)).toEqual(['kind', 'trace', 'step', 'expected', 'observed', 'explanation']);
    } finally {
      await running.close();
    }
  });
});
