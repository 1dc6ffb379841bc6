import { ProtocolViolation } from '../errors.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Reads the fields of one frontend message body, rejecting overruns and invalid UTF-8. */
export class MessageCursor {
  private pos = 0;
  constructor(private readonly body: Buffer) {}

  get remaining(): number {
    return this.body.length - this.pos;
  }

  byte(): number {
    if (this.pos + 1 > this.body.length) throw overrun();
    return this.body[this.pos++]!;
  }

  int16(): number {
    if (this.pos + 2 > this.body.length) throw overrun();
    const v = this.body.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  int32(): number {
    if (this.pos + 4 > this.body.length) throw overrun();
    const v = this.body.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  uint32(): number {
    if (this.pos + 4 > this.body.length) throw overrun();
    const v = this.body.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  cstring(): string {
    const end = this.body.indexOf(0, this.pos);
    if (end < 0) throw new ProtocolViolation('invalid string in message');
    const s = decodeUtf8(this.body.subarray(this.pos, end));
    this.pos = end + 1;
    return s;
  }

  bytes(n: number): Buffer {
    if (n < 0 || this.pos + n > this.body.length) throw overrun();
    const b = this.body.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  rest(): Buffer {
    const b = this.body.subarray(this.pos);
    this.pos = this.body.length;
    return b;
  }

  /** PostgreSQL rejects trailing garbage after the last field. */
  end(): void {
    if (this.pos !== this.body.length) throw new ProtocolViolation('invalid message format');
  }
}

function overrun(): ProtocolViolation {
  return new ProtocolViolation('insufficient data left in message');
}

export class InvalidEncoding extends Error {
  readonly code = '22021';
  constructor() {
    super('invalid byte sequence for encoding "UTF8"');
  }
}

export function decodeUtf8(bytes: Buffer): string {
  // ASCII fast path: most identifiers and queries are plain ASCII.
  let ascii = true;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i]! > 0x7f) {
      ascii = false;
      break;
    }
  }
  if (ascii) return bytes.toString('latin1');
  try {
    return utf8.decode(bytes);
  } catch {
    throw new InvalidEncoding();
  }
}
