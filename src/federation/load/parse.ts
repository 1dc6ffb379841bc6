import { daysFromCivil, MICROS_PER_DAY } from '../../types/format/calendar.js';

/**
 * Parsers for the text forms sources send (PostgreSQL with DateStyle ISO and
 * IntervalStyle postgres, MySQL/MariaDB, SQLite's ISO-8601 strings) into the
 * numbers DuckDB stores. Written for speed: no regular expressions or Date
 * objects on the common paths.
 */

export class ValueError extends Error {}

/** DuckDB's date infinity markers. */
export const DATE_INFINITY = 2147483647;
export const DATE_NEG_INFINITY = -2147483647;
/** DuckDB's timestamp infinity markers (int64 max / -max). */
export const TIMESTAMP_INFINITY = 9223372036854775807n;
export const TIMESTAMP_NEG_INFINITY = -9223372036854775807n;

function digitsAt(s: string, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return NaN;
    n = n * 10 + c;
  }
  return n;
}

function bad(kind: string, s: string): ValueError {
  return new ValueError(`invalid input syntax for type ${kind}: "${s}"`);
}

/** Position after the date part `[-]Y...-MM-DD`, with the parsed day number; NaN day when invalid. */
function parseDatePart(s: string, out: { days: number; end: number }): void {
  let i = 0;
  let neg = false;
  if (s.charCodeAt(0) === 45) {
    neg = true;
    i = 1;
  }
  const dash = s.indexOf('-', i + 1);
  if (dash < 0 || s.length < dash + 6 || s.charCodeAt(dash + 3) !== 45) {
    out.days = NaN;
    return;
  }
  let year = digitsAt(s, i, dash);
  const month = digitsAt(s, dash + 1, dash + 3);
  const day = digitsAt(s, dash + 4, dash + 6);
  if (neg) year = -year;
  if (!(month >= 1 && month <= 12 && day >= 1 && day <= 31)) {
    out.days = NaN;
    return;
  }
  out.days = daysFromCivil(year, month, day);
  out.end = dash + 6;
}

const scratch = { days: 0, end: 0 };

/** ` BC` suffix: year n BC is astronomical year 1 - n. */
function isBc(s: string): boolean {
  return s.length > 3 && s.charCodeAt(s.length - 1) === 67 && s.endsWith(' BC');
}

/** Days since 1970-01-01 for `YYYY-MM-DD` (optionally ` BC`, or infinity). */
export function parseDate(s: string): number {
  const c = s.charCodeAt(0);
  if (c === 105 || c === 73 || ((c === 43 || c === 45) && (s.charCodeAt(1) | 32) === 105)) {
    const l = s.toLowerCase();
    if (l === 'infinity' || l === '+infinity') return DATE_INFINITY;
    if (l === '-infinity') return DATE_NEG_INFINITY;
  }
  if (isBc(s)) {
    const m = /^(\d+)-(\d\d)-(\d\d)/.exec(s);
    if (!m) throw bad('date', s);
    return daysFromCivil(1 - Number(m[1]), Number(m[2]), Number(m[3]));
  }
  parseDatePart(s, scratch);
  if (Number.isNaN(scratch.days)) throw bad('date', s);
  return scratch.days;
}

/** Microseconds in `HH:MM[:SS[.ffffff]]` starting at `i`; returns NaN when invalid. Sets `timeEnd`. */
let timeEnd = 0;
function parseTimePart(s: string, i: number): number {
  const h = digitsAt(s, i, i + 2);
  if (s.charCodeAt(i + 2) !== 58) return NaN;
  const m = digitsAt(s, i + 3, i + 5);
  let sec = 0;
  let micros = 0;
  let p = i + 5;
  if (s.charCodeAt(p) === 58) {
    sec = digitsAt(s, p + 1, p + 3);
    p += 3;
    if (s.charCodeAt(p) === 46) {
      p++;
      let scale = 100000;
      while (p < s.length) {
        const d = s.charCodeAt(p) - 48;
        if (d < 0 || d > 9) break;
        if (scale >= 1) micros += d * scale;
        scale /= 10;
        p++;
      }
      micros = Math.round(micros);
    }
  }
  timeEnd = p;
  if (!(h <= 24 && m < 60 && sec < 61)) return NaN;
  return ((h * 60 + m) * 60 + sec) * 1_000_000 + micros;
}

/** Seconds east of UTC in `+HH[:MM[:SS]]`, `Z`, or NaN. */
function parseOffset(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c === 90 || c === 122) return 0;
  if (c !== 43 && c !== 45) return NaN;
  const sign = c === 45 ? -1 : 1;
  const h = digitsAt(s, i + 1, i + 3);
  let m = 0;
  let sec = 0;
  let p = i + 3;
  if (s.charCodeAt(p) === 58) {
    m = digitsAt(s, p + 1, p + 3);
    p += 3;
  } else if (p + 2 <= s.length && s.charCodeAt(p) >= 48 && s.charCodeAt(p) <= 57) {
    m = digitsAt(s, p, p + 2);
    p += 2;
  }
  if (s.charCodeAt(p) === 58) sec = digitsAt(s, p + 1, p + 3);
  return sign * (h * 3600 + m * 60 + sec);
}

export type Micros = number | bigint;

/**
 * Microseconds since the epoch for a timestamp text. With `withZone`, an
 * offset suffix is applied (none means UTC); without, any offset is ignored
 * as PostgreSQL does for `timestamp`. Returns a bigint only for infinity.
 */
export function parseTimestamp(s: string, withZone: boolean): Micros {
  const c = s.charCodeAt(0);
  if (c === 105 || c === 73 || ((c === 43 || c === 45) && (s.charCodeAt(1) | 32) === 105)) {
    const l = s.toLowerCase();
    if (l === 'infinity' || l === '+infinity') return TIMESTAMP_INFINITY;
    if (l === '-infinity') return TIMESTAMP_NEG_INFINITY;
  }
  let text = s;
  let bc = false;
  if (isBc(s)) {
    bc = true;
    text = s.slice(0, -3);
  }
  parseDatePart(text, scratch);
  let days = scratch.days;
  if (Number.isNaN(days)) throw bad(withZone ? 'timestamp with time zone' : 'timestamp', s);
  if (bc) {
    const m = /^(\d+)-(\d\d)-(\d\d)/.exec(text)!;
    days = daysFromCivil(1 - Number(m[1]), Number(m[2]), Number(m[3]));
  }
  let p = scratch.end;
  let micros = 0;
  if (p < text.length) {
    const sep = text.charCodeAt(p);
    if (sep !== 32 && sep !== 84 && sep !== 116) throw bad('timestamp', s);
    micros = parseTimePart(text, p + 1);
    if (Number.isNaN(micros)) throw bad('timestamp', s);
    p = timeEnd;
    if (withZone && p < text.length) {
      const off = parseOffset(text, p);
      if (Number.isNaN(off)) throw bad('timestamp with time zone', s);
      micros -= off * 1_000_000;
    }
  }
  return days * MICROS_PER_DAY + micros;
}

/** Microseconds since midnight for `HH:MM[:SS[.ffffff]]`. */
export function parseTime(s: string): number {
  const v = parseTimePart(s, 0);
  if (Number.isNaN(v) || v > MICROS_PER_DAY) throw bad('time', s);
  return v;
}

/** `HH:MM:SS[.ffffff]+HH[:MM]` → time in micros and offset in seconds. */
export function parseTimeTz(s: string): { micros: number; offset: number } {
  const v = parseTimePart(s, 0);
  if (Number.isNaN(v)) throw bad('time with time zone', s);
  const off = timeEnd < s.length ? parseOffset(s, timeEnd) : 0;
  if (Number.isNaN(off)) throw bad('time with time zone', s);
  return { micros: v, offset: off };
}

/** PostgreSQL interval text (IntervalStyle postgres): `1 year 2 mons -3 days +04:05:06.5`. */
export function parseInterval(s: string): { months: number; days: number; micros: number } {
  let months = 0;
  let days = 0;
  let micros = 0;
  const parts = s.trim().split(/\s+/);
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if (p.includes(':')) {
      const neg = p.startsWith('-');
      const body = p.replace(/^[+-]/, '');
      const [h, m, sec] = body.split(':');
      const v = (Number(h) * 3600 + Number(m ?? 0) * 60) * 1_000_000 + Math.round(Number(sec ?? 0) * 1_000_000);
      if (!Number.isFinite(v)) throw bad('interval', s);
      micros += neg ? -v : v;
      continue;
    }
    const n = Number(p);
    const unit = parts[++i];
    if (!Number.isFinite(n) || unit === undefined) throw bad('interval', s);
    const u = unit.toLowerCase();
    if (u.startsWith('year')) months += n * 12;
    else if (u.startsWith('mon')) months += n;
    else if (u.startsWith('day')) days += n;
    else if (u.startsWith('hour')) micros += n * 3_600_000_000;
    else if (u.startsWith('min')) micros += n * 60_000_000;
    else if (u.startsWith('sec')) micros += Math.round(n * 1_000_000);
    else throw bad('interval', s);
  }
  return { months, days, micros };
}

/** A decimal text as an integer scaled by 10^scale (rounded half away from zero). */
export function parseDecimal(s: string, scale: number): number | bigint {
  const fast = decimalFast(s, scale);
  if (fast !== null) return fast;
  let t = s.trim();
  if (/e/i.test(t)) t = expandExponent(t);
  let neg = false;
  if (t.charCodeAt(0) === 45) {
    neg = true;
    t = t.slice(1);
  } else if (t.charCodeAt(0) === 43) t = t.slice(1);
  const dot = t.indexOf('.');
  const intPart = dot < 0 ? t : t.slice(0, dot);
  let frac = dot < 0 ? '' : t.slice(dot + 1);
  let roundUp = false;
  if (frac.length > scale) {
    roundUp = frac.charCodeAt(scale) >= 53;
    frac = frac.slice(0, scale);
  } else frac = frac.padEnd(scale, '0');
  const digits = (intPart + frac).replace(/^0+(?=\d)/, '');
  if (!/^\d+$/.test(digits)) throw bad('numeric', s);
  if (digits.length <= 15) {
    let v = Number(digits) + (roundUp ? 1 : 0);
    if (neg) v = -v;
    return v === 0 ? 0 : v;
  }
  let v = BigInt(digits) + (roundUp ? 1n : 0n);
  if (neg) v = -v;
  return v;
}

/**
 * The common case without allocations: `[-]digits[.digits]`, at most 15
 * significant digits after scaling. Null when the slow path must decide.
 */
function decimalFast(s: string, scale: number): number | null {
  const n = s.length;
  let i = 0;
  let neg = false;
  if (s.charCodeAt(0) === 45) {
    neg = true;
    i = 1;
  }
  let v = 0;
  let digits = 0;
  let fracDigits = -1;
  let roundUp = false;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      if (fracDigits >= 0) return null;
      fracDigits = 0;
      continue;
    }
    const d = c - 48;
    if (d < 0 || d > 9) return null;
    if (fracDigits >= 0) {
      if (fracDigits === scale) {
        // the first dropped digit decides rounding; any later ones are ignored
        if (!roundUp && fracDigits === scale) roundUp = d >= 5;
        fracDigits++;
        continue;
      }
      if (fracDigits > scale) continue;
      fracDigits++;
    }
    v = v * 10 + d;
    if (v !== 0) digits++;
    if (digits > 15) return null;
  }
  if (i === (neg ? 1 : 0)) return null;
  for (let k = Math.max(fracDigits, 0); k < scale; k++) {
    v *= 10;
    if (v !== 0 && ++digits > 15) return null;
  }
  if (roundUp) v += 1;
  return neg && v !== 0 ? -v : v;
}

function expandExponent(t: string): string {
  const n = Number(t);
  if (!Number.isFinite(n)) throw bad('numeric', t);
  return n.toFixed(20).replace(/\.?0+$/, '');
}

/** `\x0a0b` (PostgreSQL hex bytea) or the escape format. */
export function parseByteaHex(s: string): Buffer {
  if (s.charCodeAt(0) === 92 && s.charCodeAt(1) === 120) return Buffer.from(s.slice(2), 'hex');
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 92 && s.charCodeAt(i + 1) === 92) {
      out.push(92);
      i++;
    } else if (c === 92) {
      out.push(parseInt(s.slice(i + 1, i + 4), 8));
      i += 3;
    } else out.push(c);
  }
  return Buffer.from(out);
}
