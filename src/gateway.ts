import path from 'node:path';
import { ensureExampleLake } from './catalog/example-lake.js';
import { INTERNAL_SCHEMA, installCatalog, lakeDirectories } from './catalog/install.js';
import { loadCatalog } from './catalog/load.js';
import type { Catalog } from './catalog/model.js';
import type { TlsConfig } from './catalog/sections/server.js';
import { buildUserAuth, type UserAuth, type UserSpec } from './config/users.js';
import { SecurityManager } from './security/manager.js';
import { DEFAULT_THROTTLE, type ThrottleOptions } from './security/throttle.js';
import { buildTls } from './security/tls.js';
import { Engine } from './engine/engine.js';
import { createLogger, type Logger } from './observability/logger.js';
import { LakegateServer, type TlsOptions } from './server/server.js';
import { defaultPasses, SqlPipeline } from './sql/pipeline.js';
import { loadSqlParser } from './sql/scanner.js';
import { PACKAGE_ROOT, PG_SERVER_VERSION, PG_SERVER_VERSION_NUM } from './version.js';

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
}

const definedOnly = <T extends object>(o: T | undefined): Partial<T> => Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;

/** Everything one running lakegate consists of: catalog, DuckDB, SQL pipeline and listener. */
export class Gateway {
  private users = new Map<string, UserAuth>();
  private profiles = new Map<string, UserSpec>();

  private constructor(
    readonly catalog: Catalog,
    readonly engine: Engine,
    readonly server: LakegateServer,
    readonly log: Logger,
    /** Grants and secure views; call `security.apply(engine.adminConnection, catalog)` after a catalog reload. */
    readonly security: SecurityManager,
  ) {}

  static async start(opts: GatewayOptions): Promise<Gateway> {
    const log = opts.logger ?? createLogger();
    await loadSqlParser();
    const catalogPath = path.resolve(opts.catalog);
    if (catalogPath === path.join(PACKAGE_ROOT, 'catalog')) {
      await ensureExampleLake(path.join(catalogPath, 'lake'), (m) => log.info(m));
    }
    const catalog = loadCatalog(catalogPath);
    const limits = catalog.server.limits;
    const engine = await Engine.open({
      threads: opts.threads ?? limits.threads,
      memoryLimit: opts.memoryLimit ?? limits.memoryLimit,
      tempDirectory: opts.tempDirectory ?? limits.tempDirectory,
      maxTempDirectorySize: opts.maxTempDirectorySize ?? limits.maxTempDirectorySize,
    });
    await installCatalog(engine.adminConnection, catalog);
    // DuckDB cannot extend its allowed directories once locked: the catalog's own directory is allowed too, so a
    // reload can add tables under it (clients can never name files: the authorizer refuses every file access)
    await engine.lock({ allowedDirectories: [...new Set([catalog.dir, ...lakeDirectories(catalog)])] });
    const security = new SecurityManager(log);
    await security.apply(engine.adminConnection, catalog);
    const tlsConfig = { required: false, selfSigned: false, ...definedOnly(catalog.server.tls), ...definedOnly(opts.tlsConfig) };
    const tls = opts.tls ?? (await buildTls(tlsConfig, log));
    const auth = catalog.server.auth;
    const pipeline = new SqlPipeline(defaultPasses, { internalSchema: INTERNAL_SCHEMA });
    let gateway!: Gateway;
    const server = new LakegateServer(
      engine,
      pipeline,
      { database: () => gateway.catalog.database, user: (name) => gateway.users.get(name), profile: (name) => gateway.profiles.get(name) },
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
          ...definedOnly({ maxFailures: auth.maxFailures, windowMs: auth.failureWindowMs, maxDelayMs: auth.maxDelayMs }),
          ...definedOnly(opts.throttle),
        },
        authenticationTimeoutMs: opts.authenticationTimeoutMs ?? auth.authenticationTimeoutMs,
        idleSessionTimeoutMs: opts.idleSessionTimeoutMs ?? limits.idleSessionTimeoutMs,
        statementTimeoutMs: opts.statementTimeoutMs ?? limits.statementTimeoutMs,
        maxResultRows: opts.maxResultRows ?? limits.maxResultRows,
        maxQuerySize: opts.maxQuerySize ?? limits.maxQuerySize,
      },
      log,
    );
    gateway = new Gateway(catalog, engine, server, log, security);
    gateway.users = new Map(catalog.users.map((u) => [u.name, buildUserAuth(u)]));
    gateway.profiles = new Map(catalog.users.map((u) => [u.name, u]));
    const addr = await server.listen();
    log.info({ host: addr.address, port: addr.port, catalog: catalog.file }, `lakegate listening on ${addr.address}:${addr.port}`);
    return gateway;
  }

  get port(): number {
    return this.server.address.port;
  }

  async close(): Promise<void> {
    await this.server.close();
    this.engine.close();
  }
}
