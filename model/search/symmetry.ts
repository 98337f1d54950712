/**
 * Compact state keys for exhaustive search, with symmetry reduction.
 *
 * A key is built from a state's code (`state-code.ts`): which (app, tenant, user) connections
 * exist and each app's lifecycle, nothing else.
 *
 * Symmetry: apps of the same kind are interchangeable, tenants of the same kind too, and users
 * all (no rule names an id). The symmetric key of a state is the least encoding over the
 * renamings that order apps by a rename-free fingerprint (kind, lifecycle, tenants held,
 * connections) and users by their number of connections; tenants are then ordered by sorting their
 * signatures. Every state of one orbit gets the same key, and equal keys mean states that are
 * renamings of each other, so the search visits one state per orbit and loses no behaviour.
 * When the ties left would need more than `MAX_CANDIDATES` renamings, the first is taken: still
 * sound (equal keys are still renamings), only less reduced; no bound in the tests comes near.
 * @module
 */
import type { Arena } from './bounds.ts';
import { APP_KINDS } from './bounds.ts';
import { InputError } from '../errors.ts';
import { LIFE_BITS, WorldCoder, type Code } from './state-code.ts';
import { TENANT_KINDS } from '../types.ts';
import type { World } from '../world/world.ts';
import type { Classes } from './tenant-classes.ts';

export type { Code } from './state-code.ts';

/** Renamings tried per state before settling for a sound, less reduced key. */
const MAX_CANDIDATES = 5040;

function permutations(items: readonly number[]): number[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((x, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [x, ...rest]));
}

/** Appends a digit of a known width as 16-bit character codes, lowest first (a key too long for a number). */
function pushDigit(digits: number[], digit: number, width: number): void {
  let d = digit;
  for (let w = width; w > 0; w -= 16) {
    digits.push(d % 65536);
    d = Math.floor(d / 65536);
  }
}

/** Where tuples of lifecycles get their numbers in keys (`SharedNumbers`). */
export interface LifeNumbers {
  /** The number of `lives`, given now if first met; undefined when the numbers have run out. */
  numberOf(lives: number): number | undefined;
}

/** Computes codes of worlds and keys of tuples of states (one state, or the pair of a diff). */
export class StateKeys {
  private readonly apps: number;
  private readonly tenants: number;
  private readonly users: number;
  private readonly coder: WorldCoder;
  private readonly appClass: number[];
  private readonly tenantClass: number[];
  private readonly cellBits: number;
  private readonly userPerms: Array<{ order: number[]; table: number[] }>;
  // Scratch arrays, reused by every key (the search is single-threaded).
  private readonly appSort: number[];
  private readonly held: number[];
  private readonly identity: number[];
  private readonly sigs: number[];
  private readonly order: number[];
  private readonly candidate: number[];
  private readonly best: number[];
  private readonly groupStart: number[];
  private readonly groupPerms: number[][][];
  private readonly groupAt: number[];
  private readonly digits: number[] = [];
  /** 2^cellBits: the base of a tenant's signature, one digit per app. */
  private readonly cellBase: number;
  /** 2^(lifecycle bits of a key): the base of the lifecycles in a key, and of an app's kind in its fingerprint. */
  private readonly lifeBase: number;
  /** The base of the tenants' signatures in a key: 2^(2 + apps x cellBits). */
  private readonly sigBase: number;
  /**
   * Without renaming, when a key is a number: the weight of each cell, then of each lifecycle,
   * in it (the cells in base 2^cellBits, below the lifecycles in base 2^lifeBits); null when a
   * key is too long for a number.
   */
  private readonly weights: readonly number[] | null;
  /** How many tuples of lifecycles a number key has room for (`numberedLives`). */
  private readonly lifeNumberLimit: number;
  /** The one user renaming when there is one user. */
  private readonly oneUser: number[][];
  /** Per cell value, its connections of each user packed in base 1025 (`userCandidates`). */
  private readonly userShares: Float64Array;
  /** Per tenant, the square of the number of apps on it (scratch of `symmetricKey`). */
  private readonly shared: Int32Array;
  /** Scratch of `representatives`. */
  private readonly reps: { apps: Int32Array; tenants: Int32Array; users: Int32Array };
  /** Tuples of lifecycles met in keys, numbered in the order first met (`numberedLives`), by this thread alone. */
  private readonly lifeNumbers = new Map<number, number>();
  /** The user renamings for each vector of connection counts (`usersOrderedBy`), by the packed vector. */
  private readonly userTables = new Map<number, number[][]>();
  /**
   * The last tuple of lifecycles numbered and its number, and the last packed vector of
   * connection counts and its user renamings: the successors of one state mostly share both.
   */
  private lastLives = -1;
  private lastLivesNumber: number | undefined = undefined;
  private lastPacked = -1;
  private lastUserTables: number[][] = [];

  /**
   * `worlds`: how many states a key covers (1 for the explorer, 2 for the product of a diff);
   * `numbers`: where tuples of lifecycles get their numbers, when not in this thread alone (a
   * search several threads run, `shared-keys.ts`).
   */
  constructor(
    readonly arena: Arena,
    readonly symmetry: boolean,
    private readonly worlds: number,
    private readonly numbers?: LifeNumbers,
  ) {
    this.apps = arena.appIds.length;
    this.tenants = arena.tenantIds.length;
    this.users = arena.userIds.length;
    this.coder = new WorldCoder(arena);
    this.appClass = arena.appKinds.map((k) => APP_KINDS.indexOf(k));
    this.tenantClass = arena.tenantKinds.map((k) => TENANT_KINDS.indexOf(k));
    this.cellBits = this.users * worlds;
    // A tenant's signature (kind and one cell per app) must be an exact number.
    if (2 + this.apps * this.cellBits > 52) {
      const users = `${this.users} user${this.users === 1 ? '' : 's'}`;
      throw new InputError(
        `expected a whole number from 1 to ${Math.floor(50 / this.cellBits)} with ${users}${worlds > 1 ? ' in a diff' : ''}, got ${this.apps}`,
        { field: '--apps' },
        `a state key holds at most 50 app x user${worlds > 1 ? ' x policy' : ''} cells`,
      );
    }
    this.shared = new Int32Array(this.tenants);
    this.reps = { apps: new Int32Array(this.apps), tenants: new Int32Array(this.tenants), users: new Int32Array(this.users) };
    this.appSort = new Array<number>(this.apps).fill(0);
    this.held = new Array<number>(this.apps).fill(0);
    this.identity = arena.appIds.map((_, i) => i);
    this.sigs = new Array<number>(this.tenants).fill(0);
    this.order = this.identity.slice();
    this.candidate = this.identity.slice();
    this.best = new Array<number>(this.tenants).fill(0);
    this.groupStart = new Array<number>(this.apps).fill(0);
    this.groupPerms = new Array<number[][]>(this.apps).fill([]);
    this.groupAt = new Array<number>(this.apps).fill(0);
    // For each renaming of users: new position -> old user, and the combined cell it maps to.
    this.userPerms = permutations(arena.userIds.map((_, i) => i)).map((order) => ({
      order,
      table: Array.from({ length: 2 ** this.cellBits }, (_, cell) => {
        let mapped = 0;
        for (let w = 0; w < worlds; w++) {
          order.forEach((old, pos) => {
            if (cell & (1 << (old + this.users * w))) mapped |= 1 << (pos + this.users * w);
          });
        }
        return mapped;
      }),
    }));
    this.cellBase = 2 ** this.cellBits;
    this.lifeBase = 2 ** (LIFE_BITS * worlds);
    this.sigBase = 2 ** (2 + this.apps * this.cellBits);
    this.lifeNumberLimit = 2 ** Math.max(0, 52 - this.tenants * (2 + this.apps * this.cellBits));
    const C = this.apps * this.tenants;
    this.weights =
      this.apps * LIFE_BITS * worlds + C * this.cellBits > 52
        ? null
        : [
            ...Array.from({ length: C }, (_, i) => this.cellBase ** (C - 1 - i)),
            ...Array.from({ length: this.apps }, (_, a) => this.lifeBase ** (this.apps - 1 - a) * this.cellBase ** C),
          ];
    this.oneUser = [this.userPerms[0]?.table ?? []];
    // At most 8 apps x 64 tenants x 2 worlds = 1,024 connections per user: a digit below 1025.
    this.userShares = new Float64Array(2 ** this.cellBits);
    for (let c = 0; c < this.userShares.length; c++) {
      let share = 0;
      for (let u = 0; u < this.users; u++) {
        let n = 0;
        for (let w = 0; w < worlds; w++) if (c & (1 << (u + this.users * w))) n++;
        share += n * 1025 ** (this.users - 1 - u);
      }
      this.userShares[c] = share;
    }
  }

  /**
   * Whether every key is a whole number (a string only once the numbers of tuples of lifecycles
   * run out): what a set of keys shared by threads needs. False when a key
   * may be a string anyway (a code too long for a number).
   */
  numberKeys(): boolean {
    if (!this.symmetry) return this.weights !== null;
    const lifeBits = LIFE_BITS * this.worlds;
    const sigBits = 2 + this.apps * this.cellBits;
    return this.apps * lifeBits + this.tenants * sigBits <= 52 || (this.apps * lifeBits <= 52 && this.tenants * sigBits < 52);
  }

  /** The code of a world; rows and lifecycles unchanged since `previous` are reused. */
  code(world: World, previous?: { world: World; code: Code }): Code {
    return this.coder.code(world, previous);
  }

  /** `code` written into `out` (see `WorldCoder.codeInto`). */
  codeInto(world: World, previous: { world: World; code: Code } | undefined, out: Code): Code {
    return this.coder.codeInto(world, previous, out);
  }

  /**
   * For each app, tenant and user, the first one it is interchangeable with in this state (itself
   * when none): of the same kind, and with the same lifecycle and connections (apps: equal rows;
   * tenants: equal columns; users: the same cells). Exchanging two such names leaves the state
   * as it is, so a move that names one plays, up to that renaming, as the same move naming the
   * first, and reaches a state of the same orbit. One state's code (`worlds` 1); the arrays are
   * scratch, valid until the next call.
   */
  representatives(code: Code): { apps: Int32Array; tenants: Int32Array; users: Int32Array } {
    const A = this.apps;
    const T = this.tenants;
    const { life, cells } = code;
    const { apps, tenants, users } = this.reps;
    for (let a = 0; a < A; a++) {
      apps[a] = a;
      for (let b = 0; b < a; b++) {
        if (apps[b] !== b || this.appClass[b] !== this.appClass[a] || life[b] !== life[a]) continue;
        let t = 0;
        while (t < T && cells[a * T + t] === cells[b * T + t]) t++;
        if (t === T) {
          apps[a] = b;
          break;
        }
      }
    }
    for (let t = 0; t < T; t++) {
      tenants[t] = t;
      for (let s = 0; s < t; s++) {
        if (tenants[s] !== s || this.tenantClass[s] !== this.tenantClass[t]) continue;
        let a = 0;
        while (a < A && cells[a * T + t] === cells[a * T + s]) a++;
        if (a === A) {
          tenants[t] = s;
          break;
        }
      }
    }
    for (let u = 0; u < this.users; u++) {
      users[u] = u;
      for (let v = 0; v < u; v++) {
        if (users[v] !== v) continue;
        let i = 0;
        while (i < cells.length && (((cells[i] ?? 0) >>> u) & 1) === (((cells[i] ?? 0) >>> v) & 1)) i++;
        if (i === cells.length) {
          users[u] = v;
          break;
        }
      }
    }
    return this.reps;
  }

  /** The key of a tuple of codes (as many as `worlds`). */
  key(codes: readonly Code[]): number | string {
    let life: number[];
    let cells: number[];
    const only = codes.length === 1 ? codes[0] : undefined;
    if (only !== undefined) {
      ({ life, cells } = only);
    } else {
      life = new Array<number>(this.apps).fill(0);
      cells = new Array<number>(this.apps * this.tenants).fill(0);
      codes.forEach((c, w) => {
        for (let a = 0; a < this.apps; a++) life[a] = (life[a] ?? 0) * 2 ** LIFE_BITS + (c.life[a] ?? 0);
        for (let i = 0; i < cells.length; i++) cells[i] = (cells[i] ?? 0) | ((c.cells[i] ?? 0) << (this.users * w));
      });
    }
    return this.symmetry ? this.symmetricKey(life, cells) : this.plainKey(life, cells);
  }

  /** The key of one state's code (`key([code])` without the tuple). */
  keyOf(code: Code): number | string {
    return this.symmetry ? this.symmetricKey(code.life, code.cells) : this.plainKey(code.life, code.cells);
  }

  /**
   * When keys are numbers without symmetry: the weight of each position of a flat code (cells,
   * then lifecycles, as `move-memo.ts` lays it out) in the key, so that the key of a code is
   * the sum of its values times their weights, and a change of some positions changes the key
   * by their differences times their weights. Null when keys are renamed or strings.
   */
  plainWeights(): readonly number[] | null {
    return this.symmetry || this.worlds !== 1 ? null : this.weights;
  }

  private plainKey(life: readonly number[], cells: readonly number[]): number | string {
    const weights = this.weights;
    if (weights !== null) {
      const C = cells.length;
      let n = 0;
      for (let i = 0; i < C; i++) n += (cells[i] as number) * (weights[i] as number);
      for (let a = 0; a < life.length; a++) n += (life[a] as number) * (weights[C + a] as number);
      return n;
    }
    const lifeBits = LIFE_BITS * this.worlds;
    const digits = this.digits;
    digits.length = 0;
    for (const l of life) pushDigit(digits, l, lifeBits);
    for (const c of cells) pushDigit(digits, c, this.cellBits);
    return String.fromCharCode(...digits);
  }

  /**
   * The least encoding over the renamings that keep the fingerprint order: every app order that
   * permutes apps within ties (`appOrders`, the same candidates and the same limit), with every
   * user renaming of `userCandidates`; tenants ordered by sorting their signatures. Scratch
   * arrays only: no allocation per candidate.
   */
  private symmetricKey(life: readonly number[], cells: readonly number[]): number | string {
    const A = this.apps;
    const T = this.tenants;
    const cb = this.cellBits;
    const cellBase = this.cellBase;
    const lifeBase = this.lifeBase;
    // Rename-free fingerprints: apps by kind, lifecycle, tenants held, connections, and how shared
    // their tenants are (the sum of the squares of the number of apps on each); users by connections.
    const appSort = this.appSort;
    const held = this.held;
    const shared = this.shared;
    for (let t = 0; t < T; t++) {
      let apps = 0;
      for (let a = 0; a < A; a++) if ((cells[a * T + t] ?? 0) !== 0) apps++;
      shared[t] = apps * apps;
    }
    for (let a = 0; a < A; a++) {
      let h = 0;
      let conns = 0;
      let sharing = 0;
      for (let t = 0; t < T; t++) {
        const c = cells[a * T + t] ?? 0;
        if (c === 0) continue;
        h++;
        sharing += shared[t] as number;
        for (let x = c; x !== 0; x &= x - 1) conns++;
      }
      held[a] = h;
      // Under 2^47: kind 2 bits, lifecycle 12, tenants held and connections 10 each, sharing 13 (at most 64 x 8^2).
      appSort[a] = (((this.appClass[a] ?? 0) * lifeBase + (life[a] ?? 0)) * 1048576 + h * 1024 + conns) * 8192 + sharing;
    }
    // The apps by fingerprint, ties in index order (a stable insertion sort).
    const order = this.order;
    for (let i = 0; i < A; i++) {
      const x = i;
      let j = i - 1;
      while (j >= 0 && (appSort[order[j] ?? 0] ?? 0) > (appSort[x] ?? 0)) {
        order[j + 1] = order[j] ?? 0;
        j--;
      }
      order[j + 1] = x;
    }
    const userCandidates = this.userCandidates(cells);
    const limit = Math.max(1, Math.floor(MAX_CANDIDATES / userCandidates.length));
    // Runs of tied apps that hold a tenant, each permuted (as `appOrders`): none when over the limit.
    let groups = 0;
    let count = 1;
    for (let start = 0; start < A; ) {
      const first = order[start] ?? 0;
      let end = start + 1;
      while (end < A && appSort[order[end] ?? 0] === appSort[first]) end++;
      if (end - start > 1 && (held[first] ?? 0) > 0) {
        const perms = permutationsOf(end - start);
        if (count * perms.length > limit) {
          groups = 0;
          break;
        }
        count *= perms.length;
        this.groupStart[groups] = start;
        this.groupPerms[groups] = perms;
        this.groupAt[groups] = 0;
        groups++;
      }
      start = end;
    }
    const apps = this.candidate;
    for (let i = 0; i < A; i++) apps[i] = order[i] ?? 0;
    const sigs = this.sigs;
    const best = this.best;
    let found = false;
    for (;;) {
      for (let g = 0; g < groups; g++) {
        const s = this.groupStart[g] ?? 0;
        const p = (this.groupPerms[g] ?? [])[this.groupAt[g] ?? 0] ?? [];
        for (let i = 0; i < p.length; i++) apps[s + i] = order[s + (p[i] ?? 0)] ?? 0;
      }
      for (let u = 0; u < userCandidates.length; u++) {
        const table = userCandidates[u] ?? [];
        for (let t = 0; t < T; t++) {
          let sig = this.tenantClass[t] ?? 0;
          for (let i = 0; i < A; i++) sig = sig * cellBase + (table[cells[(apps[i] ?? 0) * T + t] ?? 0] ?? 0);
          // Insertion into the sorted prefix.
          let j = t - 1;
          while (j >= 0 && (sigs[j] ?? 0) > sig) {
            sigs[j + 1] = sigs[j] ?? 0;
            j--;
          }
          sigs[j + 1] = sig;
        }
        if (!found || lexLess(sigs, best)) {
          found = true;
          for (let t = 0; t < T; t++) best[t] = sigs[t] ?? 0;
        }
      }
      // The next app candidate: an odometer over the groups' permutations.
      let g = groups - 1;
      while (g >= 0) {
        const at = (this.groupAt[g] ?? 0) + 1;
        if (at < (this.groupPerms[g] ?? []).length) {
          this.groupAt[g] = at;
          break;
        }
        this.groupAt[g] = 0;
        g--;
      }
      if (g < 0) break;
    }
    const lifeBits = LIFE_BITS * this.worlds;
    const sigBits = 2 + A * cb;
    const sigBase = this.sigBase;
    if (A * lifeBits + T * sigBits <= 52) {
      let n = 0;
      for (let i = 0; i < A; i++) n = n * lifeBase + (life[order[i] ?? 0] ?? 0);
      for (let t = 0; t < T; t++) n = n * sigBase + (best[t] ?? 0);
      return n;
    }
    if (A * lifeBits <= 52 && T * sigBits < 52) {
      let lives = 0;
      for (let i = 0; i < A; i++) lives = lives * lifeBase + (life[order[i] ?? 0] ?? 0);
      const numbered = this.numberedLives(lives);
      if (numbered !== undefined) {
        let key = numbered;
        for (let t = 0; t < T; t++) key = key * sigBase + (best[t] ?? 0);
        return key;
      }
    }
    const digits = this.digits;
    digits.length = 0;
    for (let i = 0; i < A; i++) pushDigit(digits, life[order[i] ?? 0] ?? 0, lifeBits);
    for (let t = 0; t < T; t++) pushDigit(digits, best[t] ?? 0, sigBits);
    return String.fromCharCode(...digits);
  }

  /**
   * The number of a tuple of lifecycles (`lives`, apps in key order) when it leaves room for
   * the tenants' signatures in an exact number: tuples are numbered in the order first met, and few
   * occur in one search (each app's lifecycle takes a handful of values), so a key whose
   * lifecycles and cells together pass 52 bits is still a number. Undefined once the numbers
   * run out: the key is then a string (never equal to a number, so keys stay distinct).
   */
  private numberedLives(lives: number): number | undefined {
    if (lives === this.lastLives) return this.lastLivesNumber;
    const numbered = this.livesNumbered(lives);
    // A tuple past the numbers is not kept: a later look may still get none.
    if (numbered !== undefined) {
      this.lastLives = lives;
      this.lastLivesNumber = numbered;
    }
    return numbered;
  }

  /** `numberedLives` without its one-entry cache. */
  private livesNumbered(lives: number): number | undefined {
    if (this.numbers !== undefined) {
      // Numbers past the room of a key are none here too, whatever the table's own limit.
      const given = this.numbers.numberOf(lives);
      return given !== undefined && given < this.lifeNumberLimit ? given : undefined;
    }
    const known = this.lifeNumbers.get(lives);
    if (known !== undefined) return known;
    const next = this.lifeNumbers.size;
    if (next >= this.lifeNumberLimit) return undefined;
    this.lifeNumbers.set(lives, next);
    return next;
  }

  /** The user renamings (as cell tables) that order users by their number of connections. */
  private userCandidates(cells: readonly number[]): number[][] {
    if (this.users === 1) return this.oneUser;
    // The connections of each user, packed in base 1025 (user 1 the highest digit) by summing
    // each cell's share (`userShares`): one table read per cell.
    let packed = 0;
    for (let i = 0; i < cells.length; i++) packed += this.userShares[cells[i] as number] as number;
    if (packed === this.lastPacked) return this.lastUserTables;
    let tables = this.userTables.get(packed);
    if (tables === undefined) {
      const count = new Array<number>(this.users).fill(0);
      for (const c of cells) {
        for (let w = 0; w < this.worlds; w++)
          for (let u = 0; u < this.users; u++) if (c & (1 << (u + this.users * w))) count[u] = (count[u] ?? 0) + 1;
      }
      tables = this.usersOrderedBy(count);
      this.userTables.set(packed, tables);
    }
    this.lastPacked = packed;
    this.lastUserTables = tables;
    return tables;
  }

  /** The user renamings (as cell tables) that order users by these numbers of connections. */
  private usersOrderedBy(count: readonly number[]): number[][] {
    if (this.users === 1) return [this.userPerms[0]?.table ?? []];
    // Users without connections are alike whatever their order: keep theirs.
    return this.userPerms
      .filter(({ order }) =>
        order.every((old, pos) => {
          if (pos === 0) return true;
          const prev = order[pos - 1] ?? 0;
          const a = count[prev] ?? 0;
          const b = count[old] ?? 0;
          return a < b || (a === b && (a !== 0 || prev < old));
        }),
      )
      .map((p) => p.table);
  }

  /**
   * The key of a product state whose tenants are counted by class (`tenant-classes.ts`):
   * `life` combined as in `key`, each class key its tenant's kind, then one cell per app. The
   * same orbit as the symmetric key of the tenants listed one by one, in time that grows with
   * the classes, not the tenants.
   */
  classKey(life: readonly number[], classes: Classes): string {
    const A = this.apps;
    const cb = this.cellBits;
    const cellSpace = 2 ** cb;
    const sigSpace = 2 ** (A * cb);
    const entries: Array<{ kind: number; cells: number[]; count: number }> = [];
    const held = this.held;
    const conns = new Array<number>(A).fill(0);
    held.fill(0);
    const userCount = new Array<number>(this.users).fill(0);
    for (const [key, { count }] of classes) {
      const cells = new Array<number>(A).fill(0);
      let rest = key % sigSpace;
      for (let a = A - 1; a >= 0; a--) {
        const cell = rest % cellSpace;
        rest = Math.floor(rest / cellSpace);
        cells[a] = cell;
        if (cell !== 0) held[a] = (held[a] ?? 0) + count;
        for (let x = cell; x !== 0; x &= x - 1) conns[a] = (conns[a] ?? 0) + count;
        for (let w = 0; w < this.worlds; w++)
          for (let u = 0; u < this.users; u++) if (cell & (1 << (u + this.users * w))) userCount[u] = (userCount[u] ?? 0) + count;
      }
      entries.push({ kind: Math.floor(key / sigSpace), cells, count });
    }
    const appSort = this.appSort;
    for (let a = 0; a < A; a++)
      appSort[a] =
        ((this.appClass[a] ?? 0) * 2 ** (LIFE_BITS * this.worlds) + (life[a] ?? 0)) * 2 ** 36 + (held[a] ?? 0) * 2 ** 19 + (conns[a] ?? 0);
    // Exact below 2 ** 53: held under 2 ** 17 (the diff's 100,001 tenants), connections under 2 ** 19.
    const order = this.identity.slice().sort((x, y) => (appSort[x] ?? 0) - (appSort[y] ?? 0));
    const userCandidates = this.usersOrderedBy(userCount);
    const appCandidates = this.appOrders(order, Math.max(1, Math.floor(MAX_CANDIDATES / userCandidates.length)));
    let best: number[] | null = null;
    for (const apps of appCandidates) {
      for (const table of userCandidates) {
        const mapped = entries.map(({ kind, cells, count }) => {
          let sig = kind;
          for (let i = 0; i < A; i++) sig = sig * 2 ** cb + (table[cells[apps[i] ?? 0] ?? 0] ?? 0);
          return [sig, count] as const;
        });
        mapped.sort((x, y) => x[0] - y[0]);
        const flat = mapped.flat();
        if (best === null || lexLess(flat, best)) best = flat;
      }
    }
    return `${order.map((a) => life[a] ?? 0).join(',')}|${(best ?? []).join(',')}`;
  }

  /**
   * Every app order that keeps the fingerprint order (permutations within ties), at most
   * `limit`; apps that hold no tenant are alike whatever their order, so they keep theirs.
   */
  private appOrders(order: number[], limit: number): number[][] {
    let orders: number[][] = [order];
    for (let start = 0; start < order.length; ) {
      const first = order[start] ?? 0;
      let end = start + 1;
      while (end < order.length && this.appSort[order[end] ?? 0] === this.appSort[first]) end++;
      if (end - start > 1 && (this.held[first] ?? 0) > 0) {
        const perms = permutationsOf(end - start);
        if (orders.length * perms.length > limit) return [order];
        const s = start;
        orders = orders.flatMap((o) =>
          perms.map((p) => {
            const next = o.slice();
            for (let i = 0; i < p.length; i++) next[s + i] = o[s + (p[i] ?? 0)] ?? 0;
            return next;
          }),
        );
      }
      start = end;
    }
    return orders;
  }
}

const PERMUTATIONS: number[][][] = [];
function permutationsOf(n: number): number[][] {
  PERMUTATIONS[n] ??= permutations(Array.from({ length: n }, (_, i) => i));
  return PERMUTATIONS[n];
}

function lexLess(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x < y;
  }
  return false;
}
