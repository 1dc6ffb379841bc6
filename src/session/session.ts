import { PreparedCache } from '../engine/prepared-cache.js';
import type { EngineConnection } from '../engine/connection.js';
import { translateDuckDbError } from '../engine/duckdb-errors.js';
import { PgError, SqlState } from '../errors.js';
import { errorResponse, noticeResponse, type NoticeFields } from '../protocol/backend/notice.js';
import { parameterStatus, readyForQuery, type TransactionStatus } from '../protocol/backend/status.js';
import { FrontendCode } from '../protocol/frontend/messages.js';
import type { Frame } from '../protocol/frontend/framer.js';
import { ProtocolViolation } from '../protocol/errors.js';
import { InvalidEncoding } from '../protocol/frontend/cursor.js';
import { GatewayEvents, StatementRecord, statusFor, type ConnectionInfo } from '../observability/events.js';
import { ClientGone, type ClientConnection } from '../server/client-connection.js';
import type { SessionSecurity } from '../security/session-security.js';
import type { SqlPipeline } from '../sql/pipeline.js';
import { PgSessionState } from '../pgcatalog/session-state.js';
import type { EncodeContext } from '../types/encode/text.js';
import { resolveTimeZone, UTC } from '../types/timezone.js';
import type { RowSink } from './portal.js';
import type { Portal, PreparedEntry } from './portal-types.js';
import { settingMillis, type SessionSettings } from './settings.js';
import type { ExplainAnnotator } from './explain.js';
import { handleExtendedMessage } from './extended-query.js';
import { IdleTimeout } from './idle-timeout.js';
import type { SearchPathResolver } from './search-path.js';
import { PROGRESS_SETTING, progressEnabled, ProgressNotices } from './progress.js';
import { runSimpleQuery } from './simple-query.js';

export type InterruptReason = 'cancel' | 'timeout' | 'shutdown' | 'terminate' | 'disconnect';

export interface SessionIdentity {
  user: string;
  database: string;
  applicationName: string;
  processId: number;
  secretKey: number;
  remoteAddress: string;
}

export interface SessionLimits {
  /** Upper bound for statement_timeout set by the client, in ms (0 = none). */
  maxStatementTimeoutMs: number;
  /** Rows one statement may return before it fails with 54000 (0 = no limit). */
  maxResultRows?: number;
}

/** What a session reports to and draws on from the gateway around it. */
export interface SessionServices {
  events: GatewayEvents;
  /** This connection as the logs, metrics and lakegate.sessions describe it. */
  connection: ConnectionInfo;
  /** EXPLAIN's extension point (federation adds remote SQL). */
  explainAnnotators: readonly ExplainAnnotator[];
}

function defaultServices(identity: SessionIdentity): SessionServices {
  return {
    events: new GatewayEvents(),
    connection: {
      pid: identity.processId,
      user: identity.user,
      database: identity.database,
      applicationName: identity.applicationName,
      client: identity.remoteAddress,
      connectedAt: Date.now(),
    },
    explainAnnotators: [],
  };
}

/**
 * The state of one client connection after startup: transaction status,
 * prepared statements and portals, settings, and the statement running now.
 * Message handling lives in simple-query.ts and extended-query.ts.
 */
export class Session implements RowSink {
  txStatus: TransactionStatus = 'I';
  readonly statements = new Map<string, PreparedEntry>();
  /** DuckDB prepared statements no portal uses now, ready for the same SQL again. */
  readonly preparedCache = new PreparedCache();
  readonly portals = new Map<string, Portal>();
  readonly cursors = new Map<string, Portal>();
  /** Savepoint names of the open transaction, innermost last. */
  savepoints: string[] = [];
  /** After an error in the extended protocol, messages are skipped until Sync. */
  skipTillSync = false;
  private interruptReason: InterruptReason | null = null;
  private running = false;
  private statementTimer: NodeJS.Timeout | null = null;
  /** Aborted when the running statement is cancelled or times out (stops remote queries too). */
  private abort: AbortController | null = null;
  private closed = false;
  private readonly idle: IdleTimeout;
  /** What the pg_catalog emulation reads about this session inside DuckDB. */
  readonly pgState: PgSessionState;
  /** Maps search_path onto the DuckDB connection (set by the server from the catalog). */
  searchPathResolver: SearchPathResolver | null = null;
  /** The DuckDB search_path last applied to this session's connection. */
  appliedSearchPath: string | null = null;
  private interruptRetry: NodeJS.Timeout | null = null;
  /** The statement running now, and the last one that ran (for lakegate.sessions). */
  private current: StatementRecord | null = null;
  private previous: StatementRecord | null = null;
  /** Statements finished in this session. */
  statementsRun = 0;
  private bytesMark = 0;
  private progressNotices: ProgressNotices | null = null;
  /** Handling a message now; ReadyForQuery is the last thing sent (so the client waits for us). */
  private busy = false;
  private atReady = false;
  /** Set by terminate() while busy: the FATAL error to send once the session is idle. */
  private pendingTermination: PgError | null = null;
  readonly services: SessionServices;

  constructor(
    readonly conn: ClientConnection,
    readonly engine: EngineConnection,
    readonly pipeline: SqlPipeline,
    readonly settings: SessionSettings,
    readonly identity: SessionIdentity,
    readonly limits: SessionLimits,
    readonly security: SessionSecurity,
    services?: SessionServices,
  ) {
    this.services = services ?? defaultServices(identity);
    this.pgState = new PgSessionState(engine, settings, { user: identity.user, processId: identity.processId, remoteAddress: identity.remoteAddress, startedAt: new Date() });
    this.idle = new IdleTimeout(settings, (e) => {
      if (this.closed || this.running) return;
      this.sendError(e);
    });
  }

  get maxResultRows(): number {
    return this.limits.maxResultRows ?? 0;
  }

  /** Dispatches one frontend message. */
  async handle(frame: Frame): Promise<void> {
    this.idle.stop();
    this.busy = true;
    this.atReady = false;
    try {
      await this.dispatch(frame);
    } finally {
      this.busy = false;
      if (this.pendingTermination && this.atReady) this.terminateNow(this.pendingTermination);
    }
  }

  private async dispatch(frame: Frame): Promise<void> {
    try {
      switch (frame.type) {
        case FrontendCode.Query:
          return await runSimpleQuery(this, frame.body);
        case FrontendCode.Terminate:
          this.close();
          return;
        case FrontendCode.Parse:
        case FrontendCode.Bind:
        case FrontendCode.Describe:
        case FrontendCode.Execute:
        case FrontendCode.Close:
        case FrontendCode.Sync:
        case FrontendCode.Flush:
          return await handleExtendedMessage(this, frame);
        case FrontendCode.CopyData:
        case FrontendCode.CopyDone:
        case FrontendCode.CopyFail:
          // COPY messages outside COPY are ignored, as PostgreSQL does
          return;
        case FrontendCode.FunctionCall:
          this.sendError(new PgError(SqlState.FeatureNotSupported, 'the fastpath function call protocol is not supported'));
          this.sendReady();
          return;
        default:
          throw new ProtocolViolation(`invalid frontend message type ${frame.type}`);
      }
    } catch (e) {
      if (e instanceof ClientGone) throw e;
      if (e instanceof ProtocolViolation && e.message.startsWith('invalid frontend message type')) throw e;
      // Anything unexpected: report it and keep the connection usable.
      this.sendError(e);
      if (frame.type === FrontendCode.Query) this.sendReady();
      else this.skipTillSync = true;
    }
  }

  /** Encoding options for the current statement's results. */
  encodeContext(): EncodeContext {
    return { timeZone: resolveTimeZone(this.settings.get('timezone') ?? 'UTC') ?? UTC };
  }

  get writer(): import('../protocol/buffer-writer.js').BufferWriter {
    return this.conn.writer;
  }

  flushIfFull(): Promise<void> {
    return this.conn.flushIfFull();
  }

  // --- running statements and interrupts -----------------------------------

  /**
   * Marks a statement as running (for cancel), arms statement_timeout, and
   * starts its record for the logs, metrics and query history.
   */
  beginStatement(text = ''): void {
    this.running = true;
    this.interruptReason = null;
    this.abort = new AbortController();
    const ms = this.statementTimeoutMs();
    if (ms > 0) {
      this.statementTimer = setTimeout(() => this.interrupt('timeout'), ms);
      this.statementTimer.unref();
    }
    const rec = new StatementRecord(this.services.connection, this.settings.get('application_name') ?? '', text, Date.now(), performance.now());
    this.current = rec;
    this.bytesMark = this.conn.bytesProduced;
    this.services.events.statementStarted(rec);
    if (progressEnabled(this.settings.get(PROGRESS_SETTING))) {
      this.progressNotices ??= new ProgressNotices({
        progress: () => this.engine.progress(),
        notice: (f) => this.notice(f),
        flush: () => this.conn.flush(),
      });
      this.progressNotices.start();
    }
  }

  /** Ends the running statement; `failure` is the error the client was (or will be) sent. */
  endStatement(failure: PgError | null = null): void {
    this.running = false;
    if (this.statementTimer) clearTimeout(this.statementTimer);
    this.statementTimer = null;
    if (this.interruptRetry) clearInterval(this.interruptRetry);
    this.interruptRetry = null;
    this.interruptReason = null;
    this.abort = null;
    this.progressNotices?.stop();
    const rec = this.current;
    if (rec) {
      rec.durationMs = performance.now() - rec.startMark;
      rec.bytesSent = this.conn.bytesProduced - this.bytesMark;
      rec.sqlstate = failure ? failure.code : null;
      rec.error = failure ? failure.message : null;
      rec.status = statusFor(rec.sqlstate);
      this.current = null;
      this.previous = rec;
      this.statementsRun++;
      this.services.events.statementFinished(rec);
    }
    if (this.closed) this.engine.close();
  }

  /** The catalog objects the running statement touches (for the statement log). */
  recordObjects(objects: readonly string[]): void {
    const rec = this.current;
    if (!rec || objects.length === 0) return;
    rec.objects = [...new Set([...(rec.objects ?? []), ...objects])];
  }

  /** Rows the running statement sent (or affected). */
  recordRows(n: number): void {
    if (this.current) this.current.rows += n;
  }

  /** Records a statement that failed before it could run (a syntax error at Parse). */
  recordFailedStatement(text: string, e: unknown): void {
    if (this.current) return;
    this.beginStatement(text);
    this.endStatement(this.failureOf(e));
  }

  /** The error a statement ended with, for its record (the client may be gone). */
  failureOf(e: unknown): PgError {
    if (e instanceof ClientGone) return new PgError(SqlState.ConnectionFailure, 'client disconnected');
    return this.toPgError(e);
  }

  /** The statement running now (federation attributes remote queries to it). */
  get currentStatement(): StatementRecord | null {
    return this.current;
  }

  /** The statement that ran last, once it finished. */
  get lastStatement(): StatementRecord | null {
    return this.previous;
  }

  private statementTimeoutMs(): number {
    const ms = settingMillis(this.settings.get('statement_timeout') ?? '0');
    const max = this.limits.maxStatementTimeoutMs;
    if (max > 0 && (ms === 0 || ms > max)) return max;
    return ms;
  }

  /** Stops the running statement (cancel request, timeout, shutdown). */
  interrupt(reason: InterruptReason): void {
    if (!this.running) {
      if (reason === 'shutdown' || reason === 'disconnect') this.interruptReason = reason;
      return;
    }
    this.interruptReason = reason;
    this.engine.interrupt();
    // DuckDB forgets an interrupt that arrives before its query has begun (between
    // prepare and execute, or while the work is still queued): repeat it until the
    // statement ends.
    if (!this.interruptRetry) {
      this.interruptRetry = setInterval(() => this.engine.interrupt(), 20);
      this.interruptRetry.unref();
    }
    this.abort?.abort(reason);
    this.wakeSleeper?.();
  }

  /** Signal of the running statement: aborted by cancel, timeout, shutdown or disconnect. */
  get signal(): AbortSignal | undefined {
    return this.abort?.signal;
  }

  private wakeSleeper: (() => void) | null = null;

  /** pg_sleep: waits on a timer that a cancel request or statement_timeout ends early (then throws 57014). */
  async sleep(ms: number): Promise<void> {
    if (ms > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, ms);
        function done(): void {
          clearTimeout(timer);
          resolve();
        }
        this.wakeSleeper = done;
      });
      this.wakeSleeper = null;
    }
    this.checkInterrupted();
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** The error for an interrupted statement, or null. */
  interruptError(): PgError | null {
    switch (this.interruptReason) {
      case 'cancel':
        return new PgError(SqlState.QueryCanceled, 'canceling statement due to user request');
      case 'timeout':
        return new PgError(SqlState.QueryCanceled, 'canceling statement due to statement timeout');
      case 'shutdown':
      case 'terminate':
        return new PgError(SqlState.AdminShutdown, 'terminating connection due to administrator command', { severity: 'FATAL' });
      case 'disconnect':
        return new PgError(SqlState.ConnectionFailure, 'client disconnected');
      default:
        return null;
    }
  }

  checkInterrupted(): void {
    if (this.conn.closed) throw new ClientGone();
    const e = this.interruptError();
    if (e) throw e;
  }

  /** Converts anything thrown while running into the PgError the client should see. */
  toPgError(e: unknown, query?: string): PgError {
    const interrupted = this.interruptError();
    if (interrupted) return interrupted;
    if (e instanceof PgError) return e;
    if (e instanceof InvalidEncoding) return new PgError(SqlState.CharacterNotInRepertoire, e.message);
    if (e instanceof ProtocolViolation) return new PgError(e.code, e.message);
    if (e instanceof Error && /^[A-Za-z ]+ Error: /.test(e.message)) return translateDuckDbError(e, query);
    return new PgError(SqlState.InternalError, e instanceof Error ? e.message : String(e));
  }

  // --- output ------------------------------------------------------------------

  sendError(e: unknown, query?: string): PgError {
    const err = this.toPgError(e, query);
    errorResponse(this.conn.writer, err.toFields());
    if (this.txStatus === 'T') this.txStatus = 'E';
    if (err.severity === 'FATAL') {
      this.conn.flush();
      this.close();
    }
    return err;
  }

  notice(fields: Omit<NoticeFields, 'severity'> & { severity?: NoticeFields['severity'] }): void {
    noticeResponse(this.conn.writer, { severity: 'NOTICE', ...fields });
  }

  /** ReadyForQuery, preceded by ParameterStatus for any reported setting that changed. */
  sendReady(): void {
    for (const name of this.settings.takeChanged()) parameterStatus(this.conn.writer, name, this.settings.get(name) ?? '');
    readyForQuery(this.conn.writer, this.txStatus);
    this.conn.flush();
    this.idle.arm(this.txStatus);
    this.atReady = true;
  }

  /** Waiting for the client: between ReadyForQuery and its next message. */
  get isIdle(): boolean {
    return !this.busy && this.atReady && !this.running;
  }

  /**
   * Ends the session with a FATAL error (shutdown, lakegate.terminate). An idle
   * session gets it now; a busy one once it is back at ReadyForQuery, so the
   * statement it runs completes. `force` interrupts the running statement,
   * which then fails with the same error.
   */
  terminate(err: PgError, force = false): void {
    if (this.closed) return;
    if (this.isIdle) {
      this.terminateNow(err);
      return;
    }
    this.pendingTermination = err;
    if (!force) return;
    if (this.running) this.interrupt(err.code === SqlState.AdminShutdown ? 'shutdown' : 'terminate');
    else this.terminateNow(err);
  }

  private terminateNow(err: PgError): void {
    if (this.closed) return;
    errorResponse(this.conn.writer, { ...err.toFields(), severity: 'FATAL' });
    this.conn.flush();
    this.close();
  }

  // --- lifecycle -----------------------------------------------------------------

  closePortal(name: string): void {
    const p = this.portals.get(name);
    if (!p) return;
    p.source?.close();
    this.portals.delete(name);
    if (p.entry.name === '' && p.entry.query && !this.statements.has('')) {
      // an unnamed statement already replaced: nothing else holds it
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.idle.stop();
    this.progressNotices?.stop();
    this.interrupt('disconnect');
    for (const p of this.portals.values()) p.source?.close();
    for (const c of this.cursors.values()) c.source?.close();
    for (const s of this.statements.values()) s.query?.destroy();
    this.preparedCache.clear();
    this.portals.clear();
    this.cursors.clear();
    this.statements.clear();
    this.conn.close();
    // a statement still running in DuckDB closes the connection when it ends
    if (!this.running) this.engine.close();
  }

  get isClosed(): boolean {
    return this.closed;
  }
}
