import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { CatalogReload, ConnectionRejected, GatewayObserver, RemoteQuery, StatementRecord } from './events.js';

/** Seconds; from a point lookup to a long analytical query. */
const DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

export interface DuckDbMemory {
  memoryBytes: number;
  tempStorageBytes: number;
}

export interface MetricsOptions {
  version: string;
  replicaId: number;
  /** Reads DuckDB's memory use at scrape time; null when DuckDB cannot answer. */
  duckdbMemory?: () => Promise<DuckDbMemory | null>;
}

/**
 * Prometheus metrics for one gateway, in its own registry (several gateways
 * can live in one process, as in tests). A subscriber of the gateway's events;
 * federation and the catalog report through `events.remoteQuery()` and
 * `events.catalogReloaded()`.
 */
export class GatewayMetrics implements GatewayObserver {
  readonly registry = new Registry();
  private readonly connectionsCurrent: Gauge;
  private readonly connectionsTotal: Counter;
  private readonly connectionsRejected: Counter<'reason'>;
  private readonly queries: Counter<'outcome' | 'sqlstate_class'>;
  private readonly queriesRunning: Gauge;
  private readonly queryDuration: Histogram<'outcome'>;
  private readonly rowsSent: Counter;
  private readonly bytesSent: Counter;
  private readonly remoteQueries: Counter<'source'>;
  private readonly remoteRows: Counter<'source'>;
  private readonly remoteErrors: Counter<'source'>;
  private readonly remoteDuration: Histogram<'source'>;
  private readonly catalogReloads: Counter<'outcome'>;
  private readonly catalogReloadFailures: Counter;
  /** Bound children for the label sets seen, so a statement costs no label hashing. */
  private readonly queryChildren = new Map<string, { inc(): void }>();
  private readonly durationChildren = new Map<string, { observe(v: number): void }>();

  constructor(opts: MetricsOptions) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 10 });
    new Gauge({
      name: 'lakegate_build_info',
      help: 'lakegate version and replica id (always 1)',
      labelNames: ['version', 'replica_id'],
      registers,
    }).set({ version: opts.version, replica_id: String(opts.replicaId) }, 1);
    this.connectionsCurrent = new Gauge({ name: 'lakegate_connections', help: 'Client connections open now (authenticated sessions)', registers });
    this.connectionsTotal = new Counter({ name: 'lakegate_connections_total', help: 'Client connections accepted (authenticated sessions) since start', registers });
    this.connectionsRejected = new Counter({
      name: 'lakegate_connections_rejected_total',
      help: 'Connection attempts refused during startup, by reason',
      labelNames: ['reason'],
      registers,
    });
    this.queries = new Counter({
      name: 'lakegate_queries_total',
      help: 'Statements finished, by outcome (ok, error, canceled) and SQLSTATE class (00 for success)',
      labelNames: ['outcome', 'sqlstate_class'],
      registers,
    });
    this.queriesRunning = new Gauge({ name: 'lakegate_queries_running', help: 'Statements running now', registers });
    this.queryDuration = new Histogram({
      name: 'lakegate_query_duration_seconds',
      help: 'Statement duration, by outcome',
      labelNames: ['outcome'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.rowsSent = new Counter({ name: 'lakegate_rows_sent_total', help: 'Rows sent to clients (and rows affected by DML)', registers });
    this.bytesSent = new Counter({ name: 'lakegate_bytes_sent_total', help: 'Protocol bytes sent to clients by statements', registers });
    this.remoteQueries = new Counter({ name: 'lakegate_remote_queries_total', help: 'Queries run on attached sources', labelNames: ['source'], registers });
    this.remoteRows = new Counter({ name: 'lakegate_remote_rows_total', help: 'Rows read from attached sources', labelNames: ['source'], registers });
    this.remoteErrors = new Counter({ name: 'lakegate_remote_errors_total', help: 'Failed queries on attached sources', labelNames: ['source'], registers });
    this.remoteDuration = new Histogram({
      name: 'lakegate_remote_query_duration_seconds',
      help: 'Duration of queries on attached sources',
      labelNames: ['source'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.catalogReloads = new Counter({ name: 'lakegate_catalog_reloads_total', help: 'Catalog reload attempts, by outcome (ok, failed)', labelNames: ['outcome'], registers });
    this.catalogReloadFailures = new Counter({ name: 'lakegate_catalog_reload_failures_total', help: 'Catalog reloads that failed (the last good catalog keeps serving)', registers });
    const memory = opts.duckdbMemory;
    if (memory) {
      // both gauges come from one query per scrape
      let pending: Promise<DuckDbMemory | null> | null = null;
      const read = (): Promise<DuckDbMemory | null> => {
        pending ??= memory()
          .catch(() => null)
          .finally(() => setImmediate(() => (pending = null)));
        return pending;
      };
      new Gauge({
        name: 'lakegate_duckdb_memory_bytes',
        help: 'Memory DuckDB uses now (buffer manager, all tags)',
        registers,
        async collect() {
          const m = await read();
          if (m) this.set(m.memoryBytes);
        },
      });
      new Gauge({
        name: 'lakegate_duckdb_temp_storage_bytes',
        help: 'Bytes DuckDB has spilled to its temporary directory',
        registers,
        async collect() {
          const m = await read();
          if (m) this.set(m.tempStorageBytes);
        },
      });
    }
  }

  connectionOpened(): void {
    this.connectionsCurrent.inc();
    this.connectionsTotal.inc();
  }

  connectionClosed(): void {
    this.connectionsCurrent.dec();
  }

  connectionRejected(r: ConnectionRejected): void {
    this.connectionsRejected.inc({ reason: r.reason });
  }

  statementStarted(): void {
    this.queriesRunning.inc();
  }

  statementFinished(s: StatementRecord): void {
    this.queriesRunning.dec();
    const cls = s.sqlstate === null ? '00' : s.sqlstate.slice(0, 2);
    const key = `${s.status}:${cls}`;
    let q = this.queryChildren.get(key);
    if (!q) {
      q = this.queries.labels(s.status, cls);
      this.queryChildren.set(key, q);
    }
    q.inc();
    let d = this.durationChildren.get(s.status);
    if (!d) {
      d = this.queryDuration.labels(s.status);
      this.durationChildren.set(s.status, d);
    }
    d.observe(s.durationMs / 1000);
    if (s.rows > 0) this.rowsSent.inc(s.rows);
    if (s.bytesSent > 0) this.bytesSent.inc(s.bytesSent);
  }

  remoteQuery(r: RemoteQuery): void {
    this.remoteQueries.inc({ source: r.source });
    if (r.rows > 0) this.remoteRows.inc({ source: r.source }, r.rows);
    if (r.error !== undefined) this.remoteErrors.inc({ source: r.source });
    this.remoteDuration.observe({ source: r.source }, r.ms / 1000);
  }

  catalogReloaded(r: CatalogReload): void {
    this.catalogReloads.inc({ outcome: r.ok ? 'ok' : 'failed' });
    if (!r.ok) this.catalogReloadFailures.inc();
  }

  /** The text exposition format, as GET /metrics serves it. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
