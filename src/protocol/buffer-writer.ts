import { putInt32, putInt16 } from './bytes.js';
/**
 * A growable output buffer for backend messages. Messages are appended with
 * `begin`/`end` (which patches the length word), and `flush` hands the filled
 * bytes to the caller and starts over on a fresh buffer, so the bytes given to
 * `socket.write` are never overwritten while the socket still holds them.
 */
export class BufferWriter {
  buf: Buffer;
  pos = 0;
  private readonly initialSize: number;

  constructor(initialSize = 16 * 1024) {
    this.initialSize = initialSize;
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  get length(): number {
    return this.pos;
  }

  ensure(extra: number): void {
    const need = this.pos + extra;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  byte(value: number): this {
    this.ensure(1);
    this.buf[this.pos++] = value;
    return this;
  }

  int16(value: number): this {
    this.ensure(2);
    putInt16(this.buf, this.pos, value);
    this.pos += 2;
    return this;
  }

  int32(value: number): this {
    this.ensure(4);
    putInt32(this.buf, this.pos, value);
    this.pos += 4;
    return this;
  }

  uint32(value: number): this {
    this.ensure(4);
    putInt32(this.buf, this.pos, value);
    this.pos += 4;
    return this;
  }

  /** UTF-8 text followed by a NUL terminator. */
  cstring(value: string): this {
    const max = value.length * 3 + 1;
    this.ensure(max);
    this.pos += this.buf.write(value, this.pos, 'utf8');
    this.buf[this.pos++] = 0;
    return this;
  }

  /** UTF-8 text without terminator. */
  string(value: string): this {
    this.ensure(value.length * 3);
    this.pos += this.buf.write(value, this.pos, 'utf8');
    return this;
  }

  bytes(value: Uint8Array, start = 0, end = value.length): this {
    const n = end - start;
    this.ensure(n);
    if (n <= 16) {
      // short runs (COPY fields, names): a loop beats creating a subarray view
      const buf = this.buf;
      let p = this.pos;
      for (let i = start; i < end; i++) buf[p++] = value[i]!;
    } else if (Buffer.isBuffer(value)) {
      value.copy(this.buf, this.pos, start, end);
    } else {
      this.buf.set(start === 0 && end === value.length ? value : value.subarray(start, end), this.pos);
    }
    this.pos += n;
    return this;
  }

  /** Starts a message with a type byte; returns the offset to pass to `end`. */
  begin(type: number): number {
    this.ensure(5);
    const start = this.pos;
    this.buf[this.pos] = type;
    this.pos += 5;
    return start;
  }

  /** Patches the length word of the message that `begin` started. */
  end(start: number): void {
    putInt32(this.buf, start + 1, this.pos - start - 1);
  }

  /** Returns the written bytes and resets, leaving the returned bytes untouched. */
  flush(): Buffer {
    const out = this.buf.subarray(0, this.pos);
    const size = Math.max(this.initialSize, Math.min(this.buf.length, 4 * 1024 * 1024));
    this.buf = Buffer.allocUnsafe(size);
    this.pos = 0;
    return out;
  }

  /** Drops everything written since `mark` (used to retract a partial message). */
  truncate(mark: number): void {
    this.pos = mark;
  }
}
