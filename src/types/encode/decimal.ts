import { putInt32, putInt16 } from '../../protocol/bytes.js';
import duckdb from '@duckdb/node-bindings';
import type { BufferWriter } from '../../protocol/buffer-writer.js';
import { digitCount, putDigits, writeAsciiField } from '../format/numbers.js';
import { readInt128 } from './vector.js';

const T = duckdb.Type;

/** The unscaled value of a DECIMAL at `row`: a number when it is a safe integer, else a bigint. */
export function decimalValue(data: Buffer, i32: Int32Array, u32: Uint32Array, row: number, internal: duckdb.Type): number | bigint {
  switch (internal) {
    case T.SMALLINT:
      return data.readInt16LE(row * 2);
    case T.INTEGER:
      return i32[row]!;
    case T.BIGINT: {
      const hi = i32[row * 2 + 1]!;
      if (hi >= -0x200000 && hi < 0x200000) return hi * 4294967296 + u32[row * 2]!;
      return data.readBigInt64LE(row * 8);
    }
    default:
      return readInt128(data, row * 16);
  }
}

/** Text of an unscaled decimal, with exactly `scale` fraction digits as PostgreSQL prints numeric(p,s). */
export function decimalString(v: number | bigint, scale: number): string {
  const neg = v < 0;
  let digits = (neg ? -v : v).toString();
  if (scale === 0) return neg ? `-${digits}` : digits;
  if (digits.length <= scale) digits = digits.padStart(scale + 1, '0');
  const s = `${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`;
  return neg ? `-${s}` : s;
}

/** Drops trailing fraction zeros: the value and scale PostgreSQL shows for an unconstrained numeric. */
export function trimScale(v: number | bigint, scale: number): { v: number | bigint; scale: number } {
  if (typeof v === 'bigint') {
    while (scale > 0 && v % 10n === 0n) {
      v /= 10n;
      scale--;
    }
    return { v, scale };
  }
  while (scale > 0 && v % 10 === 0) {
    v /= 10;
    scale--;
  }
  return { v, scale };
}

export function decimalText(
  w: BufferWriter,
  data: Buffer,
  i32: Int32Array,
  u32: Uint32Array,
  row: number,
  internal: duckdb.Type,
  declaredScale: number,
  trim = false,
): void {
  let v = decimalValue(data, i32, u32, row, internal);
  let scale = declaredScale;
  if (trim) ({ v, scale } = trimScale(v, scale));
  if (typeof v === 'bigint') return writeAsciiField(w, decimalString(v, scale));
  // allocation-free path for safe integers
  w.ensure(48);
  const buf = w.buf;
  const start = w.pos;
  let p = start + 4;
  let a = v;
  if (a < 0) {
    buf[p++] = 45;
    a = -a;
  }
  const d = digitCount(a);
  if (scale === 0) {
    p = putDigits(buf, p, a, d);
  } else if (d <= scale) {
    buf[p++] = 48;
    buf[p++] = 46;
    for (let i = d; i < scale; i++) buf[p++] = 48;
    p = putDigits(buf, p, a, d);
  } else {
    const pow = 10 ** scale;
    const intPart = Math.floor(a / pow);
    const frac = a - intPart * pow;
    p = putDigits(buf, p, intPart, d - scale);
    buf[p++] = 46;
    p = putDigits(buf, p, frac, scale);
  }
  putInt32(buf, start, p - start - 4);
  w.pos = p;
}

const NUMERIC_POS = 0x0000;
const NUMERIC_NEG = 0x4000;
const POW10 = [1, 10, 100, 1000];
/** Base-10000 digits, least significant first (enough for 128-bit values). */
const groups = new Int32Array(16);

/**
 * Appends the binary numeric field (ndigits, weight, sign, dscale, base-10000
 * digits) for an unscaled decimal value with `scale` fraction digits.
 */
export function writeNumericBinary(w: BufferWriter, v: number | bigint, scale: number): void {
  let neg = false;
  // Align the fraction to whole base-10000 groups.
  const pad = (4 - (scale % 4)) % 4;
  const fracGroups = (scale + pad) / 4;
  let count = 0;
  if (typeof v === 'number' && (v < 0 ? -v : v) * POW10[pad]! <= Number.MAX_SAFE_INTEGER) {
    let a = v;
    if (a < 0) {
      neg = true;
      a = -a;
    }
    a *= POW10[pad]!;
    while (a > 0) {
      const q = Math.floor(a / 10000);
      groups[count++] = a - q * 10000;
      a = q;
    }
  } else {
    let a = BigInt(v);
    if (a < 0n) {
      neg = true;
      a = -a;
    }
    a *= 10n ** BigInt(pad);
    while (a > 0n) {
      groups[count++] = Number(a % 10000n);
      a /= 10000n;
    }
  }
  // groups are least significant first; the lowest `fracGroups` are the fraction
  while (count < fracGroups) groups[count++] = 0;
  let weight = count - fracGroups - 1;
  let hi = count - 1;
  while (hi >= 0 && groups[hi] === 0) {
    hi--;
    weight--;
  }
  let lo = 0;
  while (lo <= hi && groups[lo] === 0) lo++;
  const ndigits = hi >= lo ? hi - lo + 1 : 0;
  if (ndigits === 0) weight = 0;
  const len = 8 + ndigits * 2;
  w.ensure(len + 4);
  const buf = w.buf;
  let p = w.pos;
  putInt32(buf, p, len);
  putInt16(buf, p + 4, ndigits);
  putInt16(buf, p + 6, weight);
  putInt16(buf, p + 8, neg && ndigits > 0 ? NUMERIC_NEG : NUMERIC_POS);
  putInt16(buf, p + 10, scale);
  p += 12;
  for (let i = hi; i >= lo; i--) {
    putInt16(buf, p, groups[i]!);
    p += 2;
  }
  w.pos = p;
}

/** Binary numeric for a decimal string such as "-12.500" (used for floats cast to numeric and params). */
export function numericFromString(s: string): { value: bigint; scale: number } | null {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(s.trim());
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return null;
  const frac = m[3] ?? '';
  const value = BigInt(`${m[1] === '-' ? '-' : ''}${m[2] || '0'}${frac}`);
  return { value, scale: frac.length };
}
