import net from 'node:net';
import tls from 'node:tls';
import type { UserAuth, UserSpec } from '../config/users.js';
import type { Engine } from '../engine/engine.js';
import { PgError, SqlState } from '../errors.js';
import { authenticationOk } from '../protocol/backend/auth.js';
import { errorResponse } from '../protocol/backend/notice.js';
import { backendKeyData, parameterStatus } from '../protocol/backend/status.js';
import { ProtocolViolation } from '../protocol/errors.js';
import type { Frame } from '../protocol/frontend/framer.js';
import { decodeStartup, PROTOCOL_3_0, type StartupPacket } from '../protocol/frontend/messages.js';
import type { SqlPipeline } from '../sql/pipeline.js';
import { Session } from '../session/session.js';
import type { SearchPathResolver } from '../session/search-path.js';
import { REPORTED, SessionSettings } from '../session/settings.js';
import type { Logger } from '../observability/logger.js';
import type { SecurityManager } from '../security/manager.js';
import { SessionSecurity } from '../security/session-security.js';
import { DEFAULT_THROTTLE, LoginThrottle, type ThrottleOptions } from '../security/throttle.js';
import { GatewayEvents, type ConnectionInfo, type ConnectionRejected, type ShutdownProgress } from '../observability/events.js';
import type { ExplainAnnotator } from '../session/explain.js';
import { CancelRegistry } from './cancel-registry.js';
import { drainSessions } from './drain.js';
import { ClientConnection, ClientGone } from './client-connection.js';
import { authenticate } from './startup.js';

export interface TlsOptions {
  context: tls.SecureContext;
  /** Refuse clear-text connections. */
  required: boolean;
}

export interface ServerOptions {
  host: string;
  port: number;
  maxConnections: number;
  maxMessageSize: number;
  serverVersion: string;
  serverVersionNum: string;
  defaultTimeZone: string;
  maxStatementTimeoutMs: number;
  replicaId?: number;
  tls?: TlsOptions;
  /** Grants, secure views and per-session authorization. */
  security: SecurityManager;
  throttle?: ThrottleOptions;
  /** Time a client has to finish startup and authentication (0 = no limit). */
  authenticationTimeoutMs?: number;
  /** Default idle_session_timeout for sessions, in ms. */
  idleSessionTimeoutMs?: number;
  /** Default statement_timeout for sessions, in ms (a user's own default overrides it). */
  statementTimeoutMs?: number;
  /** Rows a statement may return before it fails with 54000 (0 = no limit). */
  maxResultRows?: number;
  /** Longest statement text accepted, in characters (0 = no limit). */
  maxQuerySize?: number;
}

/** What the server reports to and shares with every session. */
export interface ServerHooks {
  events: GatewayEvents;
  explainAnnotators: readonly ExplainAnnotator[];
}

/** The reason a failed startup is counted under. */
function rejectionReason(err: PgError): ConnectionRejected['reason'] {
  switch (err.code) {
    case SqlState.InvalidPassword:
      return 'auth_failed';
    case SqlState.InvalidAuthorizationSpecification:
      return /SSL|encrypt/i.test(err.message) ? 'ssl_required' : 'auth_failed';
    case SqlState.TooManyConnections:
      return 'too_many_connections';
    case SqlState.InvalidCatalogName:
      return 'no_such_database';
    case SqlState.CannotConnectNow:
      return 'shutting_down';
    case SqlState.ProtocolViolation:
      return 'protocol';
    default:
      return 'other';
  }
}

/** What the server reads from the current catalog at each connection (it may be reloaded). */
export interface ServerCatalog {
  database(): string;
  user(name: string): UserAuth | undefined;
  /** The user's catalog entry (limits), if any. */
  profile(name: string): UserSpec | undefined;
  /** Maps each session's search_path onto its DuckDB connection. */
  searchPath?: SearchPathResolver;
}

/**
 * Hands startup-phase frames to the handshake one at a time. The connection's
 * pump waits on each frame until the handshake asks for the next one, so no
 * byte is framed before the handshake has decided how (typed or not, TLS or not).
 */
class FrameQueue {
  private frames: { frame: Frame; consumed: () => void }[] = [];
  private waiter: ((f: Frame) => void) | null = null;
  private current: (() => void) | null = null;

  push(frame: Frame): Promise<void> {
    return new Promise((consumed) => {
      if (this.waiter) {
        const w = this.waiter;
        this.waiter = null;
        this.current = consumed;
        w(frame);
      } else this.frames.push({ frame, consumed });
    });
  }

  next(): Promise<Frame> {
    this.release();
    const f = this.frames.shift();
    if (f) {
      this.current = f.consumed;
      return Promise.resolve(f.frame);
    }
    return new Promise((resolve) => (this.waiter = resolve));
  }

  /** Lets the pump read on (after the handler for later frames is in place). */
  release(): void {
    const c = this.current;
    this.current = null;
    c?.();
  }
}

function fatal(code: string, message: string): PgError {
  return new PgError(code, message, { severity: 'FATAL' });
}

/** Parses the startup `options` parameter: `-c name=value` and `--name=value`. */
function parseStartupOptions(options: string): [string, string][] {
  const out: [string, string][] = [];
  const parts = options.match(/(?:\\.|\S)+/g) ?? [];
  for (let i = 0; i < parts.length; i++) {
    let p = parts[i]!.replace(/\\(.)/g, '$1');
    if (p === '-c' && parts[i + 1]) p = parts[++i]!.replace(/\\(.)/g, '$1');
    else if (p.startsWith('-c')) p = p.slice(2);
    else if (p.startsWith('--')) p = p.slice(2);
    else continue;
    const eq = p.indexOf('=');
    if (eq > 0) out.push([p.slice(0, eq).replace(/-/g, '_'), p.slice(eq + 1)]);
  }
  return out;
}

/**
 * The TCP listener: accepts sockets, runs the startup handshake (TLS, cancel,
 * authentication) and hands each authenticated connection to a Session.
 */
export class LakegateServer {
  private readonly server: net.Server;
  readonly cancels: CancelRegistry;
  readonly sessions = new Set<Session>();
  private connecting = 0;
  private accepting = true;
  private readonly throttle: LoginThrottle;
  private readonly perUser = new Map<string, number>();
  /** Every open socket, sessions and handshakes alike (closed by force at the end of shutdown). */
  private readonly sockets = new Set<net.Socket>();

  constructor(
    private readonly engine: Engine,
    private readonly pipeline: SqlPipeline,
    private readonly catalog: ServerCatalog,
    private readonly opts: ServerOptions,
    private readonly log: Logger,
    private readonly hooks: ServerHooks = { events: new GatewayEvents(), explainAnnotators: [] },
  ) {
    this.cancels = new CancelRegistry(opts.replicaId ?? 0);
    this.throttle = new LoginThrottle(opts.throttle ?? DEFAULT_THROTTLE);
    this.server = net.createServer((socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
      void this.onSocket(socket);
    });
  }

  listen(): Promise<net.AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.opts.port, this.opts.host, () => {
        this.server.off('error', reject);
        resolve(this.server.address() as net.AddressInfo);
      });
    });
  }

  get address(): net.AddressInfo {
    return this.server.address() as net.AddressInfo;
  }

  /** Stops accepting; existing sessions continue. Resolves once every connection has closed. */
  stopAccepting(): Promise<void> {
    this.accepting = false;
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  get isAccepting(): boolean {
    return this.accepting;
  }

  /**
   * Graceful shutdown: refuse new connections, let running statements finish
   * within `graceMs` (then cancel them), end every session with FATAL 57P01,
   * and close what is left.
   */
  async shutdown(graceMs: number, report: (p: ShutdownProgress) => void): Promise<void> {
    const closed = this.stopAccepting();
    await drainSessions([...this.sessions], graceMs, report);
    // ended sockets close once the client has read the FATAL message; handshakes left over are cut
    await Promise.race([closed, new Promise((r) => setTimeout(r, 1500).unref())]);
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  private async onSocket(socket: net.Socket): Promise<void> {
    if (!this.accepting) {
      socket.destroy();
      return;
    }
    const conn = new ClientConnection(socket, this.opts.maxMessageSize);
    const frames = new FrameQueue();
    conn.setHandler((f) => frames.push(f));
    this.connecting++;
    let counted = true;
    const uncount = (): void => {
      if (counted) this.connecting--;
      counted = false;
    };
    conn.onClosed(uncount);
    const attempt: { user?: string } = {};
    const authTimeout = this.opts.authenticationTimeoutMs ?? 60_000;
    const timer = authTimeout > 0 ? setTimeout(() => conn.socket.destroy(), authTimeout) : null;
    timer?.unref();
    conn.onClosed(() => timer && clearTimeout(timer));
    try {
      const session = await this.startup(conn, frames, attempt);
      if (timer) clearTimeout(timer);
      uncount();
      if (!session) return;
      conn.setHandler((f) => session.handle(f));
      frames.release();
    } catch (e) {
      uncount();
      if (e instanceof ClientGone || conn.closed) return;
      const err = e instanceof PgError ? e : e instanceof ProtocolViolation ? fatal(e.code, e.message) : fatal(SqlState.InternalError, String(e));
      this.hooks.events.connectionRejected({ reason: rejectionReason(err), sqlstate: err.code, message: err.message, user: attempt.user, client: conn.remoteAddress });
      if (err.code === SqlState.InvalidPassword) {
        // failed logins are answered late, later the more an address fails
        await new Promise((r) => setTimeout(r, this.throttle.failure(conn.remoteAddress)));
        if (conn.closed) return;
      }
      errorResponse(conn.writer, { ...err.toFields(), severity: 'FATAL' });
      conn.flush();
      conn.close();
    }
  }

  private async nextStartupPacket(conn: ClientConnection, frames: FrameQueue): Promise<StartupPacket> {
    const first = await Promise.race([
      frames.next(),
      new Promise<never>((_, reject) => conn.onClosed(() => reject(new ClientGone()))),
    ]);
    return decodeStartup(first.body);
  }

  private async startup(conn: ClientConnection, frames: FrameQueue, attempt: { user?: string }): Promise<Session | null> {
    let packet = await this.nextStartupPacket(conn, frames);
    let sslDone = false;
    let gssDone = false;
    for (;;) {
      if (packet.kind === 'ssl' && !sslDone) {
        sslDone = true;
        if (this.opts.tls) {
          if (conn.framer.bufferedBytes > 0) throw new ProtocolViolation('received unencrypted data after SSL request');
          conn.writeRaw(Buffer.from('S'));
          await this.upgradeToTls(conn, this.opts.tls.context);
        } else {
          conn.writeRaw(Buffer.from('N'));
        }
      } else if (packet.kind === 'gssenc' && !gssDone) {
        gssDone = true;
        conn.writeRaw(Buffer.from('N'));
      } else if (packet.kind === 'cancel') {
        this.cancels.cancel(packet.processId, packet.secretKey);
        conn.close();
        return null;
      } else if (packet.kind === 'startup') {
        break;
      } else {
        throw new ProtocolViolation('unexpected startup packet');
      }
      packet = await this.nextStartupPacket(conn, frames);
    }
    if (packet.protocol !== PROTOCOL_3_0 && packet.protocol >>> 16 !== 3) {
      throw fatal(SqlState.FeatureNotSupported, 'unsupported frontend protocol');
    }
    conn.framer.setTyped();
    const params = packet.params;
    const user = params.get('user');
    if (!user) throw fatal(SqlState.InvalidAuthorizationSpecification, 'no PostgreSQL user name specified in startup packet');
    attempt.user = user;
    if (this.opts.tls?.required && !sslDone) {
      throw fatal(SqlState.InvalidAuthorizationSpecification, `no encrypted connection for user "${user}": this server requires SSL`);
    }
    if (this.sessions.size + this.connecting > this.opts.maxConnections) {
      throw fatal(SqlState.TooManyConnections, 'sorry, too many clients already');
    }
    // a locked-out address fails exactly as a wrong password does
    const locked = this.throttle.locked(conn.remoteAddress);
    await authenticate(conn, () => frames.next(), user, locked ? undefined : this.catalog.user(user));
    const profile = this.catalog.profile(user);
    const userLimit = profile?.connectionLimit;
    if (userLimit !== undefined && (this.perUser.get(user) ?? 0) >= userLimit) {
      throw fatal(SqlState.TooManyConnections, `too many connections for role "${user}"`);
    }
    const database = params.get('database') || user;
    if (database !== this.catalog.database()) throw fatal(SqlState.InvalidCatalogName, `database "${database}" does not exist`);

    const settings = new SessionSettings({
      serverVersion: this.opts.serverVersion,
      serverVersionNum: this.opts.serverVersionNum,
      user,
      timeZone: this.opts.defaultTimeZone,
    });
    const ignored = new Set(['user', 'database', 'options', 'replication']);
    const statementTimeout = profile?.statementTimeoutMs ?? this.opts.statementTimeoutMs;
    if (statementTimeout) settings.setDefault('statement_timeout', String(statementTimeout));
    if (this.opts.idleSessionTimeoutMs) settings.setDefault('idle_session_timeout', String(this.opts.idleSessionTimeoutMs));
    try {
      for (const [k, v] of params) if (!ignored.has(k)) settings.setDefault(k, v);
      for (const [k, v] of parseStartupOptions(params.get('options') ?? '')) settings.setDefault(k, v);
    } catch (e) {
      if (e instanceof PgError) throw fatal(e.code, e.message);
      throw e;
    }
    settings.takeChanged();
    const engineConn = await this.engine.connect();
    if (!this.accepting) {
      engineConn.close();
      throw fatal(SqlState.CannotConnectNow, 'the database system is shutting down');
    }
    const info: ConnectionInfo = {
      pid: 0,
      user,
      database,
      applicationName: params.get('application_name') ?? '',
      client: conn.remoteAddress,
      connectedAt: Date.now(),
    };
    let session!: Session;
    const security = new SessionSecurity(this.opts.security, engineConn, {
      user,
      maxQuerySize: this.opts.maxQuerySize ?? 0,
      searchPath: () => settings.get('search_path') ?? '',
      inTransaction: () => session.txStatus !== 'I',
    });
    try {
      await security.start();
    } catch (e) {
      engineConn.close();
      throw e;
    }
    const key = this.cancels.register({ interrupt: (r) => session.interrupt(r) });
    session = new Session(
      conn,
      engineConn,
      this.pipeline,
      settings,
      {
        user,
        database,
        applicationName: params.get('application_name') ?? '',
        processId: key.processId,
        secretKey: key.secretKey,
        remoteAddress: conn.remoteAddress,
      },
      {
        maxStatementTimeoutMs: profile?.maxStatementTimeoutMs || this.opts.maxStatementTimeoutMs,
        maxResultRows: this.opts.maxResultRows ?? 0,
      },
      security,
      { events: this.hooks.events, connection: info, explainAnnotators: this.hooks.explainAnnotators },
    );
    info.pid = key.processId;
    session.searchPathResolver = this.catalog.searchPath ?? null;
    this.perUser.set(user, (this.perUser.get(user) ?? 0) + 1);
    const cleanup = (): void => {
      this.cancels.unregister(key.processId);
      this.sessions.delete(session);
      const n = (this.perUser.get(user) ?? 1) - 1;
      if (n > 0) this.perUser.set(user, n);
      else this.perUser.delete(user);
      session.close();
      this.hooks.events.connectionClosed(info);
    };
    if (conn.closed) {
      cleanup();
      return null;
    }
    this.sessions.add(session);
    conn.onClosed(cleanup);
    this.hooks.events.connectionOpened(info);
    const w = conn.writer;
    authenticationOk(w);
    for (const name of REPORTED) parameterStatus(w, name, settings.get(name) ?? '');
    backendKeyData(w, key.processId, key.secretKey);
    session.sendReady();
    this.log.debug({ user, client: conn.remoteAddress, pid: key.processId }, 'session started');
    return session;
  }

  private upgradeToTls(conn: ClientConnection, context: tls.SecureContext): Promise<void> {
    conn.detach();
    const raw = conn.socket;
    const secure = new tls.TLSSocket(raw, { isServer: true, secureContext: context });
    return new Promise((resolve, reject) => {
      secure.once('secure', () => {
        conn.attach(secure);
        resolve();
      });
      secure.once('error', (e) => {
        raw.destroy();
        reject(new ClientGone());
        void e;
      });
    });
  }

  /** Closes every session (used at shutdown) and the listener. */
  async close(): Promise<void> {
    this.accepting = false;
    for (const s of this.sessions) s.close();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }
}
