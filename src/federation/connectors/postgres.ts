import net from 'node:net';
import pg from 'pg';
import Cursor from 'pg-cursor';
import type { SourceSpec } from '../../catalog/model.js';
import { mapPostgresType } from '../typemap/postgres.js';
import { connectError, isConnectionError, sourceError } from '../errors.js';
import { QueryWatch } from './cancel.js';
import type { Connector, RemoteStatement, RemoteTableMeta, RowSink, RunOptions, SourceTransaction, WriteResult } from './connector.js';

/** Every value arrives as PostgreSQL text; the loader parses it into DuckDB's storage. */
const RAW_TEXT = { getTypeParser: () => (v: string) => v };

/** Session settings that make the text forms predictable for the loader. */
const SESSION_OPTIONS = '-c DateStyle=ISO -c IntervalStyle=postgres -c TimeZone=UTC -c extra_float_digits=3 -c bytea_output=hex';

const DISCOVER_SQL = `
SELECT n.nspname AS schema, c.relname AS table, c.reltuples::float8 AS estimate,
       a.attname AS column, format_type(a.atttypid, a.atttypmod) AS formatted,
       bt.typname, bt.typcategory, et.typname AS elem_typname,
       CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE a.atttypmod END AS typmod,
       a.attnotnull AS notnull,
       coalesce((SELECT k.n FROM pg_index i, unnest(i.indkey) WITH ORDINALITY AS k(attnum, n)
                 WHERE i.indrelid = c.oid AND i.indisprimary AND k.attnum = a.attnum), 0) AS pk_pos
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
JOIN pg_type t ON t.oid = a.atttypid
JOIN pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
LEFT JOIN pg_type et ON et.oid = bt.typelem AND bt.typcategory = 'A'
WHERE c.relkind IN ('r', 'v', 'm', 'f', 'p') AND n.nspname = $1 AND ($2::text[] IS NULL OR c.relname = ANY($2))
ORDER BY c.relname, a.attnum`;

interface DiscoverRow {
  schema: string;
  table: string;
  estimate: string;
  column: string;
  formatted: string;
  typname: string;
  typcategory: string;
  elem_typname: string | null;
  typmod: string;
  notnull: string;
  pk_pos: string;
}

/** Sends PostgreSQL's CancelRequest for a backend (no authentication needed). */
function sendCancelRequest(host: string, port: number, pid: number, secret: number): Promise<void> {
  return new Promise((resolve) => {
    const sock = net.connect(port, host, () => {
      const b = Buffer.alloc(16);
      b.writeInt32BE(16, 0);
      b.writeInt32BE(80877102, 4);
      b.writeInt32BE(pid, 8);
      b.writeInt32BE(secret, 12);
      sock.end(b);
    });
    sock.setTimeout(5000, () => sock.destroy());
    sock.on('close', () => resolve());
    sock.on('error', () => resolve());
  });
}

type PgClient = pg.PoolClient & { processID: number | null; secretKey: number | null; host: string; port: number };

/** PostgreSQL through `pg`: a pool per source, cursors for bounded streaming. */
export class PostgresConnector implements Connector {
  readonly dialect = 'postgres' as const;
  readonly pgText = true;
  private readonly pool: pg.Pool;
  private busy = 0;
  private readonly guarded = new WeakSet<object>();

  constructor(readonly spec: SourceSpec) {
    const config: pg.PoolConfig = {
      max: spec.poolSize,
      connectionTimeoutMillis: spec.connectTimeoutMs,
      idleTimeoutMillis: 30_000,
      allowExitOnIdle: true,
      application_name: 'lakegate',
      options: SESSION_OPTIONS,
      types: RAW_TEXT,
    };
    if (spec.url) config.connectionString = spec.url;
    if (spec.host !== undefined) config.host = spec.host;
    if (spec.port !== undefined) config.port = spec.port;
    if (spec.user !== undefined) config.user = spec.user;
    if (spec.password !== undefined) config.password = spec.password;
    if (spec.database !== undefined) config.database = spec.database;
    this.pool = new pg.Pool(config);
    // an idle connection that breaks (source restarted) must not bring the gateway down
    this.pool.on('error', () => undefined);
  }

  defaultSchema(): string {
    return this.spec.defaultSchema ?? 'public';
  }

  private async acquire(): Promise<PgClient> {
    let client: PgClient;
    try {
      client = (await this.pool.connect()) as PgClient;
    } catch (e) {
      throw connectError(this.spec.name, e);
    }
    if (!this.guarded.has(client)) {
      this.guarded.add(client);
      // errors also reach the running query; this keeps an unhandled 'error' event from crashing the process
      client.on('error', () => undefined);
    }
    this.busy++;
    return client;
  }

  private release(client: PgClient, broken: boolean): void {
    this.busy--;
    client.release(broken ? true : undefined);
  }

  async ping(): Promise<void> {
    const c = await this.acquire();
    try {
      await c.query('SELECT 1');
      this.release(c, false);
    } catch (e) {
      this.release(c, true);
      throw sourceError(this.spec.name, e, false);
    }
  }

  async discover(schema: string, tables: string[] | null): Promise<RemoteTableMeta[]> {
    const c = await this.acquire();
    let rows: DiscoverRow[];
    try {
      rows = (await c.query<DiscoverRow>(DISCOVER_SQL, [schema, tables])).rows;
      this.release(c, false);
    } catch (e) {
      this.release(c, isConnectionError(e));
      throw sourceError(this.spec.name, e);
    }
    const out = new Map<string, RemoteTableMeta & { pk: [number, string][] }>();
    for (const r of rows) {
      let t = out.get(r.table);
      if (!t) {
        const est = Number(r.estimate);
        t = { schema: r.schema, name: r.table, columns: [], primaryKey: [], rowEstimate: est >= 0 ? est : null, pk: [] };
        out.set(r.table, t);
      }
      t.columns.push({
        name: r.column,
        remoteType: r.formatted,
        type: mapPostgresType({ typname: r.typname, category: r.typcategory, typmod: Number(r.typmod), elemTypname: r.elem_typname ?? undefined }),
        nullable: r.notnull !== 't',
      });
      if (Number(r.pk_pos) > 0) t.pk.push([Number(r.pk_pos), r.column]);
    }
    return [...out.values()].map(({ pk, ...t }) => ({ ...t, primaryKey: pk.sort((a, b) => a[0] - b[0]).map((p) => p[1]) }));
  }

  private watch(client: PgClient, opts: RunOptions): QueryWatch {
    return new QueryWatch(this.spec.name, opts.signal, opts.timeoutMs, () => {
      if (client.processID === null || client.secretKey === null) return;
      return sendCancelRequest(client.host, client.port, client.processID, client.secretKey);
    });
  }

  async query(stmt: RemoteStatement, sink: RowSink, opts: RunOptions): Promise<number> {
    const pinned = opts.transaction?.handle as PgClient | undefined;
    const client = pinned ?? (await this.acquire());
    const watch = this.watch(client, opts);
    let broken = false;
    let rows = 0;
    const cursor = client.query(new Cursor(stmt.sql, stmt.parameters as unknown[], { rowMode: 'array', types: RAW_TEXT }));
    let next: Promise<unknown[][]> | null = null;
    try {
      watch.check();
      next = cursor.read(opts.batchRows) as Promise<unknown[][]>;
      for (;;) {
        const batch = await next;
        next = null;
        if (batch.length === 0) break;
        rows += batch.length;
        // the source produces the next batch while this one is loaded
        if (batch.length === opts.batchRows) {
          next = cursor.read(opts.batchRows) as Promise<unknown[][]>;
          next.catch(() => undefined);
        }
        await sink(batch);
        watch.check();
        if (!next) break;
      }
      await cursor.close();
      return rows;
    } catch (e) {
      if (next) await next.catch(() => undefined);
      broken = isConnectionError(e);
      if (!broken) await cursor.close().catch(() => (broken = true));
      throw watch.failure() ?? sourceError(this.spec.name, e);
    } finally {
      watch.done();
      if (!pinned) this.release(client, broken);
    }
  }

  async write(stmt: RemoteStatement, sink: RowSink | null, opts: RunOptions): Promise<WriteResult> {
    const pinned = opts.transaction?.handle as PgClient | undefined;
    const client = pinned ?? (await this.acquire());
    const watch = this.watch(client, opts);
    let broken = false;
    try {
      watch.check();
      const res = await client.query({ text: stmt.sql, values: stmt.parameters as unknown[], rowMode: 'array', types: RAW_TEXT });
      if (sink && res.rows.length > 0) await sink(res.rows as unknown[][]);
      return { affected: res.rowCount ?? 0 };
    } catch (e) {
      broken = isConnectionError(e);
      throw watch.failure() ?? sourceError(this.spec.name, e);
    } finally {
      watch.done();
      if (!pinned) this.release(client, broken);
    }
  }

  async begin(): Promise<SourceTransaction> {
    const client = await this.acquire();
    try {
      await client.query('BEGIN');
    } catch (e) {
      this.release(client, true);
      throw sourceError(this.spec.name, e);
    }
    return { source: this.spec.name, handle: client };
  }

  async commit(tx: SourceTransaction): Promise<void> {
    await this.finish(tx, 'COMMIT');
  }

  async rollback(tx: SourceTransaction): Promise<void> {
    await this.finish(tx, 'ROLLBACK');
  }

  private async finish(tx: SourceTransaction, sql: string): Promise<void> {
    const client = tx.handle as PgClient;
    try {
      await client.query(sql);
      this.release(client, false);
    } catch (e) {
      this.release(client, true);
      throw sourceError(this.spec.name, e);
    }
  }

  busyConnections(): number {
    return this.busy;
  }

  async close(): Promise<void> {
    await this.pool.end().catch(() => undefined);
  }
}
