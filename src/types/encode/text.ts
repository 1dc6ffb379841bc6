import { putInt32 } from '../../protocol/bytes.js';
import duckdb, { type Vector } from '@duckdb/node-bindings';
import type { BufferWriter } from '../../protocol/buffer-writer.js';
import type { DuckType } from '../duck-type.js';
import { physicalSize } from '../duck-type.js';
import { MICROS_PER_SECOND } from '../format/calendar.js';
import { DateFormatCache, formatInterval, putBc, putDate, putOffset, putTime, putTimestamp } from '../format/datetime.js';
import { digitCount, formatFloat4, putDigits, writeAsciiField, writeFloat8Field, writeIntField, writeStringField } from '../format/numbers.js';
import type { TimeZone } from '../timezone.js';
import { FlatField, int64At, readInt128, readStringBytes, writeNull, type FieldWriter } from './vector.js';
import { decimalText } from './decimal.js';
import { isUnconstrainedNumeric } from '../type-map.js';
import { ListTextField, JsonField } from './nested.js';

const T = duckdb.Type;

export interface EncodeContext {
  timeZone: TimeZone;
}

class BoolText extends FlatField {
  constructor() {
    super(1);
  }
  writeValue(w: BufferWriter, row: number): void {
    w.ensure(5);
    putInt32(w.buf, w.pos, 1);
    w.buf[w.pos + 4] = this.data[row] ? 116 : 102;
    w.pos += 5;
  }
}

/** TINYINT..INTEGER and unsigned up to UINTEGER: always a safe integer. */
class SmallIntText extends FlatField {
  constructor(private readonly id: duckdb.Type) {
    super(physicalSize(id));
  }
  writeValue(w: BufferWriter, row: number): void {
    writeIntField(w, this.value(row));
  }
  private value(row: number): number {
    const d = this.data;
    switch (this.id) {
      case T.TINYINT:
        return d.readInt8(row);
      case T.UTINYINT:
        return d[row]!;
      case T.SMALLINT:
        return d.readInt16LE(row * 2);
      case T.USMALLINT:
        return d.readUInt16LE(row * 2);
      case T.UINTEGER:
        return this.u32[row]!;
      default:
        return this.i32[row]!;
    }
  }
}

class Int32Text extends FlatField {
  constructor() {
    super(4);
  }
  writeValue(w: BufferWriter, row: number): void {
    writeIntField(w, this.i32[row]!);
  }
}

class Int64Text extends FlatField {
  constructor() {
    super(8);
  }
  writeValue(w: BufferWriter, row: number): void {
    const v = int64At(this.i32, this.u32, row * 2);
    if (v !== v) return writeAsciiField(w, this.data.readBigInt64LE(row * 8).toString());
    writeIntField(w, v);
  }
}

class UInt64Text extends FlatField {
  constructor() {
    super(8);
  }
  writeValue(w: BufferWriter, row: number): void {
    const hi = this.u32[row * 2 + 1]!;
    if (hi < 0x200000) return writeIntField(w, hi * 4294967296 + this.u32[row * 2]!);
    writeAsciiField(w, this.data.readBigUInt64LE(row * 8).toString());
  }
}

class Int128Text extends FlatField {
  constructor(private readonly unsigned: boolean) {
    super(16);
  }
  writeValue(w: BufferWriter, row: number): void {
    writeAsciiField(w, readInt128(this.data, row * 16, this.unsigned).toString());
  }
}

class FloatText extends FlatField {
  constructor(private readonly double: boolean) {
    super(double ? 8 : 4);
  }
  writeValue(w: BufferWriter, row: number): void {
    if (this.double) return writeFloat8Field(w, this.f64.length > row ? this.f64[row]! : this.data.readDoubleLE(row * 8));
    writeAsciiField(w, formatFloat4(this.data.readFloatLE(row * 4)));
  }
}

class DecimalText extends FlatField {
  private readonly trim: boolean;
  constructor(private readonly d: DuckType) {
    super(physicalSize(d.internal!));
    this.trim = isUnconstrainedNumeric(d);
  }
  writeValue(w: BufferWriter, row: number): void {
    decimalText(w, this.data, this.i32, this.u32, row, this.d.internal!, this.d.scale!, this.trim);
  }
}

class StringText extends FlatField {
  constructor() {
    super(16);
  }
  writeValue(w: BufferWriter, row: number): void {
    const off = row * 16;
    const len = this.data.readUInt32LE(off);
    w.ensure(len + 4);
    const buf = w.buf;
    putInt32(buf, w.pos, len);
    if (len <= 12) {
      // inline string: a byte loop beats Buffer#copy's call overhead at this size
      const d = this.data;
      const at = w.pos + 4;
      for (let i = 0; i < len; i++) buf[at + i] = d[off + 4 + i]!;
    } else buf.set(readStringBytes(this.data, off), w.pos + 4);
    w.pos += 4 + len;
  }
}

const HEX = Buffer.from('0123456789abcdef');

class ByteaText extends FlatField {
  constructor() {
    super(16);
  }
  writeValue(w: BufferWriter, row: number): void {
    const bytes = readStringBytes(this.data, row * 16);
    const n = 2 + bytes.length * 2;
    w.ensure(n + 4);
    const buf = w.buf;
    putInt32(buf, w.pos, n);
    let p = w.pos + 4;
    buf[p++] = 92; // '\'
    buf[p++] = 120; // 'x'
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i]!;
      buf[p++] = HEX[b >> 4]!;
      buf[p++] = HEX[b & 15]!;
    }
    w.pos = p;
  }
}

class BitText extends FlatField {
  constructor() {
    super(16);
  }
  writeValue(w: BufferWriter, row: number): void {
    // DuckDB BIT: first byte = number of padding bits, then the bits, MSB first.
    const bytes = readStringBytes(this.data, row * 16);
    const pad = bytes[0] ?? 0;
    let s = '';
    for (let i = 1; i < bytes.length; i++) s += bytes[i]!.toString(2).padStart(8, '0');
    writeAsciiField(w, s.slice(pad));
  }
}

class DateText extends FlatField {
  private readonly cache = new DateFormatCache();
  constructor() {
    super(4);
  }
  writeValue(w: BufferWriter, row: number): void {
    const days = this.i32[row]!;
    if (days === 2147483647) return writeAsciiField(w, 'infinity');
    if (days === -2147483647) return writeAsciiField(w, '-infinity');
    w.ensure(24);
    const start = w.pos;
    const d = putDate(w.buf, start + 4, days, this.cache);
    let end = d.pos;
    if (d.bc) end = putBc(w.buf, end);
    putInt32(w.buf, start, end - start - 4);
    w.pos = end;
  }
}

/** TIMESTAMP family: the unit says how many microseconds one stored tick is. */
class TimestampText extends FlatField {
  private readonly cache = new DateFormatCache();
  constructor(
    private readonly unit: 'us' | 's' | 'ms' | 'ns',
    private readonly zone: TimeZone | null,
  ) {
    super(8);
  }
  writeValue(w: BufferWriter, row: number): void {
    const hi = this.i32[row * 2 + 1]!;
    const lo = this.u32[row * 2]!;
    if (hi === 0x7fffffff && lo === 0xffffffff) return writeAsciiField(w, 'infinity');
    if (hi === -0x80000000 && lo === 1) return writeAsciiField(w, '-infinity');
    let micros = int64At(this.i32, this.u32, row * 2);
    if (micros !== micros || this.unit !== 'us') micros = toMicros(this.data.readBigInt64LE(row * 8), this.unit);
    w.ensure(48);
    const start = w.pos;
    let offset: number | null = null;
    if (this.zone) {
      offset = this.zone.offsetAt(Math.floor(micros / 1000));
      micros += offset * MICROS_PER_SECOND;
    }
    const end = putTimestamp(w.buf, start + 4, micros, offset, this.cache);
    putInt32(w.buf, start, end - start - 4);
    w.pos = end;
  }
}

function toMicros(v: bigint, unit: 'us' | 's' | 'ms' | 'ns'): number {
  switch (unit) {
    case 's':
      return Number(v) * 1_000_000;
    case 'ms':
      return Number(v) * 1000;
    case 'ns': {
      // floor division, so that times before the epoch round towards -infinity like PostgreSQL
      const q = v / 1000n;
      return Number(v < 0n && q * 1000n !== v ? q - 1n : q);
    }
    default:
      return Number(v);
  }
}

class TimeText extends FlatField {
  constructor(private readonly nanos: boolean) {
    super(8);
  }
  writeValue(w: BufferWriter, row: number): void {
    let micros = int64At(this.i32, this.u32, row * 2);
    if (this.nanos) micros = Math.floor(micros / 1000);
    w.ensure(24);
    const start = w.pos;
    const end = putTime(w.buf, start + 4, micros);
    putInt32(w.buf, start, end - start - 4);
    w.pos = end;
  }
}

/** DuckDB TIME_TZ packs micros (upper 40 bits) and an encoded offset (lower 24 bits). */
export function unpackTimeTz(bits: bigint): { micros: number; offset: number } {
  const MAX_OFFSET = 16 * 60 * 60 - 1;
  const micros = Number(bits >> 24n);
  const offset = MAX_OFFSET - Number(bits & 0xffffffn);
  return { micros, offset };
}

class TimeTzText extends FlatField {
  constructor() {
    super(8);
  }
  writeValue(w: BufferWriter, row: number): void {
    const { micros, offset } = unpackTimeTz(this.data.readBigUInt64LE(row * 8));
    w.ensure(32);
    const start = w.pos;
    let end = putTime(w.buf, start + 4, micros);
    end = putOffset(w.buf, end, offset);
    putInt32(w.buf, start, end - start - 4);
    w.pos = end;
  }
}

class IntervalText extends FlatField {
  constructor() {
    super(16);
  }
  writeValue(w: BufferWriter, row: number): void {
    const o = row * 16;
    const months = this.data.readInt32LE(o);
    const days = this.data.readInt32LE(o + 4);
    let micros = int64At(this.i32, this.u32, row * 4 + 2);
    if (micros !== micros) micros = Number(this.data.readBigInt64LE(o + 8));
    writeAsciiField(w, formatInterval(months, days, micros));
  }
}

class UuidText extends FlatField {
  constructor() {
    super(16);
  }
  writeValue(w: BufferWriter, row: number): void {
    w.ensure(40);
    const buf = w.buf;
    putInt32(buf, w.pos, 36);
    let p = w.pos + 4;
    const o = row * 16;
    // big-endian bytes: upper half (sign bit flipped) then lower half
    for (let i = 0; i < 16; i++) {
      let b = i < 8 ? this.data[o + 15 - i]! : this.data[o + 15 - i]!;
      if (i === 0) b ^= 0x80;
      if (i === 4 || i === 6 || i === 8 || i === 10) buf[p++] = 45;
      buf[p++] = HEX[b >> 4]!;
      buf[p++] = HEX[b & 15]!;
    }
    w.pos = p;
  }
}

class EnumText extends FlatField {
  private readonly values: Buffer[];
  constructor(private readonly d: DuckType) {
    super(physicalSize(d.internal!));
    this.values = d.enumValues!.map((v) => Buffer.from(v, 'utf8'));
  }
  writeValue(w: BufferWriter, row: number): void {
    const idx =
      this.width === 1 ? this.data[row]! : this.width === 2 ? this.data.readUInt16LE(row * 2) : this.data.readUInt32LE(row * 4);
    const v = this.values[idx]!;
    w.ensure(v.length + 4);
    putInt32(w.buf, w.pos, v.length);
    v.copy(w.buf, w.pos + 4);
    w.pos += 4 + v.length;
  }
}

/** A column that is always NULL (DuckDB's SQLNULL type). */
class NullField implements FieldWriter {
  readonly nullMask = null;
  load(): void {}
  write(w: BufferWriter): void {
    writeNull(w);
  }
  writeValue(w: BufferWriter): void {
    writeNull(w);
  }
}

/** A scalar writer for a logical type; falls back to none for unsupported types. */
export function textFieldWriter(d: DuckType, ctx: EncodeContext): FieldWriter {
  if (d.alias && /^json$/i.test(d.alias) && d.id === T.VARCHAR) return new StringText();
  switch (d.id) {
    case T.BOOLEAN:
      return new BoolText();
    case T.INTEGER:
      return new Int32Text();
    case T.BIGINT:
      return new Int64Text();
    case T.UBIGINT:
      return new UInt64Text();
    case T.TINYINT:
    case T.SMALLINT:
    case T.UTINYINT:
    case T.USMALLINT:
    case T.UINTEGER:
      return new SmallIntText(d.id);
    case T.HUGEINT:
      return new Int128Text(false);
    case T.UHUGEINT:
      return new Int128Text(true);
    case T.FLOAT:
      return new FloatText(false);
    case T.DOUBLE:
      return new FloatText(true);
    case T.DECIMAL:
      return new DecimalText(d);
    case T.VARCHAR:
    case T.STRING_LITERAL:
      return new StringText();
    case T.BLOB:
      return new ByteaText();
    case T.BIT:
      return new BitText();
    case T.DATE:
      return new DateText();
    case T.TIMESTAMP:
      return new TimestampText('us', null);
    case T.TIMESTAMP_S:
      return new TimestampText('s', null);
    case T.TIMESTAMP_MS:
      return new TimestampText('ms', null);
    case T.TIMESTAMP_NS:
      return new TimestampText('ns', null);
    case T.TIMESTAMP_TZ:
      return new TimestampText('us', ctx.timeZone);
    case T.TIME:
      return new TimeText(false);
    case T.TIME_NS:
      return new TimeText(true);
    case T.TIME_TZ:
      return new TimeTzText();
    case T.INTERVAL:
      return new IntervalText();
    case T.UUID:
      return new UuidText();
    case T.ENUM:
      return new EnumText(d);
    case T.SQLNULL:
      return new NullField();
    case T.LIST:
    case T.ARRAY:
      return new ListTextField(d, (child) => textFieldWriter(child, ctx));
    case T.STRUCT:
    case T.MAP:
    case T.UNION:
      return new JsonField(d, (child) => textFieldWriter(child, ctx));
    default:
      return new UnsupportedField(d);
  }
}

export class UnsupportedField implements FieldWriter {
  readonly nullMask = null;
  constructor(private readonly d: DuckType) {}
  load(_vector: Vector): void {}
  write(w: BufferWriter): void {
    writeStringField(w, `<unsupported type ${duckdb.Type[this.d.id] ?? this.d.id}>`);
  }
  writeValue(w: BufferWriter): void {
    this.write(w);
  }
}

// keep the formatting helpers reachable for the binary path
export { digitCount, putDigits };
