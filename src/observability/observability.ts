import type { HttpListen } from '../config/options.js';
import type { Engine } from '../engine/engine.js';
import type { EngineConnection } from '../engine/connection.js';
import type { Session } from '../session/session.js';
import { GatewayEvents } from './events.js';
import { HttpEndpoint, type Readiness } from './http-server.js';
import { LogSubscriber } from './log-subscriber.js';
import type { Logger } from './logger.js';
import { GatewayMetrics, type DuckDbMemory } from './metrics.js';
import { QueryHistory } from './query-history.js';
import { ALLOW_ALL, type SystemAccess } from './system-access.js';
import { installSystemViews, SystemTables } from './system-tables.js';

export interface ObservabilityOptions {
  log: Logger;
  /** Successful statements shorter than this are not logged (ms); -1 logs none. */
  logMinDurationMs: number;
  historySize: number;
  systemSchema: string;
  replicaId: number;
  version: string;
}

/** One attached source as /readyz reports it (federation supplies these). */
export interface SourceState {
  state: 'up' | 'down' | 'unknown';
  detail?: string;
}

/** What readiness reads from the gateway around it. */
export interface ReadinessInputs {
  catalog(): { file: string; objects: number } | null;
  sourceNames(): string[];
  draining(): boolean;
}

const DUCKDB_PROBE_TIMEOUT_MS = 2000;

/**
 * A DuckDB connection of its own for health probes and metrics. Its queries
 * run one at a time; a probe still running is shared, not repeated.
 */
class MonitorConnection {
  private chain: Promise<unknown> = Promise.resolve();
  private probe: Promise<boolean> | null = null;

  constructor(private readonly conn: EngineConnection) {}

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  memory(): Promise<DuckDbMemory | null> {
    return this.serial(async () => {
      const rows = await this.conn.rows(
        'SELECT CAST(coalesce(sum(memory_usage_bytes), 0) AS BIGINT) AS m, CAST(coalesce(sum(temporary_storage_bytes), 0) AS BIGINT) AS t FROM duckdb_memory()',
      );
      return { memoryBytes: Number(rows[0]?.m ?? 0), tempStorageBytes: Number(rows[0]?.t ?? 0) };
    });
  }

  /** True when DuckDB answers `SELECT 1` within the timeout. */
  answers(): Promise<boolean> {
    this.probe ??= new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), DUCKDB_PROBE_TIMEOUT_MS);
      timer.unref();
      this.serial(() => this.conn.rows('SELECT 1 AS ok')).then(
        (rows) => {
          clearTimeout(timer);
          resolve(rows[0]?.ok === '1');
        },
        () => {
          clearTimeout(timer);
          resolve(false);
        },
      );
    }).finally(() => (this.probe = null));
    return this.probe;
  }

  close(): void {
    this.conn.close();
  }
}

/**
 * The gateway's eyes: the event hub and its three subscribers (log, metrics,
 * query history), the system views, and the HTTP endpoint.
 */
export class Observability {
  readonly events = new GatewayEvents();
  readonly metrics: GatewayMetrics;
  readonly history: QueryHistory;
  readonly systemTables: SystemTables;
  /** Who may read the system views and cancel others' statements (the security work replaces it). */
  access: SystemAccess = ALLOW_ALL;
  /** Each attached source's state for /readyz; federation replaces it. */
  sourceStates: (names: string[]) => Record<string, SourceState> = (names) =>
    Object.fromEntries(names.map((n) => [n, { state: 'unknown', detail: 'no connector has reported on this source' }]));
  private monitor: MonitorConnection | null = null;
  private http: HttpEndpoint | null = null;
  private readiness: ReadinessInputs | null = null;
  private readonly startedAt = Date.now();

  constructor(
    readonly opts: ObservabilityOptions,
    sessions: () => Iterable<Session>,
  ) {
    const log = opts.log;
    this.events.onSubscriberError = (e, event) => log.error({ event: 'observer_error', on: event, err: e }, 'an event subscriber failed');
    this.events.subscribe(new LogSubscriber(log, opts.logMinDurationMs));
    this.metrics = new GatewayMetrics({ version: opts.version, replicaId: opts.replicaId, duckdbMemory: () => this.monitor?.memory() ?? Promise.resolve(null) });
    this.events.subscribe(this.metrics);
    this.history = new QueryHistory(opts.historySize);
    this.events.subscribe(this.history);
    this.systemTables = new SystemTables({ sessions, history: this.history, access: () => this.access });
  }

  /** Registers the system functions and creates the views (before the DuckDB sandbox lock). */
  async install(admin: EngineConnection): Promise<void> {
    this.systemTables.register(admin);
    await installSystemViews(admin, this.opts.systemSchema);
  }

  /** Opens the monitoring connection and, unless disabled, the HTTP endpoint. */
  async start(engine: Engine, http: HttpListen | null, required: boolean, readiness: ReadinessInputs): Promise<void> {
    this.readiness = readiness;
    this.monitor = new MonitorConnection(await engine.connect());
    if (!http) return;
    try {
      this.http = await HttpEndpoint.start(
        http,
        {
          metrics: () => this.metrics.render(),
          health: () => ({ status: 'ok', uptime_seconds: Math.round((Date.now() - this.startedAt) / 1000) }),
          readiness: () => this.checkReadiness(),
        },
        (e) => this.opts.log.error({ event: 'http_error', err: e }, 'HTTP endpoint error'),
      );
    } catch (e) {
      if (required || (e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
      this.opts.log.warn(
        { event: 'http_unavailable', host: http.host, port: http.port },
        `the default HTTP port ${http.host}:${http.port} is in use: no /metrics, /healthz, /readyz (set --http-port to choose one, or off)`,
      );
      return;
    }
    const a = this.http.address;
    this.opts.log.info({ event: 'http_listening', host: a.address, port: a.port }, `metrics and health on http://${a.address}:${a.port}`);
  }

  get httpAddress(): { address: string; port: number } | null {
    return this.http?.address ?? null;
  }

  /** Ready: the catalog is loaded, DuckDB answers, and the gateway is not shutting down. Sources are reported, not required. */
  async checkReadiness(): Promise<Readiness> {
    const r = this.readiness;
    const draining = r?.draining() ?? false;
    const catalog = r?.catalog() ?? null;
    const duckdb = this.monitor ? await this.monitor.answers() : false;
    const ready = !draining && catalog !== null && duckdb;
    return {
      ready,
      body: {
        status: ready ? 'ready' : 'not ready',
        shutting_down: draining,
        catalog: catalog ? { loaded: true, file: catalog.file, objects: catalog.objects } : { loaded: false },
        duckdb: { answers: duckdb },
        sources: this.sourceStates(r?.sourceNames() ?? []),
      },
    };
  }

  async close(): Promise<void> {
    await this.http?.close();
    this.http = null;
    this.monitor?.close();
    this.monitor = null;
  }
}
