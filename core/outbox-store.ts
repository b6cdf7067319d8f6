/**
 * The outbox's file: one SQLite database (Node's built-in `node:sqlite`, so no native module) holding the reports
 * not yet delivered, in arrival order. WAL with `synchronous = FULL`: a report is on disk when `add` returns, and
 * survives a power failure from then on. A file that cannot be read as this store is moved aside, never reset.
 */
import { accessSync, constants, existsSync, mkdirSync, renameSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type { DatabaseSync, StatementSync } from 'node:sqlite';

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

const FORMAT = 1;

interface Row {
  id: number;
  target: string;
  request: string;
  message: string;
  accepted_at: number;
  attempts: number;
  last_error: string | null;
}

export class OutboxStore {
  private readonly insert: StatementSync;
  private readonly remove: StatementSync;
  private readonly attempt: StatementSync;
  private closed = false;

  private constructor(private readonly db: DatabaseSync) {
    this.insert = db.prepare(
      'INSERT INTO reports (target, request, message, accepted_at) VALUES (?, ?, ?, ?) RETURNING id',
    );
    this.remove = db.prepare('DELETE FROM reports WHERE id = ?');
    this.attempt = db.prepare('UPDATE reports SET attempts = attempts + 1, last_error = ? WHERE id = ?');
  }

  /**
   * Opens (or creates) the store at `file`, with the reports it holds. A file that is not a readable store of this
   * kind is renamed `<file>.corrupt-<time>` (with its WAL) and a new one made; `movedAside` says so.
   *
   * @throws OutboxUnavailableError when `node:sqlite` is missing or the directory cannot be written.
   */
  static open(file: string): { store: OutboxStore; reports: StoredReport[]; movedAside?: string } {
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
      const aside = `${file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      for (const suffix of ['', '-wal', '-shm'])
        if (existsSync(file + suffix)) renameSync(file + suffix, aside + suffix);
      const opened = OutboxStore.read(new DatabaseSync(file), file);
      return { ...opened, movedAside: `${aside} (${(error as Error).message})` };
    }
  }

  private static read(db: DatabaseSync, file: string): { store: OutboxStore; reports: StoredReport[] } {
    try {
      db.exec('PRAGMA journal_mode = WAL');
      db.exec('PRAGMA synchronous = FULL');
      const checked = db.prepare('PRAGMA quick_check').get() as { quick_check?: string } | undefined;
      if (checked?.quick_check !== 'ok') throw new Error(`the integrity check says ${checked?.quick_check}`);
      const version = (db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version;
      if (version === 0) {
        db.exec(
          `CREATE TABLE IF NOT EXISTS reports (
             id INTEGER PRIMARY KEY AUTOINCREMENT, target TEXT NOT NULL, request TEXT NOT NULL,
             message TEXT NOT NULL, accepted_at INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
             last_error TEXT);
           PRAGMA user_version = ${FORMAT};`,
        );
      } else if (version !== FORMAT) throw new Error(`it is format ${version}, not ${FORMAT}`);
      const rows = db.prepare('SELECT * FROM reports ORDER BY id').all() as unknown as Row[];
      const reports = rows.map((row) => ({
        id: row.id,
        target: row.target,
        request: JSON.parse(row.request) as Record<string, unknown>,
        message: JSON.parse(row.message) as unknown,
        acceptedAt: row.accepted_at,
        attempts: row.attempts,
        lastError: row.last_error ?? undefined,
        bytes: Buffer.byteLength(row.request) + Buffer.byteLength(row.message),
      }));
      return { store: new OutboxStore(db), reports };
    } catch (error) {
      db.close();
      throw new Error(`${file} is not a readable outbox: ${(error as Error).message}`, { cause: error });
    }
  }

  /**
   * Stores a report (request and message as JSON), durably, in one transaction with the removal of the one it
   * `replaces`; returns its id.
   */
  add(target: string, request: string, message: string, acceptedAt: number, replaces?: number): number {
    if (replaces === undefined) return (this.insert.get(target, request, message, acceptedAt) as { id: number }).id;
    this.db.exec('BEGIN IMMEDIATE');
    try {
      this.remove.run(replaces);
      const { id } = this.insert.get(target, request, message, acceptedAt) as { id: number };
      this.db.exec('COMMIT');
      return id;
    } catch (error) {
      this.db.exec('ROLLBACK');
      throw error;
    }
  }

  /** Forgets a report: delivered, finally refused, superseded or dropped. */
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
