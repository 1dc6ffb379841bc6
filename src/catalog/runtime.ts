import { EventEmitter } from 'node:events';
import type { EngineConnection } from '../engine/connection.js';
import type { Engine } from '../engine/engine.js';
import type { Logger } from '../observability/logger.js';
import { CatalogError } from './errors.js';
import { installCatalog } from './install.js';
import { loadCatalog } from './load.js';
import type { Catalog } from './model.js';
import { lakeSandbox, outsideSandbox, sandboxIssues, type Sandbox } from './sandbox.js';
import { SearchPathMapper } from './search-path.js';

/** A hook failed after the catalog was committed to DuckDB. */
class HookFailure extends Error {
  constructor(override readonly cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

export type InstallReason = 'start' | 'reload' | 'restore';

export interface AfterInstallContext {
  /** The catalog now installed in DuckDB. */
  catalog: Catalog;
  /** The catalog it replaced (null at startup). */
  previous: Catalog | null;
  /** A DuckDB connection for the hook's own work (not in a transaction). */
  conn: EngineConnection;
  engine: Engine;
  reason: InstallReason;
}

/**
 * Work other parts of the gateway do whenever a catalog is installed (the
 * pg_catalog emulation, federation discovery...). A hook that throws makes the
 * reload fail: the previous catalog is installed again and keeps serving.
 */
export type AfterInstallHook = (ctx: AfterInstallContext) => Promise<void>;

export type ReloadTrigger = 'watch' | 'SIGHUP' | 'api';

export interface ReloadOutcome {
  ok: boolean;
  trigger: ReloadTrigger;
  /** false when the file was unchanged (watch triggers only). */
  changed: boolean;
  error?: CatalogError | Error;
}

function describe(c: Catalog): { schemas: number; tables: number; views: number } {
  return {
    schemas: c.schemas.length,
    tables: c.objects.filter((o) => o.kind !== 'view').length,
    views: c.objects.filter((o) => o.kind === 'view').length,
  };
}

/**
 * The catalog being served and its lifecycle: the first installation,
 * reloads (one at a time) and the after-install hooks. A reload loads and
 * validates the file, checks that the locked sandbox covers it, installs it
 * in one DuckDB transaction (sessions keep running on the old objects until
 * it commits), then runs the hooks; on any error it logs, keeps (or puts
 * back) the last good catalog, and emits `reload` with the outcome.
 */
export class CatalogRuntime extends EventEmitter {
  private current: Catalog;
  private mapper: SearchPathMapper;
  private readonly hooks: AfterInstallHook[] = [];
  private readonly beforeHooks: AfterInstallHook[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  private sandbox: Sandbox | null = null;

  constructor(
    private readonly engine: Engine,
    initial: Catalog,
    private readonly log: Logger,
  ) {
    super();
    this.current = initial;
    this.mapper = new SearchPathMapper(initial);
  }

  get catalog(): Catalog {
    return this.current;
  }

  get searchPath(): SearchPathMapper {
    return this.mapper;
  }

  /** Registers work to run after every installation (startup, reload, restore). */
  afterInstall(hook: AfterInstallHook): void {
    this.hooks.push(hook);
  }

  /**
   * Registers work to run before each installation, outside its transaction
   * (attached sources must exist before catalog views that read them).
   */
  beforeInstall(hook: AfterInstallHook): void {
    this.beforeHooks.push(hook);
  }

  /** The directories and files DuckDB must be allowed to read for the current catalog. */
  requiredSandbox(): Sandbox {
    return lakeSandbox(this.current);
  }

  /** Records what DuckDB was locked to; later reloads must stay inside it. */
  lockedTo(sandbox: Sandbox): void {
    this.sandbox = { directories: [...sandbox.directories], paths: [...sandbox.paths] };
  }

  /** Installs a catalog and runs the hooks; says whether the catalog was committed before a failure. */
  private async install(next: Catalog, previous: Catalog | null, reason: InstallReason): Promise<void> {
    const conn = await this.engine.connect();
    try {
      for (const hook of this.beforeHooks) await hook({ catalog: next, previous, conn, engine: this.engine, reason });
      await installCatalog(conn, next, { previous });
      try {
        for (const hook of this.hooks) await hook({ catalog: next, previous, conn, engine: this.engine, reason });
      } catch (e) {
        throw new HookFailure(e);
      }
    } finally {
      conn.close();
    }
  }

  /** Installs the initial catalog (before DuckDB is locked). */
  async start(): Promise<void> {
    const issues = sandboxIssues(this.current);
    if (issues.length > 0) throw new CatalogError(issues);
    try {
      await this.install(this.current, null, 'start');
    } catch (e) {
      throw e instanceof HookFailure ? e.cause : e;
    }
  }

  private checkSandbox(next: Catalog): void {
    const issues = [...sandboxIssues(next), ...(this.sandbox ? outsideSandbox(next, this.sandbox) : [])];
    if (issues.length > 0) throw new CatalogError(issues);
  }

  /** Resolves when no reload is running. */
  async idle(): Promise<void> {
    await this.queue;
  }

  /** Reloads the catalog file; resolves with the outcome (never rejects). */
  reload(trigger: ReloadTrigger): Promise<ReloadOutcome> {
    const run = this.queue.then(() => this.reloadNow(trigger));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async reloadNow(trigger: ReloadTrigger): Promise<ReloadOutcome> {
    const previous = this.current;
    let outcome: ReloadOutcome;
    try {
      const next = loadCatalog(previous.file);
      if (trigger === 'watch' && next.source && previous.source && next.source.digest === previous.source.digest) {
        outcome = { ok: true, trigger, changed: false };
        this.emit('reload', outcome);
        return outcome;
      }
      this.checkSandbox(next);
      if (next.database !== previous.database) this.log.warn({ from: previous.database, to: next.database }, 'catalog database name changed: new connections must use the new name');
      if (next.server.host !== previous.server.host || next.server.port !== previous.server.port) {
        this.log.warn('server.listen changed in the catalog: restart lakegate to listen on the new address');
      }
      try {
        await this.install(next, previous, 'reload');
      } catch (e) {
        if (!(e instanceof HookFailure)) throw e;
        await this.restore(previous, next);
        throw e.cause;
      }
      this.current = next;
      this.mapper = new SearchPathMapper(next);
      this.log.info({ trigger, ...describe(next) }, 'catalog reloaded');
      outcome = { ok: true, trigger, changed: true };
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      this.log.error({ trigger, file: previous.file, error: error.message }, 'catalog reload rejected; the last good catalog keeps serving');
      outcome = { ok: false, trigger, changed: true, error };
    }
    this.emit('reload', outcome);
    return outcome;
  }

  /**
   * Puts the previous catalog back after a failed reload. Installation
   * itself is all-or-nothing, but a hook may fail after the new objects were
   * committed; installing the previous catalog again undoes that.
   */
  private async restore(previous: Catalog, failed: Catalog): Promise<void> {
    try {
      await this.install(previous, failed, 'restore');
    } catch (e) {
      this.log.error({ error: e instanceof Error ? e.message : String(e) }, 'could not reinstall the previous catalog after a failed reload');
    }
  }
}
