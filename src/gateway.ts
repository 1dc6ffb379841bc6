import path from 'node:path';
import { ensureExampleLakeFor } from './catalog/example-lake.js';
import { INTERNAL_SCHEMA } from './catalog/install.js';
import { loadCatalog } from './catalog/load.js';
import type { Catalog } from './catalog/model.js';
import { CatalogRuntime, type AfterInstallHook, type ReloadOutcome, type ReloadTrigger } from './catalog/runtime.js';
import { watchCatalogFile, type CatalogWatcher } from './catalog/watch.js';
import type { TlsConfig } from './catalog/sections/server.js';
import { buildUserAuth, type UserAuth, type UserSpec } from './config/users.js';
import { Engine } from './engine/engine.js';
import { ensureExampleShop } from './federation/example-shop.js';
import { Federation } from './federation/federation.js';
import { createLogger, type Logger } from './observability/logger.js';
import { SecurityManager } from './security/manager.js';
import { DEFAULT_THROTTLE, type ThrottleOptions } from './security/throttle.js';
import { buildTls } from './security/tls.js';
import { PG_DATA } from './pgcatalog/catalog-data.js';
import { installPgCatalog } from './pgcatalog/install.js';
import { EMULATED_FUNCTIONS } from './pgcatalog/macros.js';
import { registerEmulatedFunctions, registerFunctionSchema, registerPublicSchema, registerSystemRelations } from './security/sandbox.js';
import type { HttpListen } from './config/options.js';
import { Observability } from './observability/observability.js';
import type { SystemAccess } from './observability/system-access.js';
import { checkSystemSchemaClash } from './observability/system-tables.js';
import type { ExplainAnnotator } from './session/explain.js';
import { LakegateServer, type TlsOptions } from './server/server.js';
import { defaultPasses, SqlPipeline } from './sql/pipeline.js';
import type { RewriteContext } from './sql/rewrite/pass.js';
import { loadSqlParser } from './sql/scanner.js';
import { LAKEGATE_VERSION, PACKAGE_ROOT, PG_SERVER_VERSION, PG_SERVER_VERSION_NUM } from './version.js';

export interface GatewayOptions {
  catalog: string;
  host?: string;
  port?: number;
  logger?: Logger;
  threads?: number;
  memoryLimit?: string;
  tempDirectory?: string;
  maxConnections?: number;
  maxMessageSize?: number;
  maxStatementTimeoutMs?: number;
  timeZone?: string;
  /** A ready TLS context (tests); otherwise built from `tlsConfig` over the catalog's server.tls. */
  tls?: TlsOptions;
  tlsConfig?: Partial<TlsConfig>;
  maxTempDirectorySize?: string;
  statementTimeoutMs?: number;
  idleSessionTimeoutMs?: number;
  maxResultRows?: number;
  maxQuerySize?: number;
  authenticationTimeoutMs?: number;
  throttle?: Partial<ThrottleOptions>;
  /** Reload when the catalog file changes (the CLI turns this on). */
  watchCatalog?: boolean;
  /** Debounce for file-change reloads, in ms. */
  watchDebounceMs?: number;
  /** Work to run after every catalog installation (see CatalogRuntime.afterInstall). */
  afterInstall?: AfterInstallHook[];
  /** HTTP listener for /metrics, /healthz, /readyz; null or absent = none. */
  http?: HttpListen | null;
  /** When false (the address is only the default), a busy HTTP port is logged and skipped instead of failing. Default true. */
  httpRequired?: boolean;
  /** 0-127, encoded in BackendKeyData process ids (docs/deploy.md). */
  replicaId?: number;
  /** Successful statements shorter than this are not logged (ms); -1 logs none. Default 0 (all). */
  logMinDurationMs?: number;
  queryHistorySize?: number;
  /** Schema of the system views and functions; default `lakegate`. */
  systemSchema?: string;
  /** Who may read the system views and signal sessions; default everyone. */
  systemAccess?: SystemAccess;
}

// the pg_catalog emulation answers these itself, filtered through each session's lakegate_visible
registerSystemRelations(Object.keys(PG_DATA.relations));
registerEmulatedFunctions(EMULATED_FUNCTIONS);

const definedOnly = <T extends object>(o: T | undefined): Partial<T> => Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;

/** Everything one running lakegate consists of: catalog, DuckDB, SQL pipeline and listener. */
export class Gateway {
  private users = new Map<string, UserAuth>();
  private profiles = new Map<string, UserSpec>();
  private watcher: CatalogWatcher | null = null;
  /** Run at shutdown after the sessions are gone, before DuckDB closes (federation closes its sources). */
  private readonly closeHooks: (() => Promise<void> | void)[] = [];
  private stopping: Promise<void> | null = null;

  private constructor(
    readonly runtime: CatalogRuntime,
    readonly engine: Engine,
    readonly server: LakegateServer,
    readonly pipeline: SqlPipeline,
    private readonly rewriteContext: RewriteContext,
    readonly log: Logger,
    readonly federation: Federation,
    readonly observability: Observability,
    /** EXPLAIN's extension point: federation appends annotators that add its remote SQL. */
    readonly explainAnnotators: ExplainAnnotator[],
    /** Grants and secure views: re-applied by an after-install hook at every (re)installation. */
    readonly security: SecurityManager,
  ) {}

  /** The catalog being served (replaced by reloads). */
  get catalog(): Catalog {
    return this.runtime.catalog;
  }

  static async start(opts: GatewayOptions): Promise<Gateway> {
    const log = opts.logger ?? createLogger();
    await loadSqlParser();
    const catalogPath = path.resolve(opts.catalog);
    await ensureExampleLakeFor(catalogPath, PACKAGE_ROOT, (m) => log.info(m));
    if (catalogPath === path.join(PACKAGE_ROOT, 'catalog') || catalogPath === path.join(PACKAGE_ROOT, 'catalog', 'catalog.yaml')) {
      ensureExampleShop(path.join(PACKAGE_ROOT, 'catalog', 'data', 'shop.db'), (m) => log.info(m));
    }
    const catalog = loadCatalog(catalogPath);
    const systemSchema = opts.systemSchema ?? 'lakegate';
    checkSystemSchemaClash(catalog, systemSchema);
    registerFunctionSchema(systemSchema); // lakegate.cancel(pid), lakegate.terminate(pid)
    registerPublicSchema(systemSchema);
    let gateway!: Gateway;
    const observability = new Observability(
      {
        log,
        logMinDurationMs: opts.logMinDurationMs ?? 0,
        historySize: opts.queryHistorySize ?? 1000,
        systemSchema,
        replicaId: opts.replicaId ?? 0,
        version: LAKEGATE_VERSION,
      },
      () => gateway?.server.sessions ?? [],
    );
    if (opts.systemAccess) observability.access = opts.systemAccess;
    const limits = catalog.server.limits;
    const engine = await Engine.open({
      threads: opts.threads ?? limits.threads,
      memoryLimit: opts.memoryLimit ?? limits.memoryLimit,
      tempDirectory: opts.tempDirectory ?? limits.tempDirectory,
      maxTempDirectorySize: opts.maxTempDirectorySize ?? limits.maxTempDirectorySize,
    });
    const security = new SecurityManager(log);
    let runtime: CatalogRuntime;
    let tls: TlsOptions | undefined;
    let federation: Federation | null = null;
    try {
      federation = await Federation.start(catalog, { log });
      const fed = federation;
      runtime = new CatalogRuntime(engine, catalog, log);
      // attached databases first: catalog views may read remote tables, and duckdb files attach before the lock
      runtime.beforeInstall((ctx) => (ctx.reason === 'start' ? fed.install(engine) : fed.reload(ctx.catalog)));
      // the pg_catalog / information_schema emulation and the system views follow every installed catalog
      runtime.afterInstall((ctx) => installPgCatalog(ctx.conn, ctx.catalog));
      runtime.afterInstall(async (ctx) => {
        checkSystemSchemaClash(ctx.catalog, systemSchema);
        await observability.install(ctx.conn);
      });
      for (const hook of opts.afterInstall ?? []) runtime.afterInstall(hook);
      // last: grants are checked against every relation the other hooks created; invalid grants fail the reload
      runtime.afterInstall(({ conn, catalog: installed }) => security.apply(conn, installed));
      const tlsConfig = { required: false, selfSigned: false, ...definedOnly(catalog.server.tls), ...definedOnly(opts.tlsConfig) };
      tls = opts.tls ?? (await buildTls(tlsConfig, log));
      await runtime.start();
      const sandbox = runtime.requiredSandbox();
      await engine.lock({ allowedDirectories: sandbox.directories, allowedPaths: [...sandbox.paths, ...fed.allowedPaths()] });
      runtime.lockedTo(sandbox);
    } catch (e) {
      await federation?.close().catch(() => undefined);
      engine.close();
      throw e;
    }
    const rewriteContext: RewriteContext = { internalSchema: INTERNAL_SCHEMA, publicSchema: runtime.searchPath.publicSchema };
    const pipeline = new SqlPipeline(defaultPasses, rewriteContext);
    pipeline.federation = federation;
    const explainAnnotators: ExplainAnnotator[] = [];
    const server = new LakegateServer(
      engine,
      pipeline,
      {
        database: () => gateway.catalog.database,
        user: (name) => gateway.users.get(name),
        profile: (name) => gateway.profiles.get(name),
        searchPath: { toDuckDb: (value, user) => runtime.searchPath.toDuckDb(value, user) },
      },
      {
        host: opts.host ?? catalog.server.host ?? '127.0.0.1',
        port: opts.port ?? catalog.server.port ?? 5433,
        maxConnections: opts.maxConnections ?? limits.maxConnections ?? 100,
        maxMessageSize: opts.maxMessageSize ?? limits.maxMessageSize ?? 64 * 1024 * 1024,
        serverVersion: PG_SERVER_VERSION,
        serverVersionNum: PG_SERVER_VERSION_NUM,
        defaultTimeZone: opts.timeZone ?? 'UTC',
        maxStatementTimeoutMs: opts.maxStatementTimeoutMs ?? limits.maxStatementTimeoutMs ?? 0,
        tls,
        security,
        throttle: {
          ...DEFAULT_THROTTLE,
          ...definedOnly({ maxFailures: catalog.server.auth.maxFailures, windowMs: catalog.server.auth.failureWindowMs, maxDelayMs: catalog.server.auth.maxDelayMs }),
          ...definedOnly(opts.throttle),
        },
        authenticationTimeoutMs: opts.authenticationTimeoutMs ?? catalog.server.auth.authenticationTimeoutMs,
        idleSessionTimeoutMs: opts.idleSessionTimeoutMs ?? limits.idleSessionTimeoutMs,
        statementTimeoutMs: opts.statementTimeoutMs ?? limits.statementTimeoutMs,
        maxResultRows: opts.maxResultRows ?? limits.maxResultRows,
        maxQuerySize: opts.maxQuerySize ?? limits.maxQuerySize,
        replicaId: opts.replicaId ?? 0,
      },
      log,
      { events: observability.events, explainAnnotators },
    );
    gateway = new Gateway(runtime, engine, server, pipeline, rewriteContext, log, federation, observability, explainAnnotators, security);
    gateway.applyCatalog();
    runtime.on('reload', (o: ReloadOutcome) => {
      if (o.ok && o.changed) gateway.applyCatalog();
    });
    federation.onRemoteQuery((r) => {
      const session = r.sessionPid === undefined ? undefined : [...server.sessions].find((x) => x.identity.processId === r.sessionPid);
      observability.events.remoteQuery({ source: r.source, rows: r.rows, ms: r.ms, sql: r.sql, error: r.error, statement: session?.currentStatement ?? null });
    });
    gateway.onClose(() => federation!.close());
    const addr = await server.listen();
    if (opts.watchCatalog) gateway.watch(opts.watchDebounceMs);
    log.info(
      { event: 'listening', host: addr.address, port: addr.port, catalog: catalog.file, objects: catalog.objects.length, replica_id: opts.replicaId ?? 0 },
      `lakegate listening on ${addr.address}:${addr.port}`,
    );
    // after the listener, so /readyz never says ready before clients can connect
    try {
      await observability.start(engine, opts.http ?? null, opts.httpRequired ?? true, {
        catalog: () => ({ file: gateway.catalog.file, objects: gateway.catalog.objects.length }),
        sourceNames: () => gateway.catalog.sources.map((s) => s.name),
        draining: () => gateway.stopping !== null,
      });
    } catch (e) {
      await gateway.close();
      throw e;
    }
    return gateway;
  }

  /** Takes what the gateway derives from the catalog: users, and what `public` means to rewrites. */
  private applyCatalog(): void {
    const catalog = this.catalog;
    this.users = new Map(catalog.users.map((u) => [u.name, buildUserAuth(u)]));
    this.profiles = new Map(catalog.users.map((u) => [u.name, u]));
    this.rewriteContext.publicSchema = this.runtime.searchPath.publicSchema;
    this.pipeline.clearCaches();
  }

  /** Reloads the catalog file now (SIGHUP, the file watcher, tests). Never rejects. */
  async reload(trigger: ReloadTrigger = 'api'): Promise<ReloadOutcome> {
    const started = performance.now();
    const o = await this.runtime.reload(trigger);
    if (!o.ok || o.changed) {
      this.events.catalogReloaded({ ok: o.ok, file: this.catalog.file, durationMs: performance.now() - started, error: o.error?.message, objects: this.catalog.objects.length });
    }
    return o;
  }

  private watch(debounceMs?: number): void {
    this.watcher = watchCatalogFile(this.catalog.file, () => void this.reload('watch'), {
      debounceMs,
      onError: (e) => this.log.warn({ error: e.message }, 'catalog file watch failed; reload with SIGHUP'),
    });
  }

  /** The event hub: federation reports remote queries and the catalog its reloads here. */
  get events(): Observability['events'] {
    return this.observability.events;
  }

  /** Registers work to do at shutdown before DuckDB closes (closing source connections). */
  onClose(hook: () => Promise<void> | void): void {
    this.closeHooks.push(hook);
  }

  /**
   * Graceful shutdown (SIGTERM/SIGINT): /readyz turns 503, no new connections,
   * idle sessions end with FATAL 57P01, running statements get `graceMs` to
   * finish before they are cancelled, then sources and DuckDB close.
   */
  shutdown(graceMs: number): Promise<void> {
    this.stopping ??= (async () => {
      this.watcher?.close();
      await this.runtime.idle();
      const report = (p: Parameters<Observability['events']['shutdown']>[0]): void => this.events.shutdown(p);
      await this.server.shutdown(graceMs, report);
      await this.runCloseHooks();
      report({ phase: 'finished', sessions: 0, running: 0 });
      await this.observability.close();
      this.engine.close();
    })();
    return this.stopping;
  }

  /**
   * For an exit right now (a second signal): stops every running DuckDB query,
   * since the process cannot exit while DuckDB still runs one.
   */
  abort(): void {
    for (const s of this.server.sessions) s.engine.interrupt();
  }

  private async runCloseHooks(): Promise<void> {
    for (const hook of this.closeHooks.splice(0)) {
      try {
        await hook();
      } catch (e) {
        this.log.error({ event: 'close_hook_failed', err: e }, 'error while closing');
      }
    }
  }

  get port(): number {
    return this.server.address.port;
  }

  /** Immediate close: sessions are dropped without waiting (tests; the CLI uses shutdown()). */
  async close(): Promise<void> {
    if (this.stopping) return this.stopping;
    this.stopping = (async () => {
      this.watcher?.close();
      await this.runtime.idle();
      await this.server.close();
      await this.runCloseHooks();
      await this.observability.close();
      this.engine.close();
    })();
    return this.stopping;
  }
}
