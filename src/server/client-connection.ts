import type net from 'node:net';
import { BufferWriter } from '../protocol/buffer-writer.js';
import { errorResponse } from '../protocol/backend/notice.js';
import { ProtocolViolation } from '../protocol/errors.js';
import { Framer, type Frame } from '../protocol/frontend/framer.js';
import { InvalidEncoding } from '../protocol/frontend/cursor.js';

export type FrameHandler = (frame: Frame) => Promise<void> | void;

/** Raised when the client has gone away while we were sending to it. */
export class ClientGone extends Error {
  constructor() {
    super('client connection closed');
  }
}

const FLUSH_THRESHOLD = 256 * 1024;
const MAX_BUFFERED_INPUT = 8 * 1024 * 1024;

/**
 * The byte side of one client: frames in, messages out. Incoming frames are
 * handled strictly one at a time; output is collected in a writer and sent in
 * large writes, waiting for `drain` when the socket's buffer is full.
 */
export class ClientConnection {
  readonly writer = new BufferWriter(64 * 1024);
  readonly framer: Framer;
  private handler: FrameHandler | null = null;

  private processing = false;
  private closedFlag = false;
  private drainWaiters: (() => void)[] = [];
  private readonly closeListeners: (() => void)[] = [];
  /** Bytes handed to the socket so far (messages only, after startup's raw answers too). */
  private bytesFlushed = 0;

  constructor(
    public socket: net.Socket,
    maxMessageSize: number,
  ) {
    this.framer = new Framer(maxMessageSize);
    this.attach(socket);
  }

  get remoteAddress(): string {
    return this.socket.remoteAddress ?? 'local';
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  /** Bytes sent plus bytes still buffered: the difference over a statement is what it sent. */
  get bytesProduced(): number {
    return this.bytesFlushed + this.writer.length;
  }

  /** Swaps the underlying socket (after a TLS upgrade). */
  attach(socket: net.Socket): void {
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => this.wakeDrainWaiters());
    socket.on('close', () => this.onClose());
    socket.on('error', () => this.onClose());
  }

  /** Stops reading from the current socket (before handing it to TLS). */
  detach(): void {
    this.socket.removeAllListeners('data');
    this.socket.removeAllListeners('drain');
    this.socket.removeAllListeners('close');
    this.socket.removeAllListeners('error');
  }

  setHandler(handler: FrameHandler): void {
    this.handler = handler;
  }


  /** Runs `listener` when the connection closes (at once if it already has: startup awaits can race a disconnect). */
  onClosed(listener: () => void): void {
    if (this.closedFlag) listener();
    else this.closeListeners.push(listener);
  }

  private onData(chunk: Buffer): void {
    if (this.closedFlag) return;
    this.framer.push(chunk);
    if (this.framer.bufferedBytes > MAX_BUFFERED_INPUT) this.socket.pause();
    void this.pump();
  }

  /** Handles buffered frames in order until none is complete. */
  async pump(): Promise<void> {
    if (this.processing) return;
    this.processing = true;
    try {
      while (!this.closedFlag && this.handler) {
        let frame: Frame | null;
        try {
          frame = this.framer.next();
        } catch (e) {
          this.fatal(e);
          return;
        }
        if (!frame) break;
        if (this.framer.bufferedBytes < MAX_BUFFERED_INPUT && this.socket.isPaused()) this.socket.resume();
        try {
          await this.handler(frame);
        } catch (e) {
          if (e instanceof ClientGone) return;
          this.fatal(e);
          return;
        }
      }
    } finally {
      this.processing = false;
    }
  }

  /** Sends a FATAL error for a protocol violation and closes. */
  fatal(e: unknown): void {
    if (this.closedFlag) return;
    const code = e instanceof ProtocolViolation || e instanceof InvalidEncoding ? e.code : '08P01';
    const message = e instanceof Error ? e.message : String(e);
    errorResponse(this.writer, { severity: 'FATAL', code, message });
    this.flush();
    this.close();
  }

  /** Writes everything buffered; returns false when the socket asks us to wait. */
  flush(): boolean {
    if (this.writer.length === 0 || this.closedFlag) return true;
    const out = this.writer.flush();
    this.bytesFlushed += out.length;
    return this.socket.write(out);
  }

  /** Flushes if enough output has accumulated, waiting for the client to catch up. */
  async flushIfFull(): Promise<void> {
    if (this.writer.length >= FLUSH_THRESHOLD) await this.flushAndWait();
  }

  async flushAndWait(): Promise<void> {
    if (this.closedFlag) throw new ClientGone();
    if (!this.flush()) await this.waitForDrain();
  }

  /** Raw bytes outside message framing (the SSLRequest answer). */
  writeRaw(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  private waitForDrain(): Promise<void> {
    if (!this.socket.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.drainWaiters.push(() => (this.closedFlag ? reject(new ClientGone()) : resolve()));
    });
  }

  private wakeDrainWaiters(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
  }

  private onClose(): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    this.wakeDrainWaiters();
    for (const l of this.closeListeners) l();
  }

  close(): void {
    if (!this.closedFlag) {
      this.socket.end();
      this.onClose();
    }
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }
}

export function isInvalidEncoding(e: unknown): e is InvalidEncoding {
  return e instanceof InvalidEncoding;
}
