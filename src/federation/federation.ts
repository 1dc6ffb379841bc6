import type { Catalog, RemoteTable, SourceSpec } from '../catalog/model.js';
import { quoteIdent, quoteLiteral } from '../catalog/install.js';
import type { EngineConnection } from '../engine/connection.js';
import type { Engine } from '../engine/engine.js';
import type { Logger } from '../observability/logger.js';
import { parseSql, type AstNode } from '../sql/ast.js';
import type { Token } from '../sql/scanner.js';
import type { DuckType } from '../types/duck-type.js';
import type { Dialect } from './dialect.js';
import type { LocalColumn, PlanContext } from './plan/planner.js';
import { statementRelations } from './plan/relations.js';
import { parseSearchPath, resolveRangeVar, type NameContext } from './plan/resolve.js';
import { duckTypeDdl, typeNameFamily } from './column-type.js';
import type { Connector, RemoteTableMeta } from './connectors/connector.js';
import { MysqlConnector } from './connectors/mysql.js';
import { PostgresConnector } from './connectors/postgres.js';
import { SqliteConnector } from './connectors/sqlite.js';
import { sourceUnavailable } from './errors.js';
import { globMatcher, uniqueColumnNames, type FederatedTable, type PendingTable } from './table.js';

/** One statement lakegate sent to a source, for EXPLAIN, the query log and metrics. */
export interface RemoteQueryRecord {
  source: string;
  /** The catalog table it read or wrote (schema.name), or null for a whole pushed-down statement. */
  table: string | null;
  kind: 'scan' | 'statement' | 'write';
  /** The SQL sent, in the source's dialect, with its placeholders. */
  sql: string;
  parameterCount: number;
  /** Rows the source returned (for writes: rows affected). */
  rows: number;
  /** Columns fetched. */
  columns: number;
  ms: number;
  error?: string;
  /** Backend process id of the client session. */
  sessionPid?: number;
  at: Date;
}

export type RemoteQueryListener = (r: RemoteQueryRecord) => void;

export interface SourceStatus {
  name: string;
  kind: SourceSpec['kind'];
  up: boolean;
  error: string | null;
  tables: number;
}

interface SourceState {
  spec: SourceSpec;
  /** Null for duckdb files, which DuckDB attaches natively. */
  connector: Connector | null;
  up: boolean;
  error: string | null;
  lastAttempt: number;
  retry: NodeJS.Timeout | null;
  discovering: Promise<boolean> | null;
}

const HISTORY_SIZE = 1000;

function key(schema: string, name: string): string {
  return `${schema.toLowerCase()}\u0000${name.toLowerCase()}`;
}

function specKey(s: SourceSpec): string {
  return JSON.stringify(s);
}

/** The DuckDB name under which a duckdb-file source is attached. */
export function attachedName(source: string): string {
  return `lakegate_src_${source}`;
}

function createConnector(spec: SourceSpec): Connector | null {
  switch (spec.kind) {
    case 'postgres':
      return new PostgresConnector(spec);
    case 'mysql':
      return new MysqlConnector(spec);
    case 'sqlite':
      return new SqliteConnector(spec);
    case 'duckdb':
      return null;
  }
}

/**
 * The attached databases of a catalog: a connector per source, the remote
 * tables discovered on them, and the DuckDB objects that make those tables
 * visible. Each remote table is installed as an empty typed DuckDB table of
 * the same name in its catalog schema (a "stub"): it gives DuckDB the column
 * types for Parse/Describe and makes the table appear in information_schema
 * and the pg_catalog emulation. Statements never read a stub: the planner
 * replaces every reference with the rows fetched from the source.
 */
export class Federation {
  private sources = new Map<string, SourceState>();
  private tables = new Map<string, FederatedTable>();
  private pending = new Map<string, PendingTable>();
  /** Catalog schemas importing from a source that is down (their table names are unknown). */
  private pendingImports = new Map<string, string>();
  private names = new Set<string>();
  private installed: { schema: string; name: string }[] = [];
  private attached = new Set<string>();
  /** Views over tables of attached duckdb files: catalog name → source. */
  private duckdbViews = new Map<string, string>();
  private engine: Engine | null = null;
  private catalog: Catalog;
  private listeners: RemoteQueryListener[] = [];
  /** The admin connection runs one federation job at a time (install, recovery, metadata reads). */
  private adminQueue: Promise<unknown> = Promise.resolve();
  readonly history: RemoteQueryRecord[] = [];
  /** Bumped whenever the set of remote tables changes (plans cached against it go stale). */
  version = 0;
  private localColumnsCache: { version: number; map: Promise<Map<string, LocalColumn[]>> } | null = null;
  private viewsCache: { version: number; views: Map<string, AstNode> } | null = null;
  private closed = false;

  private constructor(
    catalog: Catalog,
    private readonly log: Logger,
  ) {
    this.catalog = catalog;
  }

  /** Connects to every source and discovers its tables; a source that is down is retried in the background. */
  static async start(catalog: Catalog, opts: { log: Logger }): Promise<Federation> {
    const f = new Federation(catalog, opts.log);
    await f.applySources(catalog);
    return f;
  }

  private async applySources(catalog: Catalog): Promise<void> {
    const next = new Map<string, SourceState>();
    for (const spec of catalog.sources) {
      const old = this.sources.get(spec.name);
      if (old && specKey(old.spec) === specKey(spec)) {
        next.set(spec.name, old);
        continue;
      }
      if (old) this.retire(old);
      next.set(spec.name, { spec, connector: createConnector(spec), up: false, error: null, lastAttempt: 0, retry: null, discovering: null });
    }
    for (const [name, old] of this.sources) if (!next.has(name)) this.retire(old);
    this.sources = next;
    this.catalog = catalog;
    this.tables.clear();
    this.pending.clear();
    this.pendingImports.clear();
    await Promise.all([...this.sources.values()].map((s) => this.discover(s)));
    this.rebuildNames();
  }

  private retire(s: SourceState): void {
    if (s.retry) clearTimeout(s.retry);
    s.retry = null;
    void s.connector?.close();
  }

  /** Loads a changed catalog: new, changed and removed sources, and rediscovery of every table. */
  async reload(catalog: Catalog): Promise<void> {
    await this.applySources(catalog);
    if (this.engine) await this.install(this.engine);
  }

  /** Tables of the catalog that come from `source`. */
  private mapped(source: string): { tables: RemoteTable[]; imports: Catalog['imports'] } {
    return {
      tables: this.catalog.objects.filter((o): o is RemoteTable => o.kind === 'remote' && o.source === source),
      imports: this.catalog.imports.filter((i) => i.source === source),
    };
  }

  /** Discovers one source's tables; true when it is reachable. */
  private discover(s: SourceState): Promise<boolean> {
    s.discovering ??= this.discoverNow(s).finally(() => (s.discovering = null));
    return s.discovering;
  }

  private async discoverNow(s: SourceState): Promise<boolean> {
    s.lastAttempt = Date.now();
    const { tables, imports } = this.mapped(s.spec.name);
    if (!s.connector) {
      // duckdb files are attached at install time
      s.up = true;
      return true;
    }
    const found: FederatedTable[] = [];
    try {
      await s.connector.ping();
      const bySchema = new Map<string, RemoteTable[]>();
      for (const t of tables) {
        const schema = t.remoteSchema ?? s.connector.defaultSchema();
        bySchema.set(schema, [...(bySchema.get(schema) ?? []), t]);
      }
      for (const [schema, list] of bySchema) {
        const metas = await s.connector.discover(schema, [...new Set(list.map((t) => t.remoteTable))]);
        for (const t of list) {
          const meta = metas.find((m) => m.name === t.remoteTable);
          if (!meta) {
            this.log.warn({ source: s.spec.name, table: `${schema}.${t.remoteTable}` }, `source "${s.spec.name}" has no table ${schema}.${t.remoteTable}; ${t.schema}.${t.name} is not available`);
            continue;
          }
          found.push(this.federated(t.schema, t.name, s.spec.name, meta, t.comment));
        }
      }
      for (const imp of imports) {
        const schema = imp.remoteSchema ?? s.connector.defaultSchema();
        const include = imp.include.length ? globMatcher(imp.include) : () => true;
        const exclude = globMatcher(imp.exclude);
        for (const meta of await s.connector.discover(schema, null)) {
          if (include(meta.name) && !exclude(meta.name)) found.push(this.federated(imp.schema, meta.name, s.spec.name, meta));
        }
      }
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      const wasUp = s.up;
      s.up = false;
      s.error = msg;
      for (const [k, t] of this.tables) if (t.source === s.spec.name) this.tables.delete(k);
      for (const t of tables) this.pending.set(key(t.schema, t.name), { schema: t.schema, name: t.name, source: s.spec.name });
      for (const i of imports) this.pendingImports.set(i.schema.toLowerCase(), s.spec.name);
      this.log.warn({ source: s.spec.name, err: msg }, `source "${s.spec.name}" is unavailable; its tables answer with an error until it is back`);
      if (wasUp) this.version++;
      this.scheduleRetry(s);
      return false;
    }
    for (const t of tables) this.pending.delete(key(t.schema, t.name));
    for (const i of imports) if (this.pendingImports.get(i.schema.toLowerCase()) === s.spec.name) this.pendingImports.delete(i.schema.toLowerCase());
    const local = new Set(this.catalog.objects.filter((o) => o.kind !== 'remote').map((o) => key(o.schema, o.name)));
    for (const t of found) {
      const k = key(t.schema, t.name);
      if (local.has(k)) {
        this.log.warn({ table: `${t.schema}.${t.name}` }, `imported table ${t.schema}.${t.name} has the name of a lake table or view; it is skipped`);
        continue;
      }
      const existing = this.tables.get(k);
      if (existing && existing.source !== t.source) {
        this.log.warn({ table: `${t.schema}.${t.name}` }, `${t.schema}.${t.name} is provided by two sources; keeping "${existing.source}"`);
        continue;
      }
      this.tables.set(k, t);
    }
    s.up = true;
    s.error = null;
    this.version++;
    return true;
  }

  private federated(schema: string, name: string, source: string, meta: RemoteTableMeta, comment?: string): FederatedTable {
    const exposed = uniqueColumnNames(meta.columns.map((c) => c.name));
    return {
      schema,
      name,
      source,
      remoteSchema: meta.schema,
      remoteTable: meta.name,
      columns: meta.columns.map((c, i) => ({ name: exposed[i]!, remoteName: c.name, remoteType: c.remoteType, type: c.type, nullable: c.nullable })),
      primaryKey: meta.primaryKey,
      rowEstimate: meta.rowEstimate,
      comment,
    };
  }

  private scheduleRetry(s: SourceState): void {
    if (this.closed || s.retry) return;
    s.retry = setTimeout(() => {
      s.retry = null;
      void this.recover(s.spec.name);
    }, s.spec.retryIntervalMs);
    s.retry.unref();
  }

  /** Tries a source that is down again; installs its tables when it answers. */
  async recover(source: string): Promise<boolean> {
    const s = this.sources.get(source);
    if (!s || this.closed) return false;
    if (s.up) return true;
    const ok = await this.discover(s);
    if (ok) {
      this.rebuildNames();
      if (this.engine) await this.install(this.engine).catch((e: unknown) => this.log.error({ err: e }, 'installing recovered source tables failed'));
      this.log.info({ source }, `source "${source}" is available again`);
    }
    return ok;
  }

  /**
   * The error for a table whose source is down: tries the source again first
   * when the last attempt is more than a second old.
   */
  async unavailable(source: string): Promise<Error | null> {
    const s = this.sources.get(source);
    if (!s) return sourceUnavailable(source, 'no such source');
    if (s.up) return null;
    if (Date.now() - s.lastAttempt > 1000 && (await this.recover(source))) return null;
    return sourceUnavailable(source, s.error);
  }

  private rebuildNames(): void {
    const names = new Set<string>();
    for (const t of this.tables.values()) names.add(t.name.toLowerCase());
    for (const k of this.federatedViews().keys()) names.add(k.split('\u0000')[1]!);
    for (const t of this.pending.values()) names.add(t.name.toLowerCase());
    for (const schema of this.pendingImports.keys()) names.add(schema);
    this.names = names;
  }

  /**
   * Installs the remote tables into DuckDB: stubs for remote tables, ATTACH
   * and views for duckdb files. Call before `engine.lock()` (ATTACH needs
   * file access) and before catalog views are created (they may select from
   * remote tables).
   */
  install(engine: Engine): Promise<void> {
    this.engine = engine;
    return this.onAdmin(() => this.installNow(engine));
  }

  /** Runs `fn` when no other federation job uses the admin connection. */
  private onAdmin<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.adminQueue.then(fn, fn);
    this.adminQueue = run.catch(() => undefined);
    return run;
  }

  private async installNow(engine: Engine): Promise<void> {
    const conn = engine.adminConnection;
    for (const s of this.sources.values()) {
      if (s.spec.kind === 'duckdb') await this.attachDuckdb(conn, s);
    }
    const keep = new Set<string>();
    for (const t of this.tables.values()) {
      const target = `${quoteIdent(t.schema)}.${quoteIdent(t.name)}`;
      await conn.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(t.schema)}`);
      const cols = t.columns.map((c) => `${quoteIdent(c.name)} ${duckTypeDdl(c.type)}`).join(', ');
      await conn.run(`CREATE OR REPLACE TABLE ${target} (${cols})`);
      const remote = `remote table ${t.remoteSchema}.${t.remoteTable} on source ${t.source}`;
      await conn.run(`COMMENT ON TABLE ${target} IS ${quoteLiteral(t.comment ? `${t.comment} (${remote})` : remote)}`);
      keep.add(key(t.schema, t.name));
    }
    for (const old of this.installed) {
      if (!keep.has(key(old.schema, old.name))) await conn.run(`DROP TABLE IF EXISTS ${quoteIdent(old.schema)}.${quoteIdent(old.name)}`).catch(() => undefined);
    }
    this.installed = [...this.tables.values()].map((t) => ({ schema: t.schema, name: t.name }));
  }

  private async attachDuckdb(conn: EngineConnection, s: SourceState): Promise<void> {
    const alias = attachedName(s.spec.name);
    try {
      if (!this.attached.has(alias)) {
        if (this.engine?.isLocked) throw new Error('a duckdb source added after start-up needs a restart (files are attached before the sandbox is locked)');
        await conn.run(`ATTACH ${quoteLiteral(s.spec.path!)} AS ${quoteIdent(alias)} (READ_ONLY)`);
        this.attached.add(alias);
      }
      const { tables, imports } = this.mapped(s.spec.name);
      const views: { schema: string; name: string; remoteSchema: string; remoteTable: string; comment?: string }[] = tables.map((t) => ({
        schema: t.schema,
        name: t.name,
        remoteSchema: t.remoteSchema ?? s.spec.defaultSchema ?? 'main',
        remoteTable: t.remoteTable,
        comment: t.comment,
      }));
      for (const imp of imports) {
        const schema = imp.remoteSchema ?? s.spec.defaultSchema ?? 'main';
        const include = imp.include.length ? globMatcher(imp.include) : () => true;
        const exclude = globMatcher(imp.exclude);
        const rows = await conn.rows(
          `SELECT table_name FROM information_schema.tables WHERE table_catalog = ${quoteLiteral(alias)} AND table_schema = ${quoteLiteral(schema)} ORDER BY 1`,
        );
        for (const r of rows) {
          const name = String(r.table_name);
          if (include(name) && !exclude(name)) views.push({ schema: imp.schema, name, remoteSchema: schema, remoteTable: name });
        }
      }
      for (const [k, src] of this.duckdbViews) if (src === s.spec.name) this.duckdbViews.delete(k);
      for (const v of views) {
        this.duckdbViews.set(key(v.schema, v.name), s.spec.name);
        const target = `${quoteIdent(v.schema)}.${quoteIdent(v.name)}`;
        await conn.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(v.schema)}`);
        await conn.run(`CREATE OR REPLACE VIEW ${target} AS SELECT * FROM ${quoteIdent(alias)}.${quoteIdent(v.remoteSchema)}.${quoteIdent(v.remoteTable)}`);
        if (v.comment) await conn.run(`COMMENT ON VIEW ${target} IS ${quoteLiteral(v.comment)}`);
      }
      s.up = true;
      s.error = null;
    } catch (e) {
      s.up = false;
      s.error = e instanceof Error ? e.message : String(e);
      this.log.warn({ source: s.spec.name, err: s.error }, `duckdb source "${s.spec.name}" could not be attached`);
    }
  }

  /** Files DuckDB may open (attached duckdb sources), for the sandbox. */
  allowedPaths(): string[] {
    return [...this.sources.values()].filter((s) => s.spec.kind === 'duckdb').map((s) => s.spec.path!);
  }

  // --- lookups for the planner ------------------------------------------------------

  /** A remote table by catalog schema and name (case-insensitive), or a table whose source is down. */
  lookup(schema: string, name: string): FederatedTable | PendingTable | null {
    const k = key(schema, name);
    return this.tables.get(k) ?? this.pending.get(k) ?? null;
  }

  /** Whether a catalog name is a lake table, a catalog view or a table of a duckdb file (all read-only). */
  localObjectKind(schema: string, name: string): 'lake' | 'view' | 'duckdb' | null {
    const k = key(schema, name);
    if (this.duckdbViews.has(k)) return 'duckdb';
    const o = this.catalog.objects.find((x) => x.kind !== 'remote' && key(x.schema, x.name) === k);
    return o ? (o.kind === 'lake' ? 'lake' : 'view') : null;
  }

  /** The down source that imports into this catalog schema, if any. */
  pendingImportSource(schema: string): string | null {
    return this.pendingImports.get(schema.toLowerCase()) ?? null;
  }

  /** Cheap first test: could this statement name a remote table? */
  mentions(tokens: readonly Token[]): boolean {
    if (this.names.size === 0) return false;
    for (const t of tokens) {
      if ((t.kind === 'ident' || t.kind === 'keyword') && this.names.has(t.value.toLowerCase())) return true;
    }
    return false;
  }

  // --- planning context -----------------------------------------------------------

  /** Whether the catalog has a relation (local, remote, or remote with its source down). */
  private hasRelation(schema: string, name: string): boolean {
    const k = key(schema, name);
    if (this.tables.has(k) || this.pending.has(k) || this.duckdbViews.has(k)) return true;
    return this.catalog.objects.some((o) => o.kind !== 'remote' && key(o.schema, o.name) === k);
  }

  private hasSchema(schema: string): boolean {
    const s = schema.toLowerCase();
    return this.catalog.schemas.some((x) => x.name.toLowerCase() === s) || [...this.tables.values()].some((t) => t.schema.toLowerCase() === s);
  }

  /** Name resolution for a session (its search_path and user). */
  nameContext(searchPath: string, user: string): NameContext {
    return {
      searchPath: parseSearchPath(searchPath, user),
      defaultSchema: this.catalog.defaultSchema,
      database: this.catalog.database,
      has: (s, n) => this.hasRelation(s, n),
      hasSchema: (s) => this.hasSchema(s),
    };
  }

  /** Column names of every DuckDB relation, read once per catalog version. */
  private localColumnMap(): Promise<Map<string, LocalColumn[]>> {
    if (this.localColumnsCache?.version === this.version) return this.localColumnsCache.map;
    const conn = this.engine?.adminConnection;
    const map = this.onAdmin(async () => {
      const m = new Map<string, LocalColumn[]>();
      if (!conn) return m;
      const rows = await conn.rows("SELECT schema_name, table_name, column_name, data_type FROM duckdb_columns() WHERE database_name = 'memory' ORDER BY column_index");
      for (const r of rows) {
        const k = key(String(r.schema_name), String(r.table_name));
        m.set(k, [...(m.get(k) ?? []), { name: String(r.column_name), family: typeNameFamily(String(r.data_type)) }]);
      }
      return m;
    });
    const entry = { version: this.version, map };
    this.localColumnsCache = entry;
    // a failed read is retried by the next statement
    map.catch(() => {
      if (this.localColumnsCache === entry) this.localColumnsCache = null;
    });
    return map;
  }

  /** Catalog views whose definition reads remote tables (inlined by the planner). */
  private federatedViews(): Map<string, AstNode> {
    if (this.viewsCache?.version === this.version) return this.viewsCache.views;
    const views = new Map<string, AstNode>();
    const names: NameContext = { ...this.nameContext('', ''), searchPath: [] };
    for (const o of this.catalog.objects) {
      if (o.kind !== 'view') continue;
      let stmt: AstNode;
      try {
        const parsed = parseSql(o.sql);
        if (parsed.stmts?.length !== 1) continue;
        stmt = parsed.stmts[0]!.stmt as AstNode;
      } catch {
        continue;
      }
      if (!stmt.SelectStmt) continue;
      const reads = statementRelations(stmt).leaves.some((l) => {
        if (l.kind !== 'relation') return false;
        const r = resolveRangeVar(l.body, names);
        return r !== null && (this.lookup(r.schema, r.name) !== null || views.has(key(r.schema, r.name)));
      });
      if (reads) views.set(key(o.schema, o.name), stmt);
    }
    this.viewsCache = { version: this.version, views };
    return views;
  }

  /** Everything the planner asks about the catalog, for one statement of one session. */
  async planContext(searchPath: string, user: string, paramTypes: readonly (DuckType | null)[]): Promise<PlanContext> {
    const local = await this.localColumnMap();
    const views = this.federatedViews();
    return {
      names: this.nameContext(searchPath, user),
      remote: (s, n) => this.lookup(s, n),
      dialect: (source) => (this.connector(source)?.dialect ?? 'postgres') as Dialect,
      localColumns: (s, n) => local.get(key(s, n)) ?? null,
      federatedView: (s, n) => views.get(key(s, n)) ?? null,
      pendingImport: (s) => this.pendingImportSource(s),
      paramTypes,
    };
  }

  /** Every remote table currently installed (for pg_catalog emulation and docs). */
  remoteTables(): FederatedTable[] {
    return [...this.tables.values()];
  }

  connector(source: string): Connector | null {
    return this.sources.get(source)?.connector ?? null;
  }

  sourceSpec(source: string): SourceSpec | undefined {
    return this.sources.get(source)?.spec;
  }

  status(): SourceStatus[] {
    return [...this.sources.values()].map((s) => ({
      name: s.spec.name,
      kind: s.spec.kind,
      up: s.up,
      error: s.error,
      tables: [...this.tables.values()].filter((t) => t.source === s.spec.name).length,
    }));
  }

  // --- observability ---------------------------------------------------------------

  onRemoteQuery(listener: RemoteQueryListener): () => void {
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  record(r: RemoteQueryRecord): void {
    this.history.push(r);
    if (this.history.length > HISTORY_SIZE) this.history.splice(0, this.history.length - HISTORY_SIZE);
    this.log.debug({ remote: { ...r, at: undefined } }, 'remote query');
    for (const l of this.listeners) {
      try {
        l(r);
      } catch {
        /* a listener's failure is not the query's */
      }
    }
  }

  /** Connections checked out of all pools (0 when every query has released its connection). */
  busyConnections(): number {
    let n = 0;
    for (const s of this.sources.values()) n += s.connector?.busyConnections() ?? 0;
    return n;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const s of this.sources.values()) {
      if (s.retry) clearTimeout(s.retry);
      await s.connector?.close();
    }
  }
}
