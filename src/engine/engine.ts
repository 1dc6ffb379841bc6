import { quoteLiteral } from '../sql/quote.js';
import duckdb, { type Database } from '@duckdb/node-bindings';
import os from 'node:os';
import path from 'node:path';
import { EngineConnection } from './connection.js';

export interface EngineOptions {
  /** DuckDB worker threads; defaults to the number of cores. */
  threads?: number;
  /** Total DuckDB memory limit, e.g. "4GB"; defaults to DuckDB's 80% of RAM. */
  memoryLimit?: string;
  /** Where DuckDB spills when a query exceeds memory (default: a private directory under the OS temp dir). */
  tempDirectory?: string;
  /** Cap on spilled data, e.g. "20GB". */
  maxTempDirectorySize?: string;
}

export interface SandboxOptions {
  /** Directories (the catalog's lake roots) that queries may read. */
  allowedDirectories: string[];
  /** Individual files that may be read (e.g. attached DuckDB files). */
  allowedPaths?: string[];
}


/**
 * Owns the DuckDB instance: its configuration, the PostgreSQL-compatible
 * defaults, and the sandbox lock applied after the catalog is installed.
 */
export class Engine {
  private locked = false;

  private constructor(
    readonly db: Database,
    private readonly admin: EngineConnection,
  ) {}

  static async open(opts: EngineOptions = {}): Promise<Engine> {
    const config = duckdb.create_config();
    duckdb.set_config(config, 'threads', String(opts.threads ?? os.availableParallelism()));
    if (opts.memoryLimit) duckdb.set_config(config, 'memory_limit', opts.memoryLimit);
    duckdb.set_config(config, 'temp_directory', opts.tempDirectory ?? path.join(os.tmpdir(), `lakegate-spill-${process.pid}-${Math.random().toString(36).slice(2, 10)}`));
    if (opts.maxTempDirectorySize) duckdb.set_config(config, 'max_temp_directory_size', opts.maxTempDirectorySize);
    duckdb.set_config(config, 'autoinstall_known_extensions', 'false');
    duckdb.set_config(config, 'autoload_known_extensions', 'false');
    duckdb.set_config(config, 'allow_community_extensions', 'false');
    duckdb.set_config(config, 'allow_persistent_secrets', 'false');
    const db = await duckdb.open(':memory:', config);
    const admin = new EngineConnection(await duckdb.connect(db));
    const engine = new Engine(db, admin);
    // PostgreSQL semantics where DuckDB's defaults differ.
    await admin.run("SET GLOBAL integer_division = true");
    await admin.run("SET GLOBAL default_null_order = 'nulls_last_on_asc_first_on_desc'");
    await admin.run("SET GLOBAL TimeZone = 'UTC'");
    await admin.run("SET GLOBAL parquet_metadata_cache = true");
    return engine;
  }

  /** A connection for internal work (catalog installation, metadata). */
  get adminConnection(): EngineConnection {
    return this.admin;
  }

  get isLocked(): boolean {
    return this.locked;
  }

  async connect(): Promise<EngineConnection> {
    const conn = new EngineConnection(await duckdb.connect(this.db));
    // Progress tracking is per connection and cannot be SET after the lock; these
    // PRAGMAs still work. Without them query_progress() is always -1.
    await conn.run('PRAGMA enable_progress_bar');
    await conn.run('PRAGMA disable_print_progress_bar');
    return conn;
  }

  /**
   * Locks DuckDB down: only the given directories are readable, no extension
   * installs, and configuration can no longer change. The order matters:
   * allowed directories must be set before external access is disabled.
   */
  async lock(sandbox: SandboxOptions): Promise<void> {
    if (this.locked) return;
    const dirs = sandbox.allowedDirectories.map((d) => (d.endsWith('/') ? d : `${d}/`));
    await this.admin.run(`SET allowed_directories = [${dirs.map(quoteLiteral).join(', ')}]`);
    if (sandbox.allowedPaths?.length) {
      await this.admin.run(`SET allowed_paths = [${sandbox.allowedPaths.map(quoteLiteral).join(', ')}]`);
    }
    await this.admin.run('SET enable_external_access = false');
    await this.admin.run('SET lock_configuration = true');
    this.locked = true;
  }

  close(): void {
    this.admin.close();
    duckdb.close_sync(this.db);
  }
}
