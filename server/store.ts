/**
 * The simulator's storage: one SQLite database (better-sqlite3, synchronous), on a file with
 * `--db FILE` or in memory without. Event sourcing: `events` holds every decided request as its
 * trace line (the event with `observed`, what the simulator answered); the model's state is a
 * function of those lines and is rebuilt by replaying them at start. What the simulator adds to a
 * decided event (the UUIDs of its auth event and connections, the authorisation code it issued) is
 * kept in the same row (`added`, JSON), so a consent is one row written; the simulator holds those
 * in memory, rebuilt from the rows at start. Everything else (app credentials, tenant ids, used
 * codes, tokens, the clock) is a table read and written in place. The tables `connections` and
 * `auth_events`, and the unused codes in `codes`, are what databases written before `added` kept
 * there: read at start, never written.
 *
 * Durability: WAL, with `synchronous = NORMAL` by default: a commit is in the log before it
 * returns, so an acknowledged change survives `kill -9` of the server (SQLite: WAL with NORMAL is
 * durable across application crashes), but a power cut may lose the last commits; `--sync full`
 * (`synchronous = FULL`) fsyncs the log at every commit, and survives a power cut too. Group
 * commit keeps that to one commit per turn of the event loop, not one per change:
 * the first change of a turn opens a transaction, each change is a savepoint inside it (all of its
 * writes or none), and the transaction commits on the next turn (`setImmediate`); `durable()`
 * resolves when the changes made so far are committed, and no response is sent before it does.
 *
 * Ownership: `locking_mode = EXCLUSIVE` and an exclusive transaction at open take the file's lock
 * for the life of the process (the operating system drops it when the process dies, even by
 * `kill -9`), so a second process on the same file fails at open (`DatabaseInUse`) instead of
 * deciding from a state the first one is changing.
 * @module
 */
import Database from 'better-sqlite3';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY, line TEXT NOT NULL, added TEXT);
CREATE TABLE IF NOT EXISTS apps (name TEXT PRIMARY KEY, client_id TEXT NOT NULL UNIQUE, client_secret TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tenants (name TEXT PRIMARY KEY, tenant_id TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS connections (model_id TEXT PRIMARY KEY, id TEXT NOT NULL UNIQUE, created TEXT NOT NULL, updated TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS auth_events (model_id TEXT PRIMARY KEY, id TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS codes (code TEXT PRIMARY KEY, app TEXT NOT NULL, user TEXT NOT NULL, used INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS tokens (token TEXT PRIMARY KEY, kind TEXT NOT NULL, app TEXT NOT NULL, user TEXT NOT NULL, issued_ms INTEGER NOT NULL, live INTEGER NOT NULL DEFAULT 1);
CREATE INDEX IF NOT EXISTS tokens_by_grant ON tokens (app, user);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
`;

const TABLES = ['events', 'apps', 'tenants', 'connections', 'auth_events', 'codes', 'tokens', 'meta'];

/** A prepared statement, typed by name so that tsc can write the store's declarations. */
function prepare<P extends unknown[], R = unknown>(db: Database.Database, sql: string): Database.Statement<P, R> {
  return db.prepare<P, R>(sql);
}

/** Another process holds the database file. */
export class DatabaseInUse extends Error {
  override readonly name = 'DatabaseInUse';
}

/** The store's prepared statements. */
interface Statements {
  events: Database.Statement<[], { line: string }>;
  replay: Database.Statement<[], { line: string; added: string | null }>;
  addEvent: Database.Statement<[string, string | null]>;
  app: Database.Statement<[string], { name: string; client_id: string; client_secret: string }>;
  appByClient: Database.Statement<[string], { name: string; client_id: string; client_secret: string }>;
  addApp: Database.Statement<[string, string, string]>;
  tenant: Database.Statement<[string], { tenant_id: string }>;
  addTenant: Database.Statement<[string, string]>;
  legacyConnections: Database.Statement<[], { model_id: string; id: string; created: string; updated: string }>;
  legacyAuthEvents: Database.Statement<[], { model_id: string; id: string }>;
  codes: Database.Statement<[], { code: string; app: string; user: string; used: number }>;
  useCode: Database.Statement<[string, string, string]>;
  token: Database.Statement<[string], { kind: string; app: string; user: string; issued_ms: number; live: number }>;
  addToken: Database.Statement<[string, string, string, string, number]>;
  endToken: Database.Statement<[string]>;
  endGrant: Database.Statement<[string, string]>;
  meta: Database.Statement<[string], { value: string | null }>;
  setMeta: Database.Statement<[string, string | null]>;
}

/** How hard a commit is pushed to the disk: `normal` survives a crash of the server, `full` a power cut too. */
export type Sync = 'normal' | 'full';

/** An open store: the database and its prepared statements. */
export interface Store {
  readonly db: Database.Database;
  readonly s: Statements;
  atomically<T>(fn: () => T): T;
  /** Resolves once every change made so far is committed (rejects if the commit failed). */
  durable(): Promise<void>;
  clear(): void;
  close(): void;
}

/**
 * Open (and create) the store at `file`, or in memory for `':memory:'`; takes the file's lock.
 * `commitLate` is a deliberately broken variant for the durability test to catch: changes are
 * committed in batches every 100 ms, after their responses were sent.
 */
export function openStore(file: string, { commitLate = false, sync = 'normal' as Sync } = {}): Store {
  const db: Database.Database = new Database(file, { timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${sync === 'full' ? 'FULL' : 'NORMAL'}`);
    // Take the exclusive lock now, not at the first write: a second server fails here.
    db.exec('BEGIN EXCLUSIVE; COMMIT;');
    db.exec(SCHEMA);
    // A database written before `added`: the column added (its rows keep their ids in the old tables).
    if (!(db.pragma('table_info(events)') as { name: string }[]).some((c) => c.name === 'added'))
      db.exec('ALTER TABLE events ADD COLUMN added TEXT');
  } catch (error) {
    db.close();
    if ((error as { code?: string }).code === 'SQLITE_BUSY') throw new DatabaseInUse(`${file}: in use by another process`);
    throw error;
  }
  const s: Statements = {
    events: prepare<[], { line: string }>(db, 'SELECT line FROM events ORDER BY seq'),
    replay: prepare<[], { line: string; added: string | null }>(db, 'SELECT line, added FROM events ORDER BY seq'),
    addEvent: prepare<[string, string | null]>(db, 'INSERT INTO events (line, added) VALUES (?, ?)'),
    app: prepare<[string], { name: string; client_id: string; client_secret: string }>(db, 'SELECT * FROM apps WHERE name = ?'),
    appByClient: prepare<[string], { name: string; client_id: string; client_secret: string }>(
      db,
      'SELECT * FROM apps WHERE client_id = ?',
    ),
    addApp: prepare<[string, string, string]>(db, 'INSERT INTO apps (name, client_id, client_secret) VALUES (?, ?, ?)'),
    tenant: prepare<[string], { tenant_id: string }>(db, 'SELECT tenant_id FROM tenants WHERE name = ?'),
    addTenant: prepare<[string, string]>(db, 'INSERT INTO tenants (name, tenant_id) VALUES (?, ?)'),
    legacyConnections: prepare<[], { model_id: string; id: string; created: string; updated: string }>(
      db,
      'SELECT model_id, id, created, updated FROM connections',
    ),
    legacyAuthEvents: prepare<[], { model_id: string; id: string }>(db, 'SELECT model_id, id FROM auth_events'),
    codes: prepare<[], { code: string; app: string; user: string; used: number }>(db, 'SELECT code, app, user, used FROM codes'),
    useCode: prepare<[string, string, string]>(
      db,
      'INSERT INTO codes (code, app, user, used) VALUES (?, ?, ?, 1) ON CONFLICT (code) DO UPDATE SET used = 1',
    ),
    token: prepare<[string], { kind: string; app: string; user: string; issued_ms: number; live: number }>(
      db,
      'SELECT * FROM tokens WHERE token = ?',
    ),
    addToken: prepare<[string, string, string, string, number]>(
      db,
      'INSERT INTO tokens (token, kind, app, user, issued_ms) VALUES (?, ?, ?, ?, ?)',
    ),
    endToken: prepare<[string]>(db, 'UPDATE tokens SET live = 0 WHERE token = ?'),
    endGrant: prepare<[string, string]>(db, 'UPDATE tokens SET live = 0 WHERE app = ? AND user = ?'),
    meta: prepare<[string], { value: string | null }>(db, 'SELECT value FROM meta WHERE key = ?'),
    setMeta: prepare<[string, string | null]>(
      db,
      'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    ),
  };
  // Transaction control as prepared statements: parsed once, not at every change and commit.
  const begin = db.prepare('BEGIN IMMEDIATE');
  const commit = db.prepare('COMMIT');
  const rollback = db.prepare('ROLLBACK');
  const savepoint = db.prepare('SAVEPOINT change');
  const release = db.prepare('RELEASE change');
  const rollbackTo = db.prepare('ROLLBACK TO change');
  let batch: NodeJS.Timeout | undefined;
  if (commitLate) {
    db.exec('BEGIN');
    batch = setInterval(() => db.exec('COMMIT; BEGIN;'), 100);
  }
  /** The open group: its transaction is begun, and `committed` settles when it commits. */
  let group: { committed: Promise<void>; settle: (error?: unknown) => void } | null = null;
  const commitGroup = () => {
    const open = group;
    group = null;
    if (open === null || !db.open) return;
    try {
      commit.run();
      open.settle();
    } catch (error) {
      if (db.inTransaction) rollback.run();
      open.settle(error);
    }
  };
  /** Open the group of this turn of the event loop, if none is open. */
  const joinGroup = () => {
    if (commitLate || group !== null) return;
    begin.run();
    let settle: (error?: unknown) => void = () => {};
    const committed = new Promise<void>((resolve, reject) => {
      settle = (error) => (error === undefined ? resolve() : reject(error));
    });
    // A commit that fails rejects `committed`; a rejection nobody awaits is not a crash.
    committed.catch(() => {});
    group = { committed, settle };
    setImmediate(commitGroup);
  };
  /**
   * Run `fn` as one unit: a savepoint in this turn's group transaction, so all of its writes or
   * none; they are durable once `durable()` resolves.
   */
  const atomically = <T>(fn: () => T): T => {
    // (In the broken variant, inside the open batch: a savepoint, committed later.)
    joinGroup();
    savepoint.run();
    try {
      const result = fn();
      release.run();
      return result;
    } catch (error) {
      // A failed statement may have ended the transaction already (SQLite rolls back on some errors).
      if (db.inTransaction) {
        rollbackTo.run();
        release.run();
      }
      throw error;
    }
  };
  return {
    db,
    s,
    atomically,
    durable: () => group?.committed ?? Promise.resolve(),
    /** Delete everything, as one unit. */
    clear(): void {
      atomically(() => {
        for (const table of TABLES) db.exec(`DELETE FROM ${table}`);
      });
    },
    close(): void {
      commitGroup();
      if (batch !== undefined) {
        clearInterval(batch);
        db.exec('COMMIT');
      }
      if (db.open) db.close();
    },
  };
}
