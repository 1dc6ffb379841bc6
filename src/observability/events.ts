/**
 * What the server and sessions report, and who listens. The log, the metrics
 * and the query history are three subscribers of the same events, so each
 * place in the server emits once and knows nothing about them.
 *
 * Cost on the hot path: one StatementRecord per statement and one call per
 * subscriber when it starts and when it finishes; nothing per row.
 */

export type StatementStatus = 'running' | 'ok' | 'error' | 'canceled';

/** One client connection, as long as it lives. */
export interface ConnectionInfo {
  pid: number;
  user: string;
  database: string;
  applicationName: string;
  client: string;
  /** Epoch milliseconds. */
  connectedAt: number;
}

/** What one statement did on one attached source (filled by federation). */
export interface SourceUsage {
  queries: number;
  rows: number;
  errors: number;
  ms: number;
  /** The remote SQL sent, in order (bounded). */
  sql: string[];
}

const MAX_REMOTE_SQL_PER_SOURCE = 20;

/** One statement (one simple-query statement or one Execute), from start to finish. */
export class StatementRecord {
  status: StatementStatus = 'running';
  durationMs = 0;
  rows = 0;
  bytesSent = 0;
  sqlstate: string | null = null;
  error: string | null = null;
  /** Per attached source: rows moved, remote SQL. Null until federation reports one. */
  sources: Map<string, SourceUsage> | null = null;
  /** Catalog objects the statement read or wrote, as the authorizer resolved them (`lake.trips`). */
  objects: string[] | null = null;

  constructor(
    readonly connection: ConnectionInfo,
    readonly applicationName: string,
    readonly query: string,
    /** Epoch milliseconds. */
    readonly startedAt: number,
    /** performance.now() at start, for the duration. */
    readonly startMark: number,
  ) {}

  get pid(): number {
    return this.connection.pid;
  }

  get user(): string {
    return this.connection.user;
  }

  /** Adds one remote query's numbers to this statement. */
  addRemote(source: string, rows: number, ms: number, sql: string | undefined, failed: boolean): void {
    this.sources ??= new Map();
    let u = this.sources.get(source);
    if (!u) {
      u = { queries: 0, rows: 0, errors: 0, ms: 0, sql: [] };
      this.sources.set(source, u);
    }
    u.queries++;
    u.rows += rows;
    u.ms += ms;
    if (failed) u.errors++;
    if (sql !== undefined && u.sql.length < MAX_REMOTE_SQL_PER_SOURCE) u.sql.push(sql);
  }
}

export interface ConnectionRejected {
  reason: 'auth_failed' | 'too_many_connections' | 'shutting_down' | 'no_such_database' | 'ssl_required' | 'protocol' | 'other';
  sqlstate: string;
  message: string;
  user?: string;
  client: string;
}

/** A query that federation ran on an attached source. */
export interface RemoteQuery {
  source: string;
  rows: number;
  ms: number;
  /** The remote SQL (logged and kept in the statement's history entry). */
  sql?: string;
  /** Set when the remote query failed. */
  error?: unknown;
  /** The client statement it ran for, when there is one. */
  statement?: StatementRecord | null;
}

export interface CatalogReload {
  ok: boolean;
  file: string;
  durationMs: number;
  /** Why it failed (the last good catalog keeps serving). */
  error?: string;
  objects?: number;
}

export interface ShutdownProgress {
  phase: 'started' | 'grace_expired' | 'finished';
  graceMs?: number;
  sessions: number;
  running: number;
}

/** A subscriber implements any subset of these. They must not throw and must be cheap. */
export interface GatewayObserver {
  connectionOpened?(c: ConnectionInfo): void;
  connectionClosed?(c: ConnectionInfo): void;
  connectionRejected?(r: ConnectionRejected): void;
  statementStarted?(s: StatementRecord): void;
  statementFinished?(s: StatementRecord): void;
  remoteQuery?(r: RemoteQuery): void;
  catalogReloaded?(r: CatalogReload): void;
  shutdown?(s: ShutdownProgress): void;
}

type Handlers = { [K in keyof GatewayObserver]-?: NonNullable<GatewayObserver[K]>[] };

/** The event hub one gateway owns. */
export class GatewayEvents {
  private readonly h: Handlers = {
    connectionOpened: [],
    connectionClosed: [],
    connectionRejected: [],
    statementStarted: [],
    statementFinished: [],
    remoteQuery: [],
    catalogReloaded: [],
    shutdown: [],
  };

  /** Called when a subscriber throws: the event goes on to the others. */
  onSubscriberError: (e: unknown, event: string) => void = () => undefined;

  subscribe(o: GatewayObserver): () => void {
    const added: [keyof Handlers, (x: never) => void][] = [];
    for (const k of Object.keys(this.h) as (keyof Handlers)[]) {
      const f = o[k];
      if (f) {
        const bound = f.bind(o) as (x: never) => void;
        (this.h[k] as ((x: never) => void)[]).push(bound);
        added.push([k, bound]);
      }
    }
    return () => {
      for (const [k, f] of added) {
        const list = this.h[k] as ((x: never) => void)[];
        const i = list.indexOf(f);
        if (i >= 0) list.splice(i, 1);
      }
    };
  }

  private emit<K extends keyof Handlers>(event: K, arg: Parameters<Handlers[K][number]>[0]): void {
    const list = this.h[event] as ((a: typeof arg) => void)[];
    for (let i = 0; i < list.length; i++) {
      try {
        list[i]!(arg);
      } catch (e) {
        this.onSubscriberError(e, event);
      }
    }
  }

  connectionOpened(c: ConnectionInfo): void {
    this.emit('connectionOpened', c);
  }

  connectionClosed(c: ConnectionInfo): void {
    this.emit('connectionClosed', c);
  }

  connectionRejected(r: ConnectionRejected): void {
    this.emit('connectionRejected', r);
  }

  statementStarted(s: StatementRecord): void {
    this.emit('statementStarted', s);
  }

  statementFinished(s: StatementRecord): void {
    this.emit('statementFinished', s);
  }

  /**
   * For federation: report every query run on an attached source. Counts it in
   * the metrics, and in the statement's per-source numbers when `statement` is given.
   */
  remoteQuery(r: RemoteQuery): void {
    r.statement?.addRemote(r.source, r.rows, r.ms, r.sql, r.error !== undefined);
    this.emit('remoteQuery', r);
  }

  /** For the catalog: report every reload attempt, good or bad. */
  catalogReloaded(r: CatalogReload): void {
    this.emit('catalogReloaded', r);
  }

  shutdown(s: ShutdownProgress): void {
    this.emit('shutdown', s);
  }
}

/** SQLSTATE → outcome: class 57 (operator intervention: cancel, shutdown) is "canceled". */
export function statusFor(sqlstate: string | null): StatementStatus {
  if (sqlstate === null) return 'ok';
  return sqlstate.startsWith('57') ? 'canceled' : 'error';
}
