import net from 'node:net';
import { serialize } from 'pg-protocol';

export interface ReadResult {
  rows: number;
  /** Bytes received from the server for this query. */
  bytes: number;
  ms: number;
  /** Column names and text values, only when the query asked to collect them. */
  fields?: string[];
  values?: (string | null)[][];
}

export interface RawConnectOptions {
  port: number;
  host?: string;
  user: string;
  database: string;
  /** Extra startup parameters, e.g. `options: '-c work_mem=256MB'` for PostgreSQL. */
  params?: Record<string, string>;
}

export class ServerError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

interface Pending {
  collect: boolean;
  rows: number;
  bytes: number;
  started: number;
  fields?: string[];
  values?: (string | null)[][];
  error: ServerError | null;
  resolve: (r: ReadResult) => void;
  reject: (e: Error) => void;
}

const DATA_ROW = 0x44;
const ERROR = 0x45;
const READY = 0x5a;
const ROW_DESCRIPTION = 0x54;
const AUTH = 0x52;

/**
 * A minimal protocol client that counts DataRows without decoding them: it
 * measures what the server can deliver, not what a client library can parse.
 * Only when asked does it keep the (text) values, for result checks.
 * One query at a time; trust authentication only.
 */
export class RawSession {
  private pending: Pending | null = null;
  private buffered: Buffer = Buffer.alloc(0);
  private closed = false;
  private failure: Error | null = null;

  private constructor(private readonly socket: net.Socket) {}

  static async connect(opts: RawConnectOptions): Promise<RawSession> {
    const socket = net.connect(opts.port, opts.host ?? '127.0.0.1');
    socket.setNoDelay(true);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const session = new RawSession(socket);
    const ready = new Promise<ReadResult>((resolve, reject) => {
      session.pending = { collect: false, rows: 0, bytes: 0, started: performance.now(), error: null, resolve, reject };
    });
    socket.on('data', (chunk: Buffer) => session.onData(chunk));
    socket.on('error', (e) => session.fail(e));
    socket.on('close', () => session.fail(new Error('connection closed by the server')));
    socket.write(serialize.startup({ user: opts.user, database: opts.database, ...opts.params }));
    await ready;
    return session;
  }

  /**
   * Runs one statement with the extended protocol (unnamed statement and
   * portal, like most drivers) and resolves at ReadyForQuery. Results come in
   * text unless `binary`; `collect` keeps the values.
   */
  query(sql: string, opts: { binary?: boolean; collect?: boolean } = {}): Promise<ReadResult> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.pending) return Promise.reject(new Error('RawSession runs one query at a time'));
    const collect = opts.collect ?? false;
    return new Promise((resolve, reject) => {
      this.pending = { collect, rows: 0, bytes: 0, started: performance.now(), error: null, resolve, reject, values: collect ? [] : undefined };
      const msgs = [serialize.parse({ text: sql }), serialize.bind({ binary: opts.binary ?? false })];
      if (collect) msgs.push(serialize.describe({ type: 'P' }));
      msgs.push(serialize.execute({}), serialize.sync());
      this.socket.write(Buffer.concat(msgs));
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.socket.destroyed) return;
    await new Promise<void>((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.end(serialize.end());
      setTimeout(() => {
        this.socket.destroy();
        resolve();
      }, 2000).unref();
    });
  }

  private fail(e: Error): void {
    if (this.closed && !this.pending) return;
    this.failure ??= e;
    const p = this.pending;
    this.pending = null;
    p?.reject(p.error ?? e);
  }

  private onData(chunk: Buffer): void {
    const p = this.pending;
    if (p) p.bytes += chunk.length;
    const buf = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk;
    let pos = 0;
    while (pos + 5 <= buf.length) {
      const type = buf[pos]!;
      const len = buf.readInt32BE(pos + 1);
      if (pos + 1 + len > buf.length) break;
      if (type === DATA_ROW) {
        if (p) {
          p.rows++;
          if (p.collect) p.values!.push(decodeDataRow(buf, pos + 5));
        }
      } else if (type === READY) {
        this.pending = null;
        if (p) {
          if (p.error) p.reject(p.error);
          else p.resolve({ rows: p.rows, bytes: p.bytes, ms: performance.now() - p.started, fields: p.fields, values: p.values });
        }
      } else if (type === ERROR) {
        if (p) p.error ??= decodeError(buf, pos + 5, pos + 1 + len);
      } else if (type === ROW_DESCRIPTION) {
        if (p?.collect) p.fields = decodeFieldNames(buf, pos + 5);
      } else if (type === AUTH && buf.readInt32BE(pos + 5) !== 0) {
        this.fail(new Error('the raw reader supports trust authentication only'));
        this.socket.destroy();
        return;
      }
      pos += 1 + len;
    }
    this.buffered = pos < buf.length ? buf.subarray(pos) : Buffer.alloc(0);
  }
}

function decodeDataRow(buf: Buffer, at: number): (string | null)[] {
  const n = buf.readInt16BE(at);
  let p = at + 2;
  const row: (string | null)[] = [];
  for (let i = 0; i < n; i++) {
    const len = buf.readInt32BE(p);
    p += 4;
    if (len < 0) row.push(null);
    else {
      row.push(buf.toString('utf8', p, p + len));
      p += len;
    }
  }
  return row;
}

function decodeFieldNames(buf: Buffer, at: number): string[] {
  const n = buf.readInt16BE(at);
  let p = at + 2;
  const names: string[] = [];
  for (let i = 0; i < n; i++) {
    const end = buf.indexOf(0, p);
    names.push(buf.toString('utf8', p, end));
    p = end + 1 + 18;
  }
  return names;
}

function decodeError(buf: Buffer, at: number, end: number): ServerError {
  let code = '';
  let message = '';
  let p = at;
  while (p < end && buf[p] !== 0) {
    const field = String.fromCharCode(buf[p]!);
    const stop = buf.indexOf(0, p + 1);
    const value = buf.toString('utf8', p + 1, stop);
    if (field === 'C') code = value;
    else if (field === 'M') message = value;
    p = stop + 1;
  }
  return new ServerError(code, message);
}

/** Connects, runs one query, and disconnects (the time excludes connecting). */
export async function readAll(opts: RawConnectOptions & { sql: string; binary: boolean }): Promise<ReadResult> {
  const s = await RawSession.connect(opts);
  try {
    return await s.query(opts.sql, { binary: opts.binary });
  } finally {
    await s.close();
  }
}
