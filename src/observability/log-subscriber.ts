import type { Logger } from 'pino';
import type { CatalogReload, ConnectionInfo, ConnectionRejected, GatewayObserver, RemoteQuery, ShutdownProgress, StatementRecord } from './events.js';
import { redactSqlText } from './logger.js';
import { truncateQuery } from './query-history.js';

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Writes the gateway's events as structured log lines. Every line has an
 * `event` field; statements carry user, application_name, duration, rows,
 * bytes sent, sources touched and remote SQL, and failures their SQLSTATE.
 * Passwords never appear: authentication failures log the user and client
 * only, and credentials inside URLs in SQL text are removed.
 */
export class LogSubscriber implements GatewayObserver {
  constructor(
    private readonly log: Logger,
    /** Log successful statements that ran at least this long (ms); -1 logs none, 0 all. */
    private readonly minDurationMs = 0,
  ) {}

  connectionOpened(c: ConnectionInfo): void {
    this.log.info(
      { event: 'connection_opened', pid: c.pid, user: c.user, database: c.database, application_name: c.applicationName, client: c.client },
      'connection opened',
    );
  }

  connectionClosed(c: ConnectionInfo): void {
    this.log.info({ event: 'connection_closed', pid: c.pid, user: c.user, client: c.client, duration_ms: Date.now() - c.connectedAt }, 'connection closed');
  }

  connectionRejected(r: ConnectionRejected): void {
    const event = r.reason === 'auth_failed' ? 'auth_failed' : 'connection_rejected';
    this.log.warn({ event, reason: r.reason, sqlstate: r.sqlstate, user: r.user, client: r.client, error: r.message }, r.reason === 'auth_failed' ? 'authentication failed' : 'connection rejected');
  }

  statementFinished(s: StatementRecord): void {
    const failed = s.status !== 'ok';
    if (!failed && (this.minDurationMs < 0 || s.durationMs < this.minDurationMs)) return;
    const level = !failed ? 'info' : s.sqlstate?.startsWith('XX') ? 'error' : 'warn';
    if (!this.log.isLevelEnabled(level)) return;
    const fields: Record<string, unknown> = {
      event: 'statement',
      pid: s.pid,
      user: s.user,
      client: s.connection.client,
      application_name: s.applicationName,
      status: s.status,
      duration_ms: round(s.durationMs),
      rows: s.rows,
      bytes_sent: s.bytesSent,
      query: truncateQuery(redactSqlText(s.query)),
    };
    if (s.objects) fields.objects = s.objects;
    if (s.sources) {
      const sources: Record<string, { queries: number; rows: number; errors: number; ms: number }> = {};
      const remoteSql: string[] = [];
      for (const [name, u] of s.sources) {
        sources[name] = { queries: u.queries, rows: u.rows, errors: u.errors, ms: round(u.ms) };
        for (const q of u.sql) remoteSql.push(`${name}: ${redactSqlText(q)}`);
      }
      fields.sources = sources;
      fields.remote_sql = remoteSql;
    }
    if (failed) {
      fields.sqlstate = s.sqlstate;
      fields.error = s.error;
    }
    this.log[level](fields, failed ? 'statement failed' : 'statement');
  }

  remoteQuery(r: RemoteQuery): void {
    const fields = { event: 'remote_query', source: r.source, rows: r.rows, duration_ms: round(r.ms), sql: r.sql && redactSqlText(r.sql), pid: r.statement?.pid };
    if (r.error !== undefined) this.log.warn({ ...fields, error: errorText(r.error) }, 'remote query failed');
    else this.log.debug(fields, 'remote query');
  }

  catalogReloaded(r: CatalogReload): void {
    const fields = { event: 'catalog_reload', file: r.file, ok: r.ok, duration_ms: round(r.durationMs), objects: r.objects };
    if (r.ok) this.log.info(fields, 'catalog reloaded');
    else this.log.error({ ...fields, error: r.error }, 'catalog reload failed; the last good catalog keeps serving');
  }

  shutdown(s: ShutdownProgress): void {
    const fields = { event: 'shutdown', phase: s.phase, sessions: s.sessions, running: s.running, grace_ms: s.graceMs };
    const msg =
      s.phase === 'started'
        ? 'shutting down: not accepting connections, waiting for running statements'
        : s.phase === 'grace_expired'
          ? 'shutdown grace period over: cancelling running statements'
          : 'shutdown complete';
    this.log.info(fields, msg);
  }
}
