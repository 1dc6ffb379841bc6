import mysql from 'mysql2';
import type { SourceSpec } from '../../catalog/model.js';
import { mapMysqlType } from '../typemap/mysql.js';
import { connectError, isConnectionError, sourceError } from '../errors.js';
import { QueryWatch } from './cancel.js';
import type { Connector, RemoteStatement, RemoteTableMeta, RowSink, RunOptions, SourceTransaction, WriteResult } from './connector.js';

type Conn = mysql.PoolConnection;

interface ColumnRow {
  TABLE_SCHEMA: string;
  TABLE_NAME: string;
  COLUMN_NAME: string;
  DATA_TYPE: string;
  COLUMN_TYPE: string;
  NUMERIC_PRECISION: string | number | null;
  NUMERIC_SCALE: string | number | null;
  IS_NULLABLE: string;
  TABLE_ROWS: string | number | null;
}

/**
 * MySQL and MariaDB through `mysql2`: server-side prepared statements (binary
 * protocol, typed values), rows streamed with the connection paused while a
 * batch is loaded, and KILL QUERY from a separate connection to cancel.
 */
export class MysqlConnector implements Connector {
  readonly dialect = 'mysql' as const;
  readonly pgText = false;
  private readonly pool: mysql.Pool;
  private readonly options: mysql.PoolOptions;
  private busy = 0;

  constructor(readonly spec: SourceSpec) {
    const o: mysql.PoolOptions = {
      connectionLimit: spec.poolSize,
      connectTimeout: spec.connectTimeoutMs,
      timezone: 'Z',
      dateStrings: true,
      supportBigNumbers: true,
      bigNumberStrings: true,
      jsonStrings: true,
      decimalNumbers: false,
      multipleStatements: false,
      waitForConnections: true,
      maxIdle: spec.poolSize,
      idleTimeout: 30_000,
    };
    if (spec.url) o.uri = spec.url;
    if (spec.host !== undefined) o.host = spec.host;
    if (spec.port !== undefined) o.port = spec.port;
    if (spec.user !== undefined) o.user = spec.user;
    if (spec.password !== undefined) o.password = spec.password;
    if (spec.database !== undefined) o.database = spec.database;
    this.options = o;
    this.pool = mysql.createPool(o);
    this.pool.on('connection', (c) => {
      c.on('error', () => undefined);
      // TIMESTAMP values in UTC, as DuckDB computes
      c.query("SET time_zone = '+00:00'");
    });
  }

  defaultSchema(): string {
    const db = this.spec.defaultSchema ?? this.spec.database ?? (this.spec.url ? new URL(this.spec.url).pathname.replace(/^\//, '') : '');
    return decodeURIComponent(db);
  }

  private acquire(): Promise<Conn> {
    return new Promise((resolve, reject) => {
      this.pool.getConnection((err, conn) => {
        if (err) reject(connectError(this.spec.name, err));
        else {
          this.busy++;
          resolve(conn);
        }
      });
    });
  }

  private release(conn: Conn, broken: boolean): void {
    this.busy--;
    if (broken) conn.destroy();
    else conn.release();
  }

  private run<T>(conn: Conn, sql: string, values: readonly unknown[] = []): Promise<T> {
    return new Promise((resolve, reject) => {
      conn.execute({ sql, values: values as never[] }, (err, res) => (err ? reject(err) : resolve(res as T)));
    });
  }

  async ping(): Promise<void> {
    const c = await this.acquire();
    try {
      await this.run(c, 'SELECT 1');
      this.release(c, false);
    } catch (e) {
      this.release(c, true);
      throw sourceError(this.spec.name, e, false);
    }
  }

  async discover(schema: string, tables: string[] | null): Promise<RemoteTableMeta[]> {
    const c = await this.acquire();
    let cols: ColumnRow[];
    let pk: { TABLE_NAME: string; COLUMN_NAME: string }[];
    let jsonChecks: { TABLE_NAME: string; CHECK_CLAUSE: string }[] = [];
    const filter = tables ? ` AND c.TABLE_NAME IN (${tables.map(() => '?').join(', ')})` : '';
    const params = [schema, ...(tables ?? [])];
    try {
      cols = await this.run<ColumnRow[]>(
        c,
        `SELECT c.TABLE_SCHEMA, c.TABLE_NAME, c.COLUMN_NAME, c.DATA_TYPE, c.COLUMN_TYPE, c.NUMERIC_PRECISION, c.NUMERIC_SCALE, c.IS_NULLABLE, t.TABLE_ROWS
         FROM information_schema.COLUMNS c JOIN information_schema.TABLES t ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME
         WHERE c.TABLE_SCHEMA = ?${filter} ORDER BY c.TABLE_NAME, c.ORDINAL_POSITION`,
        params,
      );
      pk = await this.run(
        c,
        `SELECT c.TABLE_NAME, c.COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE c
         WHERE c.TABLE_SCHEMA = ? AND c.CONSTRAINT_NAME = 'PRIMARY'${filter} ORDER BY c.TABLE_NAME, c.ORDINAL_POSITION`,
        params,
      );
      // MariaDB's JSON is LONGTEXT with a json_valid() check constraint
      jsonChecks = await this.run<{ TABLE_NAME: string; CHECK_CLAUSE: string }[]>(
        c,
        `SELECT c.TABLE_NAME, c.CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS c WHERE c.CONSTRAINT_SCHEMA = ?${filter}`,
        params,
      ).catch(() => []);
      this.release(c, false);
    } catch (e) {
      this.release(c, isConnectionError(e));
      throw sourceError(this.spec.name, e);
    }
    const jsonColumns = new Set<string>();
    for (const j of jsonChecks) {
      const m = /^json_valid\(`((?:[^`]|``)+)`\)$/i.exec(j.CHECK_CLAUSE.trim());
      if (m) jsonColumns.add(`${j.TABLE_NAME}\u0000${m[1]!.replace(/``/g, '`')}`);
    }
    const out = new Map<string, RemoteTableMeta>();
    for (const r of cols) {
      let t = out.get(r.TABLE_NAME);
      if (!t) {
        t = { schema: r.TABLE_SCHEMA, name: r.TABLE_NAME, columns: [], primaryKey: [], rowEstimate: r.TABLE_ROWS === null ? null : Number(r.TABLE_ROWS) };
        out.set(r.TABLE_NAME, t);
      }
      t.columns.push({
        name: r.COLUMN_NAME,
        remoteType: r.COLUMN_TYPE,
        type: mapMysqlType({
          dataType: r.DATA_TYPE.toLowerCase(),
          columnType: r.COLUMN_TYPE,
          precision: r.NUMERIC_PRECISION === null ? null : Number(r.NUMERIC_PRECISION),
          scale: r.NUMERIC_SCALE === null ? null : Number(r.NUMERIC_SCALE),
          isJson: jsonColumns.has(`${r.TABLE_NAME}\u0000${r.COLUMN_NAME}`),
        }),
        nullable: r.IS_NULLABLE === 'YES',
      });
    }
    for (const p of pk) out.get(p.TABLE_NAME)?.primaryKey.push(p.COLUMN_NAME);
    return [...out.values()];
  }

  /** KILL QUERY from a connection of its own (the pool may be exhausted). */
  private killQuery(threadId: number | null): Promise<void> {
    if (threadId === null) return Promise.resolve();
    return new Promise((resolve) => {
      const { connectionLimit, maxIdle, idleTimeout, waitForConnections, ...single } = this.options;
      void connectionLimit;
      void maxIdle;
      void idleTimeout;
      void waitForConnections;
      const killer = mysql.createConnection(single);
      killer.on('error', () => undefined);
      killer.query(`KILL QUERY ${Number(threadId)}`, () => {
        killer.end(() => resolve());
      });
    });
  }

  private watch(conn: Conn, opts: RunOptions): QueryWatch {
    return new QueryWatch(this.spec.name, opts.signal, opts.timeoutMs, () => this.killQuery(conn.threadId));
  }

  query(stmt: RemoteStatement, sink: RowSink, opts: RunOptions): Promise<number> {
    return this.stream(stmt, sink, opts).then((r) => r.rows);
  }

  private async stream(stmt: RemoteStatement, sink: RowSink | null, opts: RunOptions): Promise<{ rows: number; header: mysql.ResultSetHeader | null }> {
    const pinned = opts.transaction?.handle as Conn | undefined;
    const conn = pinned ?? (await this.acquire());
    const watch = this.watch(conn, opts);
    let broken = false;
    try {
      watch.check();
      return await new Promise((resolve, reject) => {
        let batch: unknown[][] = [];
        let rows = 0;
        let header: mysql.ResultSetHeader | null = null;
        let sinkError: unknown = null;
        let pending: Promise<void> = Promise.resolve();
        const flush = (): void => {
          if (batch.length === 0 || !sink) return;
          const b = batch;
          batch = [];
          conn.pause();
          pending = pending
            .then(() => (sinkError ? undefined : sink(b)))
            .catch((e: unknown) => {
              if (!sinkError) {
                sinkError = e;
                void this.killQuery(conn.threadId);
              }
            })
            .finally(() => conn.resume());
        };
        const cmd = conn.execute({ sql: stmt.sql, values: stmt.parameters as never[], rowsAsArray: true });
        cmd.on('result', (row: unknown) => {
          if (Array.isArray(row)) {
            rows++;
            if (sink) {
              batch.push(row);
              if (batch.length >= opts.batchRows) flush();
            }
          } else header = row as mysql.ResultSetHeader;
        });
        cmd.on('error', (e: Error) => {
          void pending.then(() => reject(sinkError ?? e));
        });
        cmd.on('end', () => {
          flush();
          void pending.then(() => (sinkError ? reject(sinkError) : resolve({ rows, header })));
        });
      });
    } catch (e) {
      broken = isConnectionError(e);
      throw watch.failure() ?? sourceError(this.spec.name, e);
    } finally {
      watch.done();
      if (!pinned) this.release(conn, broken);
    }
  }

  async write(stmt: RemoteStatement, sink: RowSink | null, opts: RunOptions): Promise<WriteResult> {
    const r = await this.stream(stmt, sink, opts);
    return { affected: r.header ? r.header.affectedRows : r.rows };
  }

  async begin(): Promise<SourceTransaction> {
    const conn = await this.acquire();
    try {
      await new Promise<void>((resolve, reject) => conn.query('START TRANSACTION', (err) => (err ? reject(err) : resolve())));
    } catch (e) {
      this.release(conn, true);
      throw sourceError(this.spec.name, e);
    }
    return { source: this.spec.name, handle: conn };
  }

  commit(tx: SourceTransaction): Promise<void> {
    return this.finish(tx, 'COMMIT');
  }

  rollback(tx: SourceTransaction): Promise<void> {
    return this.finish(tx, 'ROLLBACK');
  }

  private async finish(tx: SourceTransaction, sql: string): Promise<void> {
    const conn = tx.handle as Conn;
    try {
      await new Promise<void>((resolve, reject) => conn.query(sql, (err) => (err ? reject(err) : resolve())));
      this.release(conn, false);
    } catch (e) {
      this.release(conn, true);
      throw sourceError(this.spec.name, e);
    }
  }

  busyConnections(): number {
    return this.busy;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.pool.end(() => resolve()));
  }
}
