import path from 'node:path';
import { ensureExampleLake } from './catalog/example-lake.js';
import { INTERNAL_SCHEMA, installCatalog, lakeDirectories } from './catalog/install.js';
import { loadCatalog } from './catalog/load.js';
import type { Catalog } from './catalog/model.js';
import { buildUserAuth, type UserAuth } from './config/users.js';
import { Engine } from './engine/engine.js';
import { ensureExampleShop } from './federation/example-shop.js';
import { Federation } from './federation/federation.js';
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
  tls?: TlsOptions;
}

/** Everything one running lakegate consists of: catalog, DuckDB, SQL pipeline and listener. */
export class Gateway {
  private users = new Map<string, UserAuth>();

  private constructor(
    readonly catalog: Catalog,
    readonly engine: Engine,
    readonly server: LakegateServer,
    readonly log: Logger,
    readonly federation: Federation,
  ) {}

  static async start(opts: GatewayOptions): Promise<Gateway> {
    const log = opts.logger ?? createLogger();
    await loadSqlParser();
    const catalogPath = path.resolve(opts.catalog);
    if (catalogPath === path.join(PACKAGE_ROOT, 'catalog')) {
      await ensureExampleLake(path.join(catalogPath, 'lake'), (m) => log.info(m));
      ensureExampleShop(path.join(catalogPath, 'data', 'shop.db'), (m) => log.info(m));
    }
    const catalog = loadCatalog(catalogPath);
    const engine = await Engine.open({ threads: opts.threads, memoryLimit: opts.memoryLimit, tempDirectory: opts.tempDirectory });
    // attached databases first: catalog views may read remote tables, and duckdb files attach before the lock
    const federation = await Federation.start(catalog, { log });
    await federation.install(engine);
    await installCatalog(engine.adminConnection, catalog);
    await engine.lock({ allowedDirectories: lakeDirectories(catalog), allowedPaths: federation.allowedPaths() });
    const pipeline = new SqlPipeline(defaultPasses, { internalSchema: INTERNAL_SCHEMA });
    pipeline.federation = federation;
    let gateway!: Gateway;
    const server = new LakegateServer(
      engine,
      pipeline,
      { database: () => gateway.catalog.database, user: (name) => gateway.users.get(name) },
      {
        host: opts.host ?? catalog.server.host ?? '127.0.0.1',
        port: opts.port ?? catalog.server.port ?? 5433,
        maxConnections: opts.maxConnections ?? 100,
        maxMessageSize: opts.maxMessageSize ?? 64 * 1024 * 1024,
        serverVersion: PG_SERVER_VERSION,
        serverVersionNum: PG_SERVER_VERSION_NUM,
        defaultTimeZone: opts.timeZone ?? 'UTC',
        maxStatementTimeoutMs: opts.maxStatementTimeoutMs ?? 0,
        tls: opts.tls,
      },
      log,
    );
    gateway = new Gateway(catalog, engine, server, log, federation);
    gateway.users = new Map(catalog.users.map((u) => [u.name, buildUserAuth(u)]));
    const addr = await server.listen();
    log.info({ host: addr.address, port: addr.port, catalog: catalog.file }, `lakegate listening on ${addr.address}:${addr.port}`);
    return gateway;
  }

  get port(): number {
    return this.server.address.port;
  }

  async close(): Promise<void> {
    await this.server.close();
    await this.federation.close();
    this.engine.close();
  }
}
