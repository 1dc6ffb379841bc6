import net from 'node:net';
import { parse, serialize } from 'pg-protocol';
import type { BackendMessage } from 'pg-protocol/dist/messages.js';

export { serialize };

/**
 * A protocol-level client for tests that check exact message sequences:
 * connects as a trust user, writes raw frontend messages, and collects
 * every backend message in order.
 */
export class RawClient {
  readonly messages: BackendMessage[] = [];
  private waiters: (() => void)[] = [];
  closed = false;

  private constructor(readonly socket: net.Socket) {
    void parse(socket, (msg) => {
      this.messages.push(msg);
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Backend messages of the startup phase (AuthenticationOk .. ReadyForQuery). */
  startup: BackendMessage[] = [];

  static async connect(port: number, user = 'trust_user', database = 'lakegate', extra: Record<string, string> = {}): Promise<RawClient> {
    const socket = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const c = new RawClient(socket);
    socket.write(serialize.startup({ user, database, ...extra }));
    c.startup = await c.until('readyForQuery');
    return c;
  }

  send(...buffers: Buffer[]): void {
    this.socket.write(Buffer.concat(buffers));
  }

  /** Waits until a message with this name arrives; returns everything received so far and clears it. */
  async until(name: string, timeoutMs = 20_000): Promise<BackendMessage[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.messages.findIndex((m) => m.name === name);
      if (i >= 0) return this.messages.splice(0, i + 1);
      if (this.closed) throw new Error(`connection closed before ${name}; got ${this.messages.map((m) => m.name).join(',')}`);
      if (Date.now() > deadline) throw new Error(`timeout waiting for ${name}; got ${this.messages.map((m) => m.name).join(',')}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  async waitClosed(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  }

  end(): void {
    this.socket.end(serialize.end());
  }
}

export function names(messages: BackendMessage[]): string[] {
  return messages.map((m) => m.name);
}
