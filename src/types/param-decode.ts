import duckdb, { type LogicalType, type PreparedStatement, type Value } from '@duckdb/node-bindings';
import { PgError, SqlState } from '../errors.js';
import type { DuckType } from './duck-type.js';
import { PG_EPOCH_DAYS, PG_EPOCH_MICROS } from './format/calendar.js';
import { pgTypeFor } from './type-map.js';
import { PgTypes, pgTypeByOid } from './pg-types.js';
import { decimalString } from './encode/decimal.js';

const T = duckdb.Type;

function invalidBinary(typeName: string): PgError {
  return new PgError(SqlState.InvalidParameterValue, `incorrect binary data format in bind parameter for type ${typeName}`);
}

/** PostgreSQL bytea text input: `\x0102` hex, or the escape format. */
export function parseByteaText(s: string): Buffer {
  if (s.startsWith('\\x')) {
    const hex = s.slice(2).replace(/\s+/g, '');
    if (!/^([0-9a-fA-F]{2})*$/.test(hex)) throw new PgError(SqlState.InvalidTextRepresentation, 'invalid hexadecimal data: odd number of digits');
    return Buffer.from(hex, 'hex');
  }
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 92) {
      if (s[i + 1] === '\\') {
        out.push(92);
        i++;
      } else if (/^[0-3][0-7]{2}$/.test(s.slice(i + 1, i + 4))) {
        out.push(parseInt(s.slice(i + 1, i + 4), 8));
        i += 3;
      } else throw new PgError(SqlState.InvalidTextRepresentation, 'invalid input syntax for type bytea');
    } else out.push(...Buffer.from(s[i]!, 'utf8'));
  }
  return Buffer.from(out);
}

/** Parses PostgreSQL array text (`{1,2,"a b",NULL}`, nested braces) into JS arrays of strings. */
export function parseArrayText(s: string): unknown[] {
  let i = 0;
  const text = s.trim();
  // optional dimension decoration: [1:3]={...}
  if (text[0] === '[') {
    const eq = text.indexOf('=');
    i = eq + 1;
  }
  const fail = (): never => {
    throw new PgError(SqlState.InvalidTextRepresentation, `malformed array literal: "${s}"`);
  };
  const parse = (): unknown[] => {
    if (text[i] !== '{') fail();
    i++;
    const out: unknown[] = [];
    if (text[i] === '}') {
      i++;
      return out;
    }
    for (;;) {
      while (text[i] === ' ') i++;
      if (text[i] === '{') out.push(parse());
      else if (text[i] === '"') {
        i++;
        let v = '';
        while (i < text.length && text[i] !== '"') {
          if (text[i] === '\\') i++;
          v += text[i++];
        }
        if (text[i] !== '"') fail();
        i++;
        out.push(v);
      } else {
        let v = '';
        while (i < text.length && text[i] !== ',' && text[i] !== '}') v += text[i++];
        v = v.trim();
        out.push(v.toUpperCase() === 'NULL' ? null : v);
      }
      while (text[i] === ' ') i++;
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === '}') {
        i++;
        return out;
      }
      fail();
    }
  };
  const result = parse();
  if (i !== text.length) fail();
  return result;
}

function logicalType(d: DuckType): LogicalType {
  switch (d.id) {
    case T.LIST:
      return duckdb.create_list_type(logicalType(d.child!));
    case T.DECIMAL:
      return duckdb.create_decimal_type(d.width!, d.scale!);
    default:
      return duckdb.create_logical_type(d.id);
  }
}

/** A DuckDB value of `target` from a text form (used for list elements). */
function valueFromText(text: string | null, target: DuckType): Value {
  if (text === null) return duckdb.create_null_value();
  switch (target.id) {
    case T.BOOLEAN:
      return duckdb.create_bool(/^(t|true|on|yes|1)$/i.test(text));
    case T.TINYINT:
    case T.SMALLINT:
    case T.INTEGER:
    case T.UTINYINT:
    case T.USMALLINT: {
      const n = Number(text);
      if (!Number.isInteger(n)) throw new PgError(SqlState.InvalidTextRepresentation, `invalid input syntax for type integer: "${text}"`);
      return target.id === T.SMALLINT || target.id === T.TINYINT ? duckdb.create_int16(n) : duckdb.create_int32(n);
    }
    case T.BIGINT:
    case T.UINTEGER:
      try {
        return duckdb.create_int64(BigInt(text));
      } catch {
        throw new PgError(SqlState.InvalidTextRepresentation, `invalid input syntax for type bigint: "${text}"`);
      }
    case T.FLOAT:
    case T.DOUBLE: {
      const n = Number(text.replace(/^infinity$/i, 'Infinity').replace(/^-infinity$/i, '-Infinity'));
      if (Number.isNaN(n) && !/^nan$/i.test(text)) throw new PgError(SqlState.InvalidTextRepresentation, `invalid input syntax for type double precision: "${text}"`);
      return duckdb.create_double(n);
    }
    case T.LIST:
      return listValue(parseArrayText(text), target);
    default:
      return duckdb.create_varchar(text);
  }
}

function listValue(items: unknown[], target: DuckType): Value {
  const child = target.child!;
  const values = items.map((v) => (Array.isArray(v) ? listValue(v, child) : valueFromText(v as string | null, child)));
  return duckdb.create_list_value(logicalType(child), values);
}

/** Decodes PostgreSQL binary array format into JS values via `decodeElement`. */
function decodeBinaryArray(buf: Buffer): { elemOid: number; items: (Buffer | null)[]; dims: number[] } {
  if (buf.length < 12) throw invalidBinary('array');
  const ndim = buf.readInt32BE(0);
  const elemOid = buf.readUInt32BE(8);
  let p = 12;
  const dims: number[] = [];
  for (let d = 0; d < ndim; d++) {
    dims.push(buf.readInt32BE(p));
    p += 8;
  }
  const total = dims.reduce((a, b) => a * b, ndim ? 1 : 0);
  const items: (Buffer | null)[] = [];
  for (let k = 0; k < total; k++) {
    const len = buf.readInt32BE(p);
    p += 4;
    if (len < 0) items.push(null);
    else {
      items.push(buf.subarray(p, p + len));
      p += len;
    }
  }
  return { elemOid, items, dims };
}

/** Text form of a binary scalar parameter of type `oid` (for types bound through casts). */
function binaryToText(oid: number, b: Buffer): string {
  switch (oid) {
    case PgTypes.bool.oid:
      return b[0] ? 'true' : 'false';
    case PgTypes.int2.oid:
      return String(b.readInt16BE(0));
    case PgTypes.int4.oid:
    case PgTypes.oid.oid:
      return String(oid === PgTypes.oid.oid ? b.readUInt32BE(0) : b.readInt32BE(0));
    case PgTypes.int8.oid:
      return b.readBigInt64BE(0).toString();
    case PgTypes.float4.oid:
      return String(b.readFloatBE(0));
    case PgTypes.float8.oid:
      return String(b.readDoubleBE(0));
    case PgTypes.numeric.oid:
      return numericBinaryToText(b);
    case PgTypes.uuid.oid: {
      const h = b.toString('hex');
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
    }
    case PgTypes.jsonb.oid:
      return b.subarray(1).toString('utf8');
    default:
      return b.toString('utf8');
  }
}

export function numericBinaryToText(b: Buffer): string {
  if (b.length < 8) throw invalidBinary('numeric');
  const ndigits = b.readInt16BE(0);
  const weight = b.readInt16BE(2);
  const sign = b.readUInt16BE(4);
  const dscale = b.readInt16BE(6);
  if (sign === 0xc000) return 'NaN';
  if (sign === 0xd000) return 'Infinity';
  if (sign === 0xf000) return '-Infinity';
  let v = 0n;
  for (let i = 0; i < ndigits; i++) v = v * 10000n + BigInt(b.readInt16BE(8 + i * 2));
  // value = v * 10000^(weight - ndigits + 1); express with dscale fraction digits
  const shift = (weight - ndigits + 1) * 4;
  let scaled: bigint;
  if (shift >= 0) scaled = v * 10n ** BigInt(shift + dscale);
  else {
    const down = -shift - dscale;
    scaled = down >= 0 ? v / 10n ** BigInt(down) : v * 10n ** BigInt(-down);
  }
  return decimalString(sign === 0x4000 ? -scaled : scaled, dscale);
}

/**
 * Binds one Bind parameter (text or binary, with the type the client named or
 * we inferred) into a DuckDB prepared statement at 1-based `index`.
 */
export function bindParam(ps: PreparedStatement, index: number, raw: Buffer | null, format: number, oid: number, target: DuckType | null): void {
  if (raw === null) return duckdb.bind_null(ps, index);
  if (format === 0) {
    const text = raw.toString('utf8');
    if (target?.id === T.BLOB || oid === PgTypes.bytea.oid) return duckdb.bind_blob(ps, index, parseByteaText(text));
    if (target?.id === T.LIST || target?.id === T.ARRAY) return duckdb.bind_value(ps, index, listValue(parseArrayText(text), target.id === T.ARRAY ? { ...target, id: T.LIST } : target));
    if (target?.id === T.BOOLEAN) {
      const v = text.trim().toLowerCase();
      if (/^(t|tr|tru|true|y|ye|yes|on|1)$/.test(v)) return duckdb.bind_boolean(ps, index, true);
      if (/^(f|fa|fal|fals|false|n|no|of|off|0)$/.test(v)) return duckdb.bind_boolean(ps, index, false);
      throw new PgError(SqlState.InvalidTextRepresentation, `invalid input syntax for type boolean: "${text}"`);
    }
    return duckdb.bind_varchar(ps, index, text);
  }
  const effective = oid || (target ? pgTypeFor(target).oid : 0);
  const b = raw;
  switch (effective) {
    case PgTypes.bool.oid:
      if (b.length !== 1) throw invalidBinary('boolean');
      return duckdb.bind_boolean(ps, index, b[0] !== 0);
    case PgTypes.int2.oid:
      if (b.length !== 2) throw invalidBinary('smallint');
      return duckdb.bind_int16(ps, index, b.readInt16BE(0));
    case PgTypes.int4.oid:
      if (b.length !== 4) throw invalidBinary('integer');
      return duckdb.bind_int32(ps, index, b.readInt32BE(0));
    case PgTypes.int8.oid:
      if (b.length !== 8) throw invalidBinary('bigint');
      return duckdb.bind_int64(ps, index, b.readBigInt64BE(0));
    case PgTypes.float4.oid:
      if (b.length !== 4) throw invalidBinary('real');
      return duckdb.bind_float(ps, index, b.readFloatBE(0));
    case PgTypes.float8.oid:
      if (b.length !== 8) throw invalidBinary('double precision');
      return duckdb.bind_double(ps, index, b.readDoubleBE(0));
    case PgTypes.bytea.oid:
      return duckdb.bind_blob(ps, index, b);
    case PgTypes.date.oid: {
      if (b.length !== 4) throw invalidBinary('date');
      const d = b.readInt32BE(0);
      const days = d === 0x7fffffff ? 2147483647 : d === -0x80000000 ? -2147483647 : d + PG_EPOCH_DAYS;
      return duckdb.bind_date(ps, index, { days });
    }
    case PgTypes.timestamp.oid:
    case PgTypes.timestamptz.oid: {
      if (b.length !== 8) throw invalidBinary('timestamp');
      const v = b.readBigInt64BE(0);
      const micros = v === 0x7fffffffffffffffn ? v : v === -0x8000000000000000n ? -0x7fffffffffffffffn : v + BigInt(PG_EPOCH_MICROS);
      if (effective === PgTypes.timestamptz.oid) return duckdb.bind_timestamp_tz(ps, index, { micros });
      return duckdb.bind_timestamp(ps, index, { micros });
    }
    case PgTypes.time.oid:
      if (b.length !== 8) throw invalidBinary('time');
      return duckdb.bind_time(ps, index, { micros: b.readBigInt64BE(0) });
    case PgTypes.interval.oid:
      if (b.length !== 16) throw invalidBinary('interval');
      return duckdb.bind_interval(ps, index, { micros: b.readBigInt64BE(0), days: b.readInt32BE(8), months: b.readInt32BE(12) });
    default:
      break;
  }
  const pgType = pgTypeByOid(effective);
  if (pgType && pgType.elemOid) {
    const arr = decodeBinaryArray(b);
    const elemType = pgTypeByOid(arr.elemOid);
    const texts = arr.items.map((item) => (item === null ? null : binaryToText(arr.elemOid, item)));
    const target2 = target?.id === T.LIST ? target : { id: T.LIST, alias: null, child: { id: T.VARCHAR, alias: null } as DuckType };
    void elemType;
    return duckdb.bind_value(ps, index, listValue(texts, target2));
  }
  return duckdb.bind_varchar(ps, index, binaryToText(effective, b));
}
