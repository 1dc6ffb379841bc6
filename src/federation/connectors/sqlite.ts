import Database from 'better-sqlite3';
import type { SourceSpec } from '../../catalog/model.js';
import { PgError, SqlState } from '../../errors.js';
import { mapSqliteType } from '../typemap/sqlite.js';
import { connectError, sourceError } from '../errors.js';
import { QueryWatch } from './cancel.js';
import type { Connector, RemoteStatement, RemoteTableMeta, RowSink, RunOptions, SourceTransaction, WriteResult } from './connector.js';

type Db = Database.Database;

/** better-sqlite3 binds numbers, bigints, strings, buffers and null. */
function bindable(v: unknown): unknown {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof Date) return v.toISOString();
  return v;
}

/**
 * A SQLite file through `better-sqlite3`. The driver is synchronous, so rows
 * are pulled from an iterator in batches and the event loop gets control back
 * between batches (where cancellation and timeouts are checked). An open
 * iterator keeps its handle busy, so concurrent scans use separate handles.
 */
export class SqliteConnector implements Connector {
  readonly dialect = 'sqlite' as const;
  readonly pgText = false;
  private readonly idle: Db[] = [];
  private open = 0;
  private busy = 0;
  private readonly waiters: ((db: Db) => void)[] = [];
  private closed = false;

  constructor(readonly spec: SourceSpec) {}

  defaultSchema(): string {
    return this.spec.defaultSchema ?? 'main';
  }

  private openHandle(): Db {
    try {
      const db = new Database(this.spec.path!, { readonly: this.spec.readOnly, fileMustExist: true, timeout: this.spec.connectTimeoutMs });
      // a file that is not a database fails here rather than at the first query
      db.prepare('SELECT count(*) FROM sqlite_master').get();
      return db;
    } catch (e) {
      throw connectError(this.spec.name, e);
    }
  }

  private async acquire(): Promise<Db> {
    if (this.closed) throw new PgError(SqlState.ConnectionFailure, `source "${this.spec.name}" is closed`);
    let db = this.idle.pop();
    if (!db) {
      if (this.open < this.spec.poolSize) {
        db = this.openHandle();
        this.open++;
      } else {
        db = await new Promise<Db>((resolve) => this.waiters.push(resolve));
      }
    }
    this.busy++;
    return db;
  }

  private release(db: Db): void {
    this.busy--;
    const w = this.waiters.shift();
    if (w) {
      this.busy++;
      w(db);
    } else if (this.closed) {
      db.close();
      this.open--;
    } else this.idle.push(db);
  }

  async ping(): Promise<void> {
    const db = await this.acquire();
    this.release(db);
  }

  async discover(schema: string, tables: string[] | null): Promise<RemoteTableMeta[]> {
    const db = await this.acquire();
    try {
      const names = db
        .prepare(`SELECT name FROM pragma_table_list WHERE schema = ? AND type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name`)
        .pluck()
        .all(schema) as string[];
      const wanted = tables ? names.filter((n) => tables.includes(n)) : names;
      const info = db.prepare('SELECT name, type, "notnull", pk FROM pragma_table_xinfo(?, ?) WHERE hidden = 0 ORDER BY cid');
      return wanted.map((name) => {
        const cols = info.all(name, schema) as { name: string; type: string; notnull: number; pk: number }[];
        return {
          schema,
          name,
          columns: cols.map((c) => ({ name: c.name, remoteType: c.type, type: mapSqliteType(c.type), nullable: c.notnull === 0 && c.pk === 0 })),
          primaryKey: cols
            .filter((c) => c.pk > 0)
            .sort((a, b) => a.pk - b.pk)
            .map((c) => c.name),
          rowEstimate: null,
        };
      });
    } catch (e) {
      throw sourceError(this.spec.name, e);
    } finally {
      this.release(db);
    }
  }

  private async iterate(db: Db, stmt: RemoteStatement, sink: RowSink | null, opts: RunOptions): Promise<{ rows: number; changes: number }> {
    const watch = new QueryWatch(this.spec.name, opts.signal, opts.timeoutMs, () => undefined);
    try {
      watch.check();
      const ps = db.prepare(stmt.sql);
      const params = stmt.parameters.map(bindable);
      if (!ps.reader) {
        const r = ps.run(...params);
        return { rows: 0, changes: r.changes };
      }
      ps.raw(true);
      ps.safeIntegers(true);
      const it = ps.iterate(...params) as IterableIterator<unknown[]>;
      let rows = 0;
      try {
        for (;;) {
          const batch: unknown[][] = [];
          let done = false;
          while (batch.length < opts.batchRows) {
            const n = it.next();
            if (n.done) {
              done = true;
              break;
            }
            batch.push(n.value);
          }
          rows += batch.length;
          if (batch.length > 0 && sink) await sink(batch);
          if (done) break;
          // let cancel requests and timers run between batches
          await new Promise<void>((resolve) => setImmediate(resolve));
          watch.check();
        }
      } finally {
        it.return?.();
      }
      return { rows, changes: rows };
    } catch (e) {
      throw watch.failure() ?? sourceError(this.spec.name, e);
    } finally {
      watch.done();
    }
  }

  async query(stmt: RemoteStatement, sink: RowSink, opts: RunOptions): Promise<number> {
    const pinned = opts.transaction?.handle as Db | undefined;
    const db = pinned ?? (await this.acquire());
    try {
      return (await this.iterate(db, stmt, sink, opts)).rows;
    } finally {
      if (!pinned) this.release(db);
    }
  }

  async write(stmt: RemoteStatement, sink: RowSink | null, opts: RunOptions): Promise<WriteResult> {
    const pinned = opts.transaction?.handle as Db | undefined;
    const db = pinned ?? (await this.acquire());
    try {
      return { affected: (await this.iterate(db, stmt, sink, opts)).changes };
    } finally {
      if (!pinned) this.release(db);
    }
  }

  async begin(): Promise<SourceTransaction> {
    // a handle of its own: another session's reads must not see uncommitted writes
    const db = this.openHandle();
    this.busy++;
    try {
      db.exec('BEGIN IMMEDIATE');
    } catch (e) {
      this.busy--;
      db.close();
      throw sourceError(this.spec.name, e);
    }
    return { source: this.spec.name, handle: db };
  }

  async commit(tx: SourceTransaction): Promise<void> {
    this.finish(tx, 'COMMIT');
  }

  async rollback(tx: SourceTransaction): Promise<void> {
    this.finish(tx, 'ROLLBACK');
  }

  private finish(tx: SourceTransaction, sql: string): void {
    const db = tx.handle as Db;
    this.busy--;
    try {
      if (db.inTransaction) db.exec(sql);
    } catch (e) {
      throw sourceError(this.spec.name, e);
    } finally {
      db.close();
    }
  }

  busyConnections(): number {
    return this.busy;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const db of this.idle.splice(0)) {
      db.close();
      this.open--;
    }
  }
}
