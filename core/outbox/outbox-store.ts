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

import { systemClock, type Clock, type ClockTimer } from '../shared/clock';

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

/** A write waiting for the next commit. */
type Write = { readonly seq: number } & (
  | {
      readonly kind: 'insert';
      readonly row: readonly [number, string, string, string, number];
      readonly replaces?: number;
    }
  | { readonly kind: 'settle'; readonly id: number; readonly settlement: 'dropped' }
  | { readonly kind: 'delete'; readonly id: number }
  | { readonly kind: 'attempt'; readonly id: number; readonly error: string }
);

/** A write, as asked for (its place in the order of writes is the store's). */
type Asked = Write extends infer W ? (W extends { seq: number } ? Omit<W, 'seq'> : never) : never;

/** Waits for a commit: told when it is on disk, or why it is not. */
interface Waiter {
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/**
 * How long a write nobody waits for (a delete, an attempt count) may sit before it is committed on its own, when no
 * other write brings a commit sooner: a crash inside it answers a delivered report again in the next run (read first,
 * so nothing is applied twice), which the outbox's promise allows.
 */
export const IDLE_COMMIT_MS = 1_000;

/**
 * Two turns of the event loop: what an answer takes to reach the host's next step (a Node-RED node's send is
 * delivered one turn later). A commit waits this long after the write that asked for it, so a delete queued as its
 * report is answered is never on disk before the answer has left, and writes asked for meanwhile share the commit.
 */
export async function answerLeft(): Promise<void> {
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
}

export class OutboxStore {
  private readonly insert: StatementSync;
  private readonly remove: StatementSync;
  private readonly attempt: StatementSync;
  private readonly settle: StatementSync;
  private closed = false;
  /** The id the next report gets: ids are handed out as reports are taken, before their commit. */
  private nextId: number;
  /** Writes for the next commit, in the order they were asked for. */
  private queued: Write[] = [];
  /** The writes asked for so far, and how many of them (in order) are on disk. */
  private asked = 0;
  private durableThrough = 0;
  private waiting: Waiter[] = [];
  /** A commit is asked for (two turns after the write that asked): the writes queued until then share it. */
  private soon = false;
  private idle: ClockTimer | undefined;
  /** Reports written per commit, over this store's life: the group commit's yield. */
  readonly commits = { count: 0, writes: 0 };

  private constructor(
    private readonly db: DatabaseSync,
    private readonly clock: Clock,
  ) {
    this.insert = db.prepare('INSERT INTO reports (id, target, request, message, accepted_at) VALUES (?, ?, ?, ?, ?)');
    this.remove = db.prepare('DELETE FROM reports WHERE id = ?');
    this.attempt = db.prepare('UPDATE reports SET attempts = attempts + 1, last_error = ? WHERE id = ?');
    this.settle = db.prepare('UPDATE reports SET settled = ?, settled_by = ? WHERE id = ? AND settled IS NULL');
    // AUTOINCREMENT's counter, so an id is never used twice even after the highest report was deleted.
    const counted = db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'reports'").get() as
      { seq: number } | undefined;
    const highest = (db.prepare('SELECT MAX(id) AS id FROM reports').get() as { id: number | null }).id ?? 0;
    this.nextId = Math.max(counted?.seq ?? 0, highest) + 1;
  }

  /**
   * Opens (or creates) the store at `file`, with the reports it holds; a file of an older format is migrated in
   * place first. A file that is not a readable store of this kind is renamed `<file>.corrupt-<time>` (with its WAL)
   * and a new one made; `movedAside` says so.
   *
   * @throws OutboxUnavailableError when `node:sqlite` is missing, the directory cannot be written, or the file is of
   *   a newer format than this release reads (it is left as it is).
   */
  static open(file: string, clock: Clock = systemClock): { store: OutboxStore; movedAside?: string } & StoreContents {
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
      return OutboxStore.read(new DatabaseSync(file), file, clock);
    } catch (error) {
      if (error instanceof OutboxUnavailableError) throw error;
      const aside = `${file}.corrupt-${new Date(clock.now()).toISOString().replace(/[:.]/g, '-')}`;
      for (const suffix of ['', '-wal', '-shm'])
        if (existsSync(file + suffix)) renameSync(file + suffix, aside + suffix);
      const opened = OutboxStore.read(new DatabaseSync(file), file, clock);
      return { ...opened, movedAside: `${aside} (${(error as Error).message})` };
    }
  }

  private static read(db: DatabaseSync, file: string, clock: Clock): { store: OutboxStore } & StoreContents {
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
      return { store: new OutboxStore(db, clock), ...contents };
    } catch (error) {
      db.close();
      if (error instanceof OutboxUnavailableError) throw error;
      throw new Error(`${file} is not a readable outbox: ${(error as Error).message}`, { cause: error });
    }
  }

  /**
   * Takes a report (request and message as JSON), and settles the one it `replaces` as superseded by it, in the same
   * transaction; `durable` resolves once both are on disk (the next commit), or rejects when that commit failed (the
   * report is then not in the file).
   */
  add(
    target: string,
    request: string,
    message: string,
    acceptedAt: number,
    replaces?: number,
  ): { id: number; durable: Promise<void> } {
    const id = this.nextId++;
    this.write({
      kind: 'insert',
      row: [id, target, request, message, acceptedAt],
      ...(replaces !== undefined && { replaces }),
    });
    return { id, durable: this.commit() };
  }

  /** Settles a waiting report as dropped: once on disk, it is only ever answered `dropped`, never sent. */
  drop(id: number): Promise<void> {
    this.write({ kind: 'settle', id, settlement: 'dropped' });
    return this.commit();
  }

  /**
   * Forgets a report as its answer is given: delivered, finally refused, superseded or dropped. It reaches the disk
   * with the next commit, never before the answer has left (`answerLeft`); `commit()` when the target's next report
   * must not be sent before it.
   */
  delete(id: number): number {
    return this.write({ kind: 'delete', id });
  }

  /** Whether the write `seq` (what `delete` returned) is on disk. */
  isDurable(seq: number): boolean {
    return seq <= this.durableThrough;
  }

  /** Counts a delivery try that will be retried (with the next commit). */
  recordAttempt(id: number, error: string): void {
    this.write({ kind: 'attempt', id, error });
  }

  /** Whether writes wait for a commit. */
  get dirty(): boolean {
    return this.queued.length > 0;
  }

  /**
   * Resolves once every write asked for so far is on disk: one transaction, one fsync for all of them, two turns of
   * the event loop after the first asked for it (`answerLeft`), so the writes of reports taken together share it.
   */
  commit(): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the outbox file is closed'));
    const done = new Promise<void>((resolve, reject) => this.waiting.push({ resolve, reject }));
    if (!this.soon) {
      this.soon = true;
      void answerLeft().then(() => this.commitNow());
    }
    return done;
  }

  private write(write: Asked): number {
    if (this.closed) throw new Error('the outbox file is closed');
    const seq = ++this.asked;
    this.queued.push({ ...write, seq } as Write);
    // A write nobody waits for still reaches the disk on its own.
    this.idle ??= this.clock.setTimer(() => void this.commit().catch(() => undefined), IDLE_COMMIT_MS).unref();
    return seq;
  }

  /** Commits what is queued; each waiter is told. A failed commit keeps the deletes and counts for the next. */
  private commitNow(): void {
    this.soon = false;
    this.clock.clearTimer(this.idle);
    this.idle = undefined;
    const writes = this.queued;
    const waiters = this.waiting;
    this.queued = [];
    this.waiting = [];
    if (this.closed) return waiters.forEach((w) => w.reject(new Error('the outbox file is closed')));
    try {
      if (writes.length > 0) {
        this.db.exec('BEGIN IMMEDIATE');
        try {
          for (const write of writes) this.apply(write);
          this.db.exec('COMMIT');
        } catch (error) {
          this.db.exec('ROLLBACK');
          throw error;
        }
        this.commits.count++;
        this.commits.writes += writes.length;
        this.durableThrough = writes.at(-1)!.seq;
      }
    } catch (error) {
      // The reports taken in it are not on disk (their `durable` rejects); what was queued for the file stays queued.
      this.queued = [...writes.filter((w) => w.kind !== 'insert'), ...this.queued];
      for (const waiter of waiters) waiter.reject(error as Error);
      return;
    }
    for (const waiter of waiters) waiter.resolve();
  }

  private apply(write: Write): void {
    switch (write.kind) {
      case 'insert':
        this.insert.run(...write.row);
        if (write.replaces !== undefined) this.settle.run('superseded', write.row[0], write.replaces);
        return;
      case 'settle':
        this.settle.run(write.settlement, null, write.id);
        return;
      case 'delete':
        this.remove.run(write.id);
        return;
      case 'attempt':
        this.attempt.run(write.error, write.id);
        return;
    }
  }

  /** Commits what is queued, then closes the file. */
  close(): void {
    if (this.closed) return;
    this.commitNow();
    this.closed = true;
    this.clock.clearTimer(this.idle);
    this.db.close();
  }
}
