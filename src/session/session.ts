import type { EngineConnection } from '../engine/connection.js';
import { translateDuckDbError } from '../engine/duckdb-errors.js';
import { PgError, SqlState } from '../errors.js';
import { errorResponse, noticeResponse, type NoticeFields } from '../protocol/backend/notice.js';
import { parameterStatus, readyForQuery, type TransactionStatus } from '../protocol/backend/status.js';
import { FrontendCode } from '../protocol/frontend/messages.js';
import type { Frame } from '../protocol/frontend/framer.js';
import { ProtocolViolation } from '../protocol/errors.js';
import { InvalidEncoding } from '../protocol/frontend/cursor.js';
import { ClientGone, type ClientConnection } from '../server/client-connection.js';
import type { SessionSecurity } from '../security/session-security.js';
import type { SqlPipeline } from '../sql/pipeline.js';
import { PgSessionState } from '../pgcatalog/session-state.js';
import type { EncodeContext } from '../types/encode/text.js';
import { resolveTimeZone, UTC } from '../types/timezone.js';
import type { RowSink } from './portal.js';
import type { Portal, PreparedEntry } from './portal-types.js';
import { settingMillis, type SessionSettings } from './settings.js';
import { handleExtendedMessage } from './extended-query.js';
import { IdleTimeout } from './idle-timeout.js';
import type { SearchPathResolver } from './search-path.js';
import { runSimpleQuery } from './simple-query.js';

export type InterruptReason = 'cancel' | 'timeout' | 'shutdown' | 'disconnect';

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

/**
 * The state of one client connection after startup: transaction status,
 * prepared statements and portals, settings, and the statement running now.
 * Message handling lives in simple-query.ts and extended-query.ts.
 */
export class Session implements RowSink {
  txStatus: TransactionStatus = 'I';
  readonly statements = new Map<string, PreparedEntry>();
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

  constructor(
    readonly conn: ClientConnection,
    readonly engine: EngineConnection,
    readonly pipeline: SqlPipeline,
    readonly settings: SessionSettings,
    readonly identity: SessionIdentity,
    readonly limits: SessionLimits,
    readonly security: SessionSecurity,
  ) {
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

  /** Marks a statement as running (for cancel) and arms statement_timeout. */
  beginStatement(): void {
    this.running = true;
    this.interruptReason = null;
    this.abort = new AbortController();
    const ms = this.statementTimeoutMs();
    if (ms > 0) {
      this.statementTimer = setTimeout(() => this.interrupt('timeout'), ms);
      this.statementTimer.unref();
    }
  }

  endStatement(): void {
    this.running = false;
    if (this.statementTimer) clearTimeout(this.statementTimer);
    this.statementTimer = null;
    this.interruptReason = null;
    this.abort = null;
    if (this.closed) this.engine.close();
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
    this.interrupt('disconnect');
    for (const p of this.portals.values()) p.source?.close();
    for (const c of this.cursors.values()) c.source?.close();
    for (const s of this.statements.values()) s.query?.destroy();
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
