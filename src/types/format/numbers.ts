import { putInt32 } from '../../protocol/bytes.js';
import type { BufferWriter } from '../../protocol/buffer-writer.js';

/** Number of decimal digits of a non-negative safe integer. */
export function digitCount(n: number): number {
  if (n < 10) return 1;
  if (n < 100) return 2;
  if (n < 1000) return 3;
  if (n < 10000) return 4;
  if (n < 100000) return 5;
  if (n < 1000000) return 6;
  if (n < 10000000) return 7;
  if (n < 100000000) return 8;
  if (n < 1000000000) return 9;
  if (n < 10000000000) return 10;
  let d = 10;
  let p = 10000000000;
  while (n >= p && d < 16) {
    d++;
    p *= 10;
  }
  return d;
}

/** "00".."99" as byte pairs: two digits per division when printing integers. */
const PAIRS = Buffer.from(Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0')).join(''), 'latin1');

/** Writes the decimal digits of a non-negative safe integer at `pos` (zero-padded to `width`), returns the end. */
export function putDigits(buf: Buffer, pos: number, n: number, width: number): number {
  const end = pos + width;
  let p = end;
  while (p - pos >= 2) {
    const q = Math.floor(n / 100);
    const r = (n - q * 100) * 2;
    buf[--p] = PAIRS[r + 1]!;
    buf[--p] = PAIRS[r]!;
    n = q;
  }
  if (p > pos) buf[--p] = 48 + (n % 10);
  return end;
}

/** Appends a safe integer as a text DataRow field (length word + digits). */
export function writeIntField(w: BufferWriter, n: number): void {
  w.ensure(24);
  const buf = w.buf;
  let pos = w.pos + 4;
  let len: number;
  if (n < 0) {
    const a = -n;
    const d = digitCount(a);
    buf[pos++] = 45; // '-'
    putDigits(buf, pos, a, d);
    len = d + 1;
  } else {
    len = digitCount(n);
    putDigits(buf, pos, n, len);
  }
  putInt32(buf, w.pos, len);
  w.pos += 4 + len;
}

/** Appends an ASCII string as a text DataRow field. */
export function writeAsciiField(w: BufferWriter, s: string): void {
  const n = s.length;
  w.ensure(n + 4);
  const buf = w.buf;
  putInt32(buf, w.pos, n);
  let p = w.pos + 4;
  for (let i = 0; i < n; i++) buf[p++] = s.charCodeAt(i);
  w.pos = p;
}

/** Appends any string as a UTF-8 text DataRow field. */
export function writeStringField(w: BufferWriter, s: string): void {
  w.ensure(s.length * 3 + 4);
  const n = w.buf.write(s, w.pos + 4, 'utf8');
  putInt32(w.buf, w.pos, n);
  w.pos += 4 + n;
}

/**
 * PostgreSQL's float output (extra_float_digits = 1, the default since 12): the
 * shortest digits that round-trip, in fixed notation when the decimal exponent
 * is in [-4, precisionDigits) and otherwise as `d.ddde+XX` with at least two
 * exponent digits.
 */
export function formatFloat(v: number, precisionDigits: number, shortest: (v: number) => string): string {
  if (v !== v) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const a = Math.abs(v);
  const upper = precisionDigits === 15 ? 1e15 : 10 ** precisionDigits;
  if (precisionDigits === 15 && a >= 1e-4 && a < upper) return String(v);
  const exp = shortest(v); // like "1.2345e+15"
  const e = exp.indexOf('e');
  const mantissa = exp.slice(0, e);
  const expo = Number(exp.slice(e + 1));
  if (expo >= -4 && expo < precisionDigits) {
    // fixed notation from the shortest digits
    const neg = mantissa[0] === '-';
    const digits = mantissa.replace('-', '').replace('.', '');
    let out: string;
    if (expo >= 0) {
      out = digits.length > expo + 1 ? `${digits.slice(0, expo + 1)}.${digits.slice(expo + 1)}` : digits.padEnd(expo + 1, '0');
    } else {
      out = `0.${'0'.repeat(-expo - 1)}${digits}`;
    }
    return neg ? `-${out}` : out;
  }
  const sign = expo < 0 ? '-' : '+';
  const ae = Math.abs(expo);
  return `${mantissa}e${sign}${ae < 10 ? '0' : ''}${ae}`;
}

export function formatFloat8(v: number): string {
  return formatFloat(v, 15, (x) => x.toExponential());
}

const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8];

/**
 * Appends a float8 as a text field. Values with at most 8 fraction digits are
 * printed from an integer (the shortest round-trip form, found without string
 * conversion: `m / 10^k === v` is exactly what parsing "m·10^-k" yields); other
 * values go through the general formatter.
 */
export function writeFloat8Field(w: BufferWriter, v: number): void {
  const a = v < 0 ? -v : v;
  if (a >= 1e-4 && a < 9e6) {
    // One product decides: below 9e6, a·1e8 stays under 2^50, so the rounding
    // cannot pick the wrong integer, and two multiples of 1e-8 cannot both
    // round to the same double: m8 is the value's only short form.
    let m = Math.round(a * 1e8);
    if (m / 1e8 === a) {
      let k = 8;
      while (k > 0 && m % 10 === 0) {
        m /= 10;
        k--;
      }
      writeScaledField(w, v < 0, m, k);
      return;
    }
  } else if (a >= 9e6 && a < 1e15) {
    for (let k = 0; k <= 8; k++) {
      const p = POW10[k]!;
      if (a * p >= 9e14) break;
      const m = Math.round(a * p);
      if (m / p === a) {
        writeScaledField(w, v < 0, m, k);
        return;
      }
    }
  }
  writeAsciiField(w, formatFloat8(v));
}

/** Appends the text of m·10^-k (m a non-negative safe integer) as a field. */
function writeScaledField(w: BufferWriter, neg: boolean, m: number, k: number): void {
  w.ensure(32);
  const buf = w.buf;
  const start = w.pos;
  let p = start + 4;
  if (neg) buf[p++] = 45;
  if (k === 0) {
    const d = digitCount(m);
    p = putDigits(buf, p, m, d);
  } else {
    const pow = POW10[k]!;
    const ip = Math.floor(m / pow);
    p = putDigits(buf, p, ip, digitCount(ip));
    buf[p++] = 46;
    p = putDigits(buf, p, m - ip * pow, k);
  }
  putInt32(buf, start, p - start - 4);
  w.pos = p;
}

/** Shortest digits that round-trip through float32, as toExponential would print them. */
function shortestFloat4(v: number): string {
  for (let p = 1; p <= 9; p++) {
    const s = v.toExponential(p - 1);
    if (Math.fround(Number(s)) === v) return s;
  }
  return v.toExponential(8);
}

export function formatFloat4(v: number): string {
  return formatFloat(v, 6, shortestFloat4);
}
