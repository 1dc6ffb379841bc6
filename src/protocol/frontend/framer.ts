import { ProtocolViolation } from '../errors.js';

export interface Frame {
  /** Message type byte; 0 for the untyped startup-phase packets. */
  type: number;
  body: Buffer;
}

/**
 * Splits the incoming byte stream into frames. Before startup completes, packets
 * carry no type byte; afterwards every message is `type:int8 len:int32 body`.
 * Lengths are checked against a limit before anything is buffered, so a client
 * that claims a 1 GB message is refused at once. Partial messages are kept as a
 * list of chunks and joined once, when the whole message has arrived.
 */
export class Framer {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private typed = false;

  constructor(private readonly maxMessageSize: number) {}

  /** After the startup packet is accepted, messages carry a type byte. */
  setTyped(): void {
    this.typed = true;
  }

  get bufferedBytes(): number {
    return this.buffered;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
  }

  /** Returns the next complete frame, or null when more bytes are needed. */
  next(): Frame | null {
    const header = this.typed ? 5 : 4;
    if (this.buffered < header) return null;
    let head = this.chunks[0]!;
    if (head.length < header) head = this.join();
    const type = this.typed ? head[0]! : 0;
    const len = head.readInt32BE(this.typed ? 1 : 0);
    if (len < 4) throw new ProtocolViolation(`invalid message length ${len}`);
    if (!this.typed && len < 8) throw new ProtocolViolation('invalid length of startup packet');
    if (len > this.maxMessageSize) {
      if (!this.typed) throw new ProtocolViolation('invalid length of startup packet');
      throw new ProtocolViolation(`message of ${len} bytes exceeds the limit of ${this.maxMessageSize} bytes`, '54000');
    }
    const total = len + (this.typed ? 1 : 0);
    if (this.buffered < total) return null;
    if (head.length < total) head = this.join();
    const body = head.subarray(header, total);
    if (head.length === total) this.chunks.shift();
    else this.chunks[0] = head.subarray(total);
    this.buffered -= total;
    return { type, body };
  }

  private join(): Buffer {
    const all = Buffer.concat(this.chunks, this.buffered);
    this.chunks = [all];
    return all;
  }
}
