/**
 * The sample world of `xcm serve --seed-world` (`npm run serve`): the apps and organisations of the
 * forum thread's scenarios (`scenarios/twenty-vs-twenty-five.jsonl`, `bug-window-demo-company.jsonl`),
 * declared through the same operations as `PUT /sim/apps` and `PUT /sim/tenants`, once: a database
 * that already holds an app is left as it is.
 * @module
 */
import type { Simulator } from './simulator.ts';

export const SEED_APPS = ['tims-app', 'rodneys-app'] as const;
export const SEED_TENANTS: ReadonlyArray<{ name: string; kind?: 'demo' }> = [
  ...Array.from({ length: 26 }, (_, i) => ({ name: `org-${String(i + 1).padStart(2, '0')}` })),
  { name: 'test-org-1' },
  { name: 'test-org-2' },
  { name: 'demo-company', kind: 'demo' },
];

export function seedWorld(sim: Simulator): void {
  if ((sim.state().body as { apps: unknown[] }).apps.length > 0) return;
  for (const app of SEED_APPS) sim.putApp(app, {});
  for (const t of SEED_TENANTS) sim.putTenant(t.name, t.kind === undefined ? {} : { kind: t.kind });
}
