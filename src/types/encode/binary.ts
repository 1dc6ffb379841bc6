import { putInt32, putInt16 } from '../../protocol/bytes.js';
import duckdb from '@duckdb/node-bindings';
import type { BufferWriter } from '../../protocol/buffer-writer.js';
import type { DuckType } from '../duck-type.js';
import { physicalSize } from '../duck-type.js';
import { PG_EPOCH_DAYS, PG_EPOCH_MICROS } from '../format/calendar.js';
import { isUnconstrainedNumeric, pgTypeFor } from '../type-map.js';
import { decimalValue, trimScale, writeNumericBinary } from './decimal.js';
import { JsonField, ListBinaryField } from './nested.js';
import { textFieldWriter, unpackTimeTz, UnsupportedField, type EncodeContext } from './text.js';
import { FlatField, int64At, readInt128, readStringBytes, writeNull, type FieldWriter } from './vector.js';

const T = duckdb.Type;

function putInt64(buf: Buffer, p: number, v: number): void {
  const hi = Math.floor(v / 4294967296);
  putInt32(buf, p, hi);
  putInt32(buf, p + 4, v - hi * 4294967296);
}

class BoolBinary extends FlatField {
  constructor() {
    super(1);
  }
  writeValue(w: BufferWriter, row: number): void {
    w.ensure(5);
    putInt32(w.buf, w.pos, 1);
    w.buf[w.pos + 4] = this.data[row] ? 1 : 0;
    w.pos += 5;
  }
}

/** TINYINT, UTINYINT, SMALLINT as int2; USMALLINT as int4; UINTEGER as int8: widened from the stored width. */
class SmallIntBinary extends FlatField {
  private readonly outWidth: number;
  constructor(private readonly id: duckdb.Type) {
    super(physicalSize(id));
    this.outWidth = id === T.USMALLINT ? 4 : id === T.UINTEGER ? 8 : 2;
  }
  writeValue(w: BufferWriter, row: number): void {
    w.ensure(12);
    const buf = w.buf;
    const p = w.pos;
    putInt32(buf, p, this.outWidth);
    const d = this.data;
    switch (this.id) {
      case T.TINYINT:
        putInt16(buf, p + 4, d.readInt8(row));
        break;
      case T.UTINYINT:
        putInt16(buf, p + 4, d[row]!);
        break;
      case T.SMALLINT:
        buf[p + 4] = d[row * 2 + 1]!;
        buf[p + 5] = d[row * 2]!;
        break;
      case T.USMALLINT:
        putInt32(buf, p + 4, d.readUInt16LE(row * 2));
        break;
      default:
        putInt32(buf, p + 4, 0);
        putInt32(buf, p + 8, this.u32[row]!);
    }
    w.pos = p + 4 + this.outWidth;
  }
}

/** INTEGER, BIGINT, FLOAT and DOUBLE as int4/int8/float4/float8: the little-endian value byte-swapped. */
class SwappedBinary extends FlatField {
  constructor(width: 4 | 8) {
    super(width);
  }
  writeValue(w: BufferWriter, row: number): void {
    const n = this.width;
    w.ensure(n + 4);
    const buf = w.buf;
    const p = w.pos;
    buf[p] = 0;
    buf[p + 1] = 0;
    buf[p + 2] = 0;
    buf[p + 3] = n;
    const d = this.data;
    const o = row * n + n - 1;
    for (let i = 0; i < n; i++) buf[p + 4 + i] = d[o - i]!;
    w.pos = p + 4 + n;
  }
}

/** BIGINT values presented as a 4-byte PostgreSQL type (oid, regclass, xid, ...): the low 32 bits, unsigned. */
class Uint32FromBigintBinary extends FlatField {
  constructor() {
    super(8);
  }
  writeValue(w: BufferWriter, row: number): void {
    w.ensure(8);
    w.buf.writeInt32BE(4, w.pos);
    w.buf.writeUInt32BE(this.data.readUInt32LE(row * 8), w.pos + 4);
    w.pos += 8;
  }
}

/** UBIGINT, HUGEINT, UHUGEINT and DECIMAL as PostgreSQL numeric. */
class NumericBinary extends FlatField {
  private readonly trim: boolean;
  constructor(private readonly d: DuckType) {
    super(physicalSize(d.id === T.DECIMAL ? d.internal! : d.id));
    this.trim = isUnconstrainedNumeric(d);
  }
  writeValue(w: BufferWriter, row: number): void {
    const d = this.d;
    let v: number | bigint;
    let scale = 0;
    if (d.id === T.DECIMAL) {
      v = decimalValue(this.data, this.i32, this.u32, row, d.internal!);
      scale = d.scale!;
      if (this.trim) ({ v, scale } = trimScale(v, scale));
    } else if (d.id === T.UBIGINT) {
      v = this.data.readBigUInt64LE(row * 8);
    } else {
      v = readInt128(this.data, row * 16, d.id === T.UHUGEINT);
    }
    writeNumericBinary(w, v, scale);
  }
}

class BytesBinary extends FlatField {
  constructor() {
    super(16);
  }
  writeValue(w: BufferWriter, row: number): void {
    const off = row * 16;
    const d = this.data;
    const len = d.readUInt32LE(off);
    w.ensure(len + 4);
    const buf = w.buf;
    putInt32(buf, w.pos, len);
    if (len <= 12) {
      // inline bytes: copied by a loop, without a view object per value
      const at = w.pos + 4;
      for (let i = 0; i < len; i++) buf[at + i] = d[off + 4 + i]!;
    } else buf.set(readStringBytes(d, off), w.pos + 4);
    w.pos += 4 + len;
  }
}

class VarbitBinary extends FlatField {
  constructor() {
    super(16);
  }
  writeValue(w: BufferWriter, row: number): void {
    const bytes = readStringBytes(this.data, row * 16);
    const pad = bytes[0] ?? 0;
    const bits = (bytes.length - 1) * 8 - pad;
    // DuckDB pads at the front, PostgreSQL at the end: re-align the bit string.
    const out = Buffer.alloc(Math.ceil(bits / 8));
    for (let i = 0; i < bits; i++) {
      const src = pad + i;
      if ((bytes[1 + (src >> 3)]! >> (7 - (src & 7))) & 1) out[i >> 3]! |= 1 << (7 - (i & 7));
    }
    w.int32(4 + out.length).int32(bits).bytes(out);
  }
}

class DateBinary extends FlatField {
  constructor() {
    super(4);
  }
  writeValue(w: BufferWriter, row: number): void {
    const days = this.i32[row]!;
    w.ensure(8);
    putInt32(w.buf, w.pos, 4);
    putInt32(w.buf, w.pos + 4, days === 2147483647 ? 2147483647 : days === -2147483647 ? -2147483648 : days - PG_EPOCH_DAYS);
    w.pos += 8;
  }
}

class TimestampBinary extends FlatField {
  constructor(private readonly unit: 'us' | 's' | 'ms' | 'ns') {
    super(8);
  }
  writeValue(w: BufferWriter, row: number): void {
    w.ensure(12);
    const buf = w.buf;
    const p = w.pos;
    putInt32(buf, p, 8);
    const hi = this.i32[row * 2 + 1]!;
    const lo = this.u32[row * 2]!;
    if (hi === 0x7fffffff && lo === 0xffffffff) {
      buf.writeBigInt64BE(0x7fffffffffffffffn, p + 4);
    } else if (hi === -0x80000000 && lo === 1) {
      buf.writeBigInt64BE(-0x8000000000000000n, p + 4);
    } else {
      let micros = this.unit === 'us' ? int64At(this.i32, this.u32, row * 2) : NaN;
      if (micros === micros) {
        putInt64(buf, p + 4, micros - PG_EPOCH_MICROS);
      } else {
        let v = this.data.readBigInt64LE(row * 8);
        if (this.unit === 's') v *= 1_000_000n;
        else if (this.unit === 'ms') v *= 1000n;
        else if (this.unit === 'ns') v = v / 1000n - (v < 0n && v % 1000n !== 0n ? 1n : 0n);
        buf.writeBigInt64BE(v - BigInt(PG_EPOCH_MICROS), p + 4);
      }
    }
    w.pos = p + 12;
  }
}

class TimeBinary extends FlatField {
  constructor(private readonly nanos: boolean) {
    super(8);
  }
  writeValue(w: BufferWriter, row: number): void {
    let v = int64At(this.i32, this.u32, row * 2);
    if (this.nanos) v = Math.floor(v / 1000);
    w.ensure(12);
    putInt32(w.buf, w.pos, 8);
    putInt64(w.buf, w.pos + 4, v);
    w.pos += 12;
  }
}

class TimeTzBinary extends FlatField {
  constructor() {
    super(8);
  }
  writeValue(w: BufferWriter, row: number): void {
    const { micros, offset } = unpackTimeTz(this.data.readBigUInt64LE(row * 8));
    w.ensure(16);
    putInt32(w.buf, w.pos, 12);
    putInt64(w.buf, w.pos + 4, micros);
    putInt32(w.buf, w.pos + 12, -offset);
    w.pos += 16;
  }
}

class IntervalBinary extends FlatField {
  constructor() {
    super(16);
  }
  writeValue(w: BufferWriter, row: number): void {
    const o = row * 16;
    w.ensure(20);
    const buf = w.buf;
    const p = w.pos;
    putInt32(buf, p, 16);
    buf.writeBigInt64BE(this.data.readBigInt64LE(o + 8), p + 4);
    putInt32(buf, p + 12, this.data.readInt32LE(o + 4));
    putInt32(buf, p + 16, this.data.readInt32LE(o));
    w.pos = p + 20;
  }
}

class UuidBinary extends FlatField {
  constructor() {
    super(16);
  }
  writeValue(w: BufferWriter, row: number): void {
    w.ensure(20);
    const buf = w.buf;
    const p = w.pos;
    putInt32(buf, p, 16);
    const o = row * 16;
    for (let i = 0; i < 16; i++) buf[p + 4 + i] = this.data[o + 15 - i]!;
    buf[p + 4] = buf[p + 4]! ^ 0x80;
    w.pos = p + 20;
  }
}

export function binaryFieldWriter(d: DuckType, ctx: EncodeContext): FieldWriter {
  if (d.alias && d.id === T.BIGINT && pgTypeFor(d).typlen === 4) return new Uint32FromBigintBinary();
  switch (d.id) {
    case T.BOOLEAN:
      return new BoolBinary();
    case T.INTEGER:
      return new SwappedBinary(4);
    case T.BIGINT:
      return new SwappedBinary(8);
    case T.TINYINT:
    case T.SMALLINT:
    case T.UTINYINT:
    case T.USMALLINT:
    case T.UINTEGER:
      return new SmallIntBinary(d.id);
    case T.UBIGINT:
    case T.HUGEINT:
    case T.UHUGEINT:
    case T.DECIMAL:
      return new NumericBinary(d);
    case T.FLOAT:
      return new SwappedBinary(4);
    case T.DOUBLE:
      return new SwappedBinary(8);
    case T.VARCHAR:
    case T.BLOB:
    case T.STRING_LITERAL:
      return new BytesBinary();
    case T.BIT:
      return new VarbitBinary();
    case T.ENUM:
    case T.SQLNULL:
      return textFieldWriter(d, ctx);
    case T.DATE:
      return new DateBinary();
    case T.TIMESTAMP:
    case T.TIMESTAMP_TZ:
      return new TimestampBinary('us');
    case T.TIMESTAMP_S:
      return new TimestampBinary('s');
    case T.TIMESTAMP_MS:
      return new TimestampBinary('ms');
    case T.TIMESTAMP_NS:
      return new TimestampBinary('ns');
    case T.TIME:
      return new TimeBinary(false);
    case T.TIME_NS:
      return new TimeBinary(true);
    case T.TIME_TZ:
      return new TimeTzBinary();
    case T.INTERVAL:
      return new IntervalBinary();
    case T.UUID:
      return new UuidBinary();
    case T.LIST:
    case T.ARRAY: {
      const pg = pgTypeFor(d);
      if (pg.oid === pg.type.oid) return new JsonField(d, (c) => textFieldWriter(c, ctx));
      return new ListBinaryField(d, (c) => binaryFieldWriter(c, ctx), pgTypeFor(d.child!).type.oid);
    }
    case T.STRUCT:
    case T.MAP:
    case T.UNION:
      return new JsonField(d, (c) => textFieldWriter(c, ctx));
    default:
      return new UnsupportedField(d);
  }
}
