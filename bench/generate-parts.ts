/**
 * Small parts of the benchmark trace generator: a seeded PRNG, the set of live connections it
 * tracks to aim disconnects and revocations, and the clock that spreads events over the years.
 * @module
 */

/** A seeded PRNG (mulberry32): the same seed gives the same numbers in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One element of a non-empty list, chosen uniformly. */
export function pick<T>(list: readonly T[], rand: () => number): T {
  return list[Math.floor(rand() * list.length)] as T;
}

/** The live (app, tenant, user) connections as the generator saw them, with O(1) random choice. */
export class LiveSet {
  private readonly list: Array<[string, string, string]> = [];
  private readonly index = new Map<string, number>();
  private readonly byAppUser = new Map<string, Set<string>>();

  /** Record a new connection. */
  add(app: string, tenant: string, user: string): void {
    const key = `${app}\u0000${tenant}\u0000${user}`;
    if (this.index.has(key)) return;
    this.index.set(key, this.list.length);
    this.list.push([app, tenant, user]);
    const au = `${app}\u0000${user}`;
    let set = this.byAppUser.get(au);
    if (set === undefined) {
      set = new Set();
      this.byAppUser.set(au, set);
    }
    set.add(tenant);
  }

  /** Forget a connection. */
  remove(app: string, tenant: string, user: string): void {
    const key = `${app}\u0000${tenant}\u0000${user}`;
    const i = this.index.get(key);
    if (i === undefined) return;
    const last = this.list.pop() as [string, string, string];
    if (i < this.list.length) {
      this.list[i] = last;
      this.index.set(last.join('\u0000'), i);
    }
    this.index.delete(key);
    this.byAppUser.get(`${app}\u0000${user}`)?.delete(tenant);
  }

  /** Forget every connection of a user to an app. */
  revoke(app: string, user: string): void {
    for (const tenant of [...(this.byAppUser.get(`${app}\u0000${user}`) ?? [])]) this.remove(app, tenant, user);
  }

  /** A live connection chosen uniformly, or null when none is live. */
  random(rand: () => number): [string, string, string] | null {
    return this.list.length === 0 ? null : pick(this.list, rand);
  }

  /** How many connections are live. */
  get size(): number {
    return this.list.length;
  }
}

/**
 * The clock of the trace: event i of n at a time that grows from `start` to `end`, with
 * `bugEvents` of them packed into the bug window so the timeline visits it for a while.
 */
export class NzTime {
  constructor(
    private readonly start: number,
    private readonly end: number,
    private readonly bugStart: number,
    private readonly bugEnd: number,
    private readonly bugEvents: number,
  ) {}

  /** The time of event i of n (milliseconds since the epoch). */
  at(i: number, n: number): number {
    const before = this.bugStart - this.start;
    const after = this.end - this.bugEnd;
    const rest = n - this.bugEvents;
    const n1 = Math.round((rest * before) / (before + after));
    if (i < n1) return this.start + Math.floor((before * i) / n1);
    if (i < n1 + this.bugEvents) return this.bugStart + Math.floor(((this.bugEnd - this.bugStart) * (i - n1)) / this.bugEvents);
    return this.bugEnd + Math.floor((after * (i - n1 - this.bugEvents)) / Math.max(1, rest - n1));
  }

  /** The time as ISO 8601: in UTC, or in New Zealand time (+13:00, the offset of the window). */
  format(ms: number, rand: () => number): string {
    if (rand() < 0.5) return new Date(ms).toISOString();
    return `${new Date(ms + 13 * 3600_000).toISOString().slice(0, 19)}+13:00`;
  }
}
