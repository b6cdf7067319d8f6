/**
 * The outbox's file: one SQLite database (Node's built-in `node:sqlite`, so no native module) holding the reports
 * not yet delivered, in arrival order, and those settled without a delivery (superseded or dropped) whose answer may
 * not have left yet. WAL with `synchronous = FULL`: a report is on disk when `add` returns, and survives a power
 * failure from then on. A file of an older format is migrated in place; one of a newer format is left as it is and
 * refused; only a file that cannot be read as this store is moved aside, never reset.
 */
import { accessSync, constants, existsSync, mkdirSync, renameSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type { DatabaseSync, StatementSync } from 'node:sqlite';

import { systemClock } from '../shared/clock';

/** The first Node.js release line whose `node:sqlite` loads without `--experimental-sqlite`. */
export const SQLITE_NODE_VERSION = '22.13.0';

/** The store cannot be used: wrong Node.js, or a directory that cannot be written. */
export class OutboxUnavailableError extends Error {
  override readonly name = 'OutboxUnavailableError';
  readonly code = 'outbox-unavailable';
  /** A resend is refused the same way until the node or the machine is fixed. */
  readonly retryable = false;
}

// Loaded only when an outbox opens: the rest of the core runs on Node.js releases without `node:sqlite`.
type Sqlite = typeof import('node:sqlite');
let sqlite: Sqlite | undefined;
function loadSqlite(): Sqlite {
  if (sqlite) return sqlite;
  try {
    // `createRequire` keeps bundlers from resolving it at build time.
    sqlite = createRequire(__filename)('node:sqlite') as Sqlite;
    return sqlite;
  } catch {
    throw new OutboxUnavailableError(
      `keeping reports until delivered needs Node.js ${SQLITE_NODE_VERSION} or later, whose built-in node:sqlite ` +
        `needs no flag (this is Node.js ${process.versions.node}); upgrade Node.js, or turn the option off`,
    );
  }
}

/** Why an outbox cannot open on this Node.js, or undefined when it can. */
export function outboxUnavailable(): string | undefined {
  try {
    loadSqlite();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** How a report was settled without a delivery: its answer is given (again, after a restart) until it is deleted. */
export type Settlement =
  | { readonly kind: 'superseded'; /** The id of the report that replaced it. */ readonly by: number }
  | { readonly kind: 'dropped' };

/** One stored report. */
export interface StoredReport {
  /** Arrival order: a later report has a larger id. */
  readonly id: number;
  /** What the report acts on (a thing and a job): reports for one target are delivered in id order. */
  readonly target: string;
  /** The validated request. */
  readonly request: Readonly<Record<string, unknown>>;
  /** The host's message, as JSON (Node-RED's `msg`): what the answer is made from after a restart. */
  readonly message: unknown;
  /** Epoch milliseconds. */
  readonly acceptedAt: number;
  /** Delivery tries that ended without a final answer, over every run. */
  readonly attempts: number;
  readonly lastError?: string | undefined;
  /** Its size in the store (request and message JSON, UTF-8). */
  readonly bytes: number;
}

/**
 * The file's format, in SQLite's `user_version`. 1: the reports waiting. 2: with `settled` (null while waiting,
 * else `superseded` or `dropped`) and `settled_by` (the id of the report that superseded it).
 */
const FORMAT = 2;

const SCHEMA = `CREATE TABLE reports (
  id INTEGER PRIMARY KEY AUTOINCREMENT, target TEXT NOT NULL, request TEXT NOT NULL,
  message TEXT NOT NULL, accepted_at INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT, settled TEXT, settled_by INTEGER)`;

/** From each older format to the next, in one transaction with the new `user_version`. */
const MIGRATIONS: Readonly<Record<number, string>> = {
  1: 'ALTER TABLE reports ADD COLUMN settled TEXT; ALTER TABLE reports ADD COLUMN settled_by INTEGER;',
};

interface Row {
  id: number;
  target: string;
  request: string;
  message: string;
  accepted_at: number;
  attempts: number;
  last_error: string | null;
  settled: string | null;
  settled_by: number | null;
}

/** What a store holds when it opens. */
export interface StoreContents {
  /** The reports waiting for delivery, in arrival order. */
  readonly reports: StoredReport[];
  /** The reports settled without a delivery whose answer may not have left, in arrival order. */
  readonly settled: { readonly report: StoredReport; readonly settlement: Settlement }[];
}

export class OutboxStore {
  private readonly insert: StatementSync;
  private readonly remove: StatementSync;
  private readonly attempt: StatementSync;
  private readonly settle: StatementSync;
  private closed = false;

  private constructor(private readonly db: DatabaseSync) {
    this.insert = db.prepare(
      'INSERT INTO reports (target, request, message, accepted_at) VALUES (?, ?, ?, ?) RETURNING id',
    );
    this.remove = db.prepare('DELETE FROM reports WHERE id = ?');
    this.attempt = db.prepare('UPDATE reports SET attempts = attempts + 1, last_error = ? WHERE id = ?');
    this.settle = db.prepare('UPDATE reports SET settled = ?, settled_by = ? WHERE id = ? AND settled IS NULL');
  }

  /**
   * Opens (or creates) the store at `file`, with the reports it holds; a file of an older format is migrated in
   * place first. A file that is not a readable store of this kind is renamed `<file>.corrupt-<time>` (with its WAL)
   * and a new one made; `movedAside` says so.
   *
   * @throws OutboxUnavailableError when `node:sqlite` is missing, the directory cannot be written, or the file is of
   *   a newer format than this release reads (it is left as it is).
   */
  static open(file: string): { store: OutboxStore; movedAside?: string } & StoreContents {
    const { DatabaseSync } = loadSqlite();
    const dir = dirname(file);
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      accessSync(dir, constants.W_OK);
    } catch (error) {
      throw new OutboxUnavailableError(
        `the outbox directory ${dir} cannot be written (${(error as NodeJS.ErrnoException).code ?? String(error)}); ` +
          'make it writable for the Node-RED user, or turn the option off',
      );
    }
    try {
      return OutboxStore.read(new DatabaseSync(file), file);
    } catch (error) {
      if (error instanceof OutboxUnavailableError) throw error;
      const aside = `${file}.corrupt-${new Date(systemClock.now()).toISOString().replace(/[:.]/g, '-')}`;
      for (const suffix of ['', '-wal', '-shm'])
        if (existsSync(file + suffix)) renameSync(file + suffix, aside + suffix);
      const opened = OutboxStore.read(new DatabaseSync(file), file);
      return { ...opened, movedAside: `${aside} (${(error as Error).message})` };
    }
  }

  private static read(db: DatabaseSync, file: string): { store: OutboxStore } & StoreContents {
    try {
      // Read before anything is written: a newer release's file is left exactly as it is.
      const version = (db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version;
      if (version > FORMAT)
        throw new OutboxUnavailableError(
          `the outbox file ${file} is of format ${version}, written by a newer release of this package (this one ` +
            `reads format ${FORMAT} and older); it is left as it is: upgrade the package again to deliver what it ` +
            'holds, or move the file away to start an empty one',
        );
      if (version < 0) throw new Error(`it is of format ${version}`);
      db.exec('PRAGMA journal_mode = WAL');
      db.exec('PRAGMA synchronous = FULL');
      const checked = db.prepare('PRAGMA quick_check').get() as { quick_check?: string } | undefined;
      if (checked?.quick_check !== 'ok') throw new Error(`the integrity check says ${checked?.quick_check}`);
      if (version < FORMAT) {
        db.exec('BEGIN IMMEDIATE');
        try {
          if (version === 0) db.exec(SCHEMA);
          else for (let from = version; from < FORMAT; from++) db.exec(MIGRATIONS[from]!);
          db.exec(`PRAGMA user_version = ${FORMAT}`);
          db.exec('COMMIT');
        } catch (error) {
          db.exec('ROLLBACK');
          throw error;
        }
      }
      const rows = db.prepare('SELECT * FROM reports ORDER BY id').all() as unknown as Row[];
      const contents: StoreContents = { reports: [], settled: [] };
      for (const row of rows) {
        const report: StoredReport = {
          id: row.id,
          target: row.target,
          request: JSON.parse(row.request) as Record<string, unknown>,
          message: JSON.parse(row.message) as unknown,
          acceptedAt: row.accepted_at,
          attempts: row.attempts,
          lastError: row.last_error ?? undefined,
          bytes: Buffer.byteLength(row.request) + Buffer.byteLength(row.message),
        };
        if (row.settled === null) contents.reports.push(report);
        else if (row.settled === 'superseded' && row.settled_by !== null)
          contents.settled.push({ report, settlement: { kind: 'superseded', by: row.settled_by } });
        else if (row.settled === 'dropped') contents.settled.push({ report, settlement: { kind: 'dropped' } });
        else throw new Error(`report ${row.id} is settled as ${row.settled}`);
      }
      return { store: new OutboxStore(db), ...contents };
    } catch (error) {
      db.close();
      if (error instanceof OutboxUnavailableError) throw error;
      throw new Error(`${file} is not a readable outbox: ${(error as Error).message}`, { cause: error });
    }
  }

  /**
   * Stores a report (request and message as JSON), durably, in one transaction with settling the one it `replaces`
   * as superseded by it; returns its id.
   */
  add(target: string, request: string, message: string, acceptedAt: number, replaces?: number): number {
    if (replaces === undefined) return (this.insert.get(target, request, message, acceptedAt) as { id: number }).id;
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const { id } = this.insert.get(target, request, message, acceptedAt) as { id: number };
      this.settle.run('superseded', id, replaces);
      this.db.exec('COMMIT');
      return id;
    } catch (error) {
      this.db.exec('ROLLBACK');
      throw error;
    }
  }

  /** Settles a waiting report as dropped, durably: from now on it is only ever answered `dropped`, never sent. */
  drop(id: number): void {
    this.settle.run('dropped', null, id);
  }

  /** Forgets a report once its answer has left: delivered, finally refused, superseded or dropped. */
  delete(id: number): void {
    this.remove.run(id);
  }

  /** Counts a delivery try that will be retried. */
  recordAttempt(id: number, error: string): void {
    this.attempt.run(error, id);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }
}
