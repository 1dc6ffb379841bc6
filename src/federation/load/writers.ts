import duckdb, { type Vector } from '@duckdb/node-bindings';
import { parseArrayText } from '../../types/param-decode.js';
import type { DuckType } from '../../types/duck-type.js';
import { parseByteaHex, parseDate, parseDecimal, parseInterval, parseTime, parseTimestamp, parseTimeTz, ValueError } from './parse.js';

const T = duckdb.Type;
const TWO32 = 4294967296;

/**
 * Fills one DuckDB vector from a batch of JS values as a driver produced
 * them (PostgreSQL text, mysql2 typed values, better-sqlite3 values). Fixed-
 * width values go through a reusable typed array and one memory copy; strings
 * are assigned one by one. Null and undefined are SQL NULL.
 */
export interface ColumnWriter {
  write(vector: Vector, values: readonly unknown[], count: number): void;
}

const VALIDITY_BYTES_PER_CHUNK = 2048 / 8;

/** Tracks which rows are NULL and writes DuckDB's validity mask when any is. */
class Validity {
  private mask: Uint8Array<ArrayBuffer>;
  private anyNull = false;
  constructor(capacity: number) {
    this.mask = new Uint8Array(Math.max(VALIDITY_BYTES_PER_CHUNK, Math.ceil(capacity / 64) * 8));
  }
  reset(count: number): void {
    const bytes = Math.max(8, Math.ceil(count / 64) * 8);
    if (bytes > this.mask.length) this.mask = new Uint8Array(bytes);
    this.mask.fill(0xff, 0, bytes);
    this.anyNull = false;
  }
  setNull(row: number): void {
    this.mask[row >> 3]! &= ~(1 << (row & 7));
    this.anyNull = true;
  }
  apply(vector: Vector, count: number): void {
    if (!this.anyNull) return;
    duckdb.vector_ensure_validity_writable(vector);
    duckdb.copy_data_to_vector_validity(vector, 0, this.mask.buffer, 0, Math.ceil(count / 64) * 8);
  }
}

function cannot(type: string, v: unknown): ValueError {
  const shown = typeof v === 'string' ? `"${v.length > 60 ? `${v.slice(0, 60)}...` : v}"` : String(v);
  return new ValueError(`cannot convert source value ${shown} to ${type}`);
}

// --- number helpers ------------------------------------------------------------------

function toNumber(v: unknown, type: string): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const n = Number(v);
    if (Number.isNaN(n) && !/^\s*[+-]?nan\s*$/i.test(v)) throw cannot(type, v);
    return n;
  }
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (Buffer.isBuffer(v)) return bitsValue(v);
  throw cannot(type, v);
}

/** MySQL BIT(n) values arrive as big-endian bytes. */
function bitsValue(b: Buffer): number {
  let n = 0;
  for (const x of b) n = n * 256 + x;
  return n;
}

function toInteger(v: unknown, type: string): number {
  const n = toNumber(v, type);
  if (!Number.isInteger(n)) {
    if (typeof v === 'string' && /^\s*[+-]?\d+\.0*\s*$/.test(v)) return Math.trunc(n);
    throw cannot(type, v);
  }
  return n;
}

/** Plain `[-]digits` of at most 15 digits as a number, else null (no allocation). */
function smallInt(s: string): number | null {
  const n = s.length;
  if (n === 0 || n > 16) return null;
  let i = 0;
  let neg = false;
  if (s.charCodeAt(0) === 45) {
    if (n === 1) return null;
    neg = true;
    i = 1;
  }
  if (n - i > 15) return null;
  let v = 0;
  for (; i < n; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return null;
    v = v * 10 + d;
  }
  return neg ? -v : v;
}

/** An int64 as a number when exact, else a bigint. */
function toInt64(v: unknown, type: string): number | bigint {
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw cannot(type, v);
    return v;
  }
  if (typeof v === 'bigint') return v;
  if (typeof v === 'string') {
    const fast = smallInt(v);
    if (fast !== null) return fast;
    const s = v.trim();
    if (s.length <= 15) {
      const n = Number(s);
      if (Number.isInteger(n) && /^[+-]?\d+$/.test(s)) return n;
    }
    try {
      return BigInt(s);
    } catch {
      throw cannot(type, v);
    }
  }
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (Buffer.isBuffer(v)) {
    let n = 0n;
    for (const x of v) n = (n << 8n) | BigInt(x);
    return n;
  }
  throw cannot(type, v);
}

/** Writes a 64-bit integer (number or bigint) as two little-endian 32-bit words. */
function put64(words: Int32Array, i: number, v: number | bigint): void {
  if (typeof v === 'number') {
    const hi = Math.floor(v / TWO32);
    words[2 * i] = v - hi * TWO32;
    words[2 * i + 1] = hi;
  } else {
    words[2 * i] = Number(BigInt.asUintN(32, v));
    words[2 * i + 1] = Number(BigInt.asIntN(32, v >> 32n));
  }
}

/** Writes a 128-bit integer as four little-endian 32-bit words. */
function put128(words: Int32Array, i: number, v: number | bigint): void {
  const b = typeof v === 'bigint' ? v : BigInt(v);
  words[4 * i] = Number(BigInt.asUintN(32, b));
  words[4 * i + 1] = Number(BigInt.asUintN(32, b >> 32n));
  words[4 * i + 2] = Number(BigInt.asUintN(32, b >> 64n));
  words[4 * i + 3] = Number(BigInt.asIntN(32, b >> 96n));
}

// --- fixed-width writers -------------------------------------------------------------

/** A writer that stores each value as `bytes` bytes in a typed scratch buffer. */
abstract class FixedWriter implements ColumnWriter {
  protected readonly validity = new Validity(2048);
  protected buf: ArrayBuffer;
  constructor(protected readonly bytes: number) {
    this.buf = new ArrayBuffer(2048 * bytes);
  }
  protected abstract view(): void;
  protected abstract put(i: number, v: unknown): void;
  write(vector: Vector, values: readonly unknown[], count: number): void {
    if (count * this.bytes > this.buf.byteLength) {
      this.buf = new ArrayBuffer(count * this.bytes);
      this.view();
    }
    this.validity.reset(count);
    for (let i = 0; i < count; i++) {
      const v = values[i];
      if (v === null || v === undefined) {
        this.validity.setNull(i);
        this.put(i, 0);
      } else this.put(i, v);
    }
    duckdb.copy_data_to_vector(vector, 0, this.buf, 0, count * this.bytes);
    this.validity.apply(vector, count);
  }
}

class BoolWriter extends FixedWriter {
  private a!: Uint8Array;
  constructor() {
    super(1);
    this.view();
  }
  protected view(): void {
    this.a = new Uint8Array(this.buf);
  }
  protected put(i: number, v: unknown): void {
    if (typeof v === 'boolean') this.a[i] = v ? 1 : 0;
    else if (typeof v === 'string') {
      const c = v.charCodeAt(0) | 32;
      if (v.length === 1 && (c === 116 || c === 102)) this.a[i] = c === 116 ? 1 : 0;
      else if (/^(true|yes|on|1)$/i.test(v)) this.a[i] = 1;
      else if (/^(false|no|off|0)$/i.test(v)) this.a[i] = 0;
      else throw cannot('boolean', v);
    } else this.a[i] = toNumber(v, 'boolean') !== 0 ? 1 : 0;
  }
}

type IntArray = Int8Array | Int16Array | Int32Array | Uint8Array | Uint16Array | Uint32Array;

class SmallIntWriter extends FixedWriter {
  private a!: IntArray;
  constructor(
    bytes: number,
    private readonly make: (b: ArrayBuffer) => IntArray,
    private readonly min: number,
    private readonly max: number,
    private readonly name: string,
  ) {
    super(bytes);
    this.view();
  }
  protected view(): void {
    this.a = this.make(this.buf);
  }
  protected put(i: number, v: unknown): void {
    const n = typeof v === 'number' && Number.isInteger(v) ? v : typeof v === 'string' ? (smallInt(v) ?? toInteger(v, this.name)) : toInteger(v, this.name);
    if (n < this.min || n > this.max) throw cannot(this.name, v);
    this.a[i] = n;
  }
}

class Int64Writer extends FixedWriter {
  private w!: Int32Array;
  constructor(private readonly name: string) {
    super(8);
    this.view();
  }
  protected view(): void {
    this.w = new Int32Array(this.buf);
  }
  protected put(i: number, v: unknown): void {
    put64(this.w, i, typeof v === 'number' && Number.isInteger(v) ? v : toInt64(v, this.name));
  }
}

/** HUGEINT/UHUGEINT: 128-bit integers (DuckDB's type for sums of integers). */
class Int128Writer extends FixedWriter {
  private w!: Int32Array;
  constructor() {
    super(16);
    this.view();
  }
  protected view(): void {
    this.w = new Int32Array(this.buf);
  }
  protected put(i: number, v: unknown): void {
    put128(this.w, i, v === 0 ? 0 : toInt64(v, 'hugeint'));
  }
}

class FloatWriter extends FixedWriter {
  private a!: Float32Array | Float64Array;
  constructor(private readonly double: boolean) {
    super(double ? 8 : 4);
    this.view();
  }
  protected view(): void {
    this.a = this.double ? new Float64Array(this.buf) : new Float32Array(this.buf);
  }
  protected put(i: number, v: unknown): void {
    this.a[i] = typeof v === 'number' ? v : toNumber(v, this.double ? 'double precision' : 'real');
  }
}

class DecimalWriter extends FixedWriter {
  private w!: Int32Array;
  private i16!: Int16Array;
  constructor(
    private readonly scale: number,
    internal: duckdb.Type,
  ) {
    super(internal === T.SMALLINT ? 2 : internal === T.INTEGER ? 4 : internal === T.BIGINT ? 8 : 16);
    this.view();
  }
  protected view(): void {
    this.w = new Int32Array(this.buf);
    this.i16 = new Int16Array(this.buf);
  }
  protected put(i: number, v: unknown): void {
    let scaled: number | bigint;
    if (v === 0) scaled = 0;
    else if (typeof v === 'string') scaled = parseDecimal(v, this.scale);
    else if (typeof v === 'number') scaled = parseDecimal(Number.isInteger(v) ? String(v) : v.toFixed(Math.min(this.scale + 1, 100)), this.scale);
    else if (typeof v === 'bigint') scaled = v * 10n ** BigInt(this.scale);
    else throw cannot('numeric', v);
    switch (this.bytes) {
      case 2:
        this.i16[i] = Number(scaled);
        break;
      case 4:
        this.w[i] = Number(scaled);
        break;
      case 8:
        put64(this.w, i, scaled);
        break;
      default:
        put128(this.w, i, scaled);
    }
  }
}

class DateWriter extends FixedWriter {
  private a!: Int32Array;
  constructor() {
    super(4);
    this.view();
  }
  protected view(): void {
    this.a = new Int32Array(this.buf);
  }
  protected put(i: number, v: unknown): void {
    if (v === 0) this.a[i] = 0;
    else if (typeof v === 'string') this.a[i] = v.startsWith('0000-00-00') ? 0 : parseDate(v);
    else if (v instanceof Date) this.a[i] = Math.floor(v.getTime() / 86_400_000);
    else throw cannot('date', v);
  }
}

/** TIMESTAMP, TIMESTAMPTZ and TIME: int64 microseconds. */
class MicrosWriter extends FixedWriter {
  private w!: Int32Array;
  constructor(private readonly kind: 'timestamp' | 'timestamptz' | 'time') {
    super(8);
    this.view();
  }
  protected view(): void {
    this.w = new Int32Array(this.buf);
  }
  protected put(i: number, v: unknown): void {
    if (v === 0) {
      put64(this.w, i, 0);
      return;
    }
    if (typeof v === 'string') {
      put64(this.w, i, this.kind === 'time' ? parseTime(v) : parseTimestamp(v, this.kind === 'timestamptz'));
    } else if (v instanceof Date) put64(this.w, i, v.getTime() * 1000);
    else throw cannot(this.kind, v);
  }
}

class TimeTzWriter extends FixedWriter {
  private w!: Int32Array;
  constructor() {
    super(8);
    this.view();
  }
  protected view(): void {
    this.w = new Int32Array(this.buf);
  }
  protected put(i: number, v: unknown): void {
    if (v === 0) {
      put64(this.w, i, 0);
      return;
    }
    if (typeof v !== 'string') throw cannot('time with time zone', v);
    const t = parseTimeTz(v);
    put64(this.w, i, duckdb.create_time_tz(t.micros, t.offset).bits);
  }
}

class IntervalWriter extends FixedWriter {
  private w!: Int32Array;
  constructor() {
    super(16);
    this.view();
  }
  protected view(): void {
    this.w = new Int32Array(this.buf);
  }
  protected put(i: number, v: unknown): void {
    if (v === 0) {
      this.w.fill(0, 4 * i, 4 * i + 4);
      return;
    }
    if (typeof v !== 'string') throw cannot('interval', v);
    const iv = parseInterval(v);
    this.w[4 * i] = iv.months;
    this.w[4 * i + 1] = iv.days;
    const hi = Math.floor(iv.micros / TWO32);
    this.w[4 * i + 2] = iv.micros - hi * TWO32;
    this.w[4 * i + 3] = hi;
  }
}

/** UUID: DuckDB stores it as a hugeint whose top bit is flipped (so it sorts like the text). */
class UuidWriter extends FixedWriter {
  private u!: Uint32Array;
  constructor() {
    super(16);
    this.view();
  }
  protected view(): void {
    this.u = new Uint32Array(this.buf);
  }
  protected put(i: number, v: unknown): void {
    if (v === 0) {
      this.u.fill(0, 4 * i, 4 * i + 4);
      return;
    }
    let hex: string;
    if (typeof v === 'string') hex = v.replace(/[-{}]/g, '');
    else if (Buffer.isBuffer(v) && v.length === 16) hex = v.toString('hex');
    else throw cannot('uuid', v);
    if (hex.length !== 32 || !/^[0-9a-fA-F]+$/.test(hex)) throw cannot('uuid', v);
    this.u[4 * i + 3] = (parseInt(hex.slice(0, 8), 16) ^ 0x80000000) >>> 0;
    this.u[4 * i + 2] = parseInt(hex.slice(8, 16), 16);
    this.u[4 * i + 1] = parseInt(hex.slice(16, 24), 16);
    this.u[4 * i] = parseInt(hex.slice(24, 32), 16);
  }
}

class EnumWriter extends FixedWriter {
  private a!: IntArray;
  private readonly index = new Map<string, number>();
  constructor(private readonly d: DuckType) {
    super(d.internal === T.UTINYINT ? 1 : d.internal === T.USMALLINT ? 2 : 4);
    d.enumValues!.forEach((v, i) => this.index.set(v, i));
    this.view();
  }
  protected view(): void {
    this.a = this.bytes === 1 ? new Uint8Array(this.buf) : this.bytes === 2 ? new Uint16Array(this.buf) : new Uint32Array(this.buf);
  }
  protected put(i: number, v: unknown): void {
    if (v === 0) {
      this.a[i] = 0;
      return;
    }
    const k = this.index.get(String(v));
    if (k === undefined) throw cannot(`enum (${this.d.enumValues!.join(', ')})`, v);
    this.a[i] = k;
  }
}

// --- variable-size writers -------------------------------------------------------------

/**
 * VARCHAR. DuckDB keeps strings of up to 12 bytes inside the 16-byte
 * string_t (length, then the bytes, zero padded): those are written into a
 * buffer and copied in one go. Longer strings need DuckDB-owned memory and
 * are assigned one by one afterwards.
 */
class StringWriter implements ColumnWriter {
  private readonly validity = new Validity(2048);
  private buf = Buffer.alloc(2048 * 16);
  private readonly long: number[] = [];
  constructor(private readonly json: boolean) {}
  write(vector: Vector, values: readonly unknown[], count: number): void {
    this.validity.reset(count);
    if (this.buf.length < count * 16) this.buf = Buffer.alloc(count * 16);
    const buf = this.buf;
    buf.fill(0, 0, count * 16);
    const long = this.long;
    long.length = 0;
    for (let i = 0; i < count; i++) {
      const v = values[i];
      if (v === null || v === undefined) {
        this.validity.setNull(i);
        continue;
      }
      if (typeof v === 'string' && v.length <= 12) {
        const off = i * 16;
        const n = v.length;
        let k = 0;
        for (; k < n; k++) {
          const c = v.charCodeAt(k);
          if (c > 0x7f) break;
          buf[off + 4 + k] = c;
        }
        if (k === n) {
          // an inline ASCII string: length, then the bytes (the rest is zero)
          buf[off] = n;
          continue;
        }
        buf.fill(0, off, off + 16);
      }
      long.push(i);
    }
    duckdb.copy_data_to_vector(vector, 0, buf.buffer, buf.byteOffset, count * 16);
    for (const i of long) {
      const v = values[i];
      if (typeof v === 'string') duckdb.vector_assign_string_element(vector, i, v);
      else if (Buffer.isBuffer(v)) duckdb.vector_assign_string_element_len(vector, i, v);
      else if (this.json && typeof v === 'object') duckdb.vector_assign_string_element(vector, i, JSON.stringify(v));
      else if (v instanceof Date) duckdb.vector_assign_string_element(vector, i, v.toISOString());
      else duckdb.vector_assign_string_element(vector, i, String(v));
    }
    this.validity.apply(vector, count);
  }
}

class BlobWriter implements ColumnWriter {
  private readonly validity = new Validity(2048);
  constructor(private readonly pgText: boolean) {}
  write(vector: Vector, values: readonly unknown[], count: number): void {
    this.validity.reset(count);
    for (let i = 0; i < count; i++) {
      const v = values[i];
      if (v === null || v === undefined) this.validity.setNull(i);
      else if (Buffer.isBuffer(v) || v instanceof Uint8Array) duckdb.vector_assign_string_element_len(vector, i, v);
      else if (typeof v === 'string') duckdb.vector_assign_string_element_len(vector, i, this.pgText ? parseByteaHex(v) : Buffer.from(v, 'utf8'));
      else throw cannot('bytea', v);
    }
    this.validity.apply(vector, count);
  }
}

/** LIST columns from PostgreSQL array text (`{1,2,NULL}`) or JS arrays. */
class ListWriter implements ColumnWriter {
  private readonly validity = new Validity(2048);
  private entries: Int32Array<ArrayBuffer> = new Int32Array(2048 * 4);
  private readonly child: ColumnWriter;
  constructor(
    private readonly d: DuckType,
    pgText: boolean,
  ) {
    this.child = columnWriter(d.child!, pgText);
  }
  write(vector: Vector, values: readonly unknown[], count: number): void {
    this.validity.reset(count);
    if (this.entries.length < count * 4) this.entries = new Int32Array(count * 4);
    const flat: unknown[] = [];
    for (let i = 0; i < count; i++) {
      const v = values[i];
      let items: readonly unknown[] = [];
      if (v === null || v === undefined) this.validity.setNull(i);
      else if (Array.isArray(v)) items = v;
      else if (typeof v === 'string') items = parseArrayText(v);
      else throw cannot(`${this.d.child ? 'array' : 'list'}`, v);
      if (items.some((x) => Array.isArray(x))) throw new ValueError('multi-dimensional arrays from a source are not supported');
      this.entries[4 * i] = flat.length;
      this.entries[4 * i + 1] = 0;
      this.entries[4 * i + 2] = items.length;
      this.entries[4 * i + 3] = 0;
      for (const x of items) flat.push(x);
    }
    duckdb.copy_data_to_vector(vector, 0, this.entries.buffer, 0, count * 16);
    duckdb.list_vector_reserve(vector, flat.length);
    duckdb.list_vector_set_size(vector, flat.length);
    // the child vector holds every element of the chunk: written in one call
    if (flat.length > 0) this.child.write(duckdb.list_vector_get_child(vector), flat, flat.length);
    this.validity.apply(vector, count);
  }
}

/**
 * The writer for a DuckDB column type. `pgText` means values are PostgreSQL
 * text (bytea as `\x..`, arrays as `{...}`); other sources send typed values.
 */
export function columnWriter(d: DuckType, pgText: boolean): ColumnWriter {
  switch (d.id) {
    case T.BOOLEAN:
      return new BoolWriter();
    case T.TINYINT:
      return new SmallIntWriter(1, (b) => new Int8Array(b), -128, 127, 'tinyint');
    case T.SMALLINT:
      return new SmallIntWriter(2, (b) => new Int16Array(b), -32768, 32767, 'smallint');
    case T.INTEGER:
      return new SmallIntWriter(4, (b) => new Int32Array(b), -2147483648, 2147483647, 'integer');
    case T.UTINYINT:
      return new SmallIntWriter(1, (b) => new Uint8Array(b), 0, 255, 'utinyint');
    case T.USMALLINT:
      return new SmallIntWriter(2, (b) => new Uint16Array(b), 0, 65535, 'usmallint');
    case T.UINTEGER:
      return new SmallIntWriter(4, (b) => new Uint32Array(b), 0, 4294967295, 'uinteger');
    case T.BIGINT:
      return new Int64Writer('bigint');
    case T.UBIGINT:
      return new Int64Writer('ubigint');
    case T.HUGEINT:
    case T.UHUGEINT:
      return new Int128Writer();
    case T.FLOAT:
      return new FloatWriter(false);
    case T.DOUBLE:
      return new FloatWriter(true);
    case T.DECIMAL:
      return new DecimalWriter(d.scale!, d.internal!);
    case T.DATE:
      return new DateWriter();
    case T.TIMESTAMP:
      return new MicrosWriter('timestamp');
    case T.TIMESTAMP_TZ:
      return new MicrosWriter('timestamptz');
    case T.TIME:
      return new MicrosWriter('time');
    case T.TIME_TZ:
      return new TimeTzWriter();
    case T.INTERVAL:
      return new IntervalWriter();
    case T.UUID:
      return new UuidWriter();
    case T.ENUM:
      return new EnumWriter(d);
    case T.BLOB:
      return new BlobWriter(pgText);
    case T.LIST:
      return new ListWriter(d, pgText);
    default:
      return new StringWriter(d.alias === 'JSON');
  }
}
