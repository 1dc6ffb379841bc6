import { civilFromDays, MICROS_PER_DAY, type CivilDate } from './calendar.js';
import { putDigits } from './numbers.js';

const civ: CivilDate = { year: 0, month: 0, day: 0 };

/**
 * Remembers the last date it formatted: rows of a chunk often share a day
 * (timestamps especially), and the calendar arithmetic is the cost. One cache
 * per column writer, so two date-like columns do not evict each other.
 */
export class DateFormatCache {
  days = NaN;
  readonly bytes = Buffer.alloc(16);
  len = 0;
  bc = false;

  fill(days: number): void {
    civilFromDays(days, civ);
    let year = civ.year;
    const bc = year <= 0;
    if (bc) year = 1 - year;
    const b = this.bytes;
    let p = putDigits(b, 0, year, year > 9999 ? String(year).length : 4);
    b[p++] = 45;
    b[p++] = 48 + ((civ.month / 10) | 0);
    b[p++] = 48 + (civ.month % 10);
    b[p++] = 45;
    b[p++] = 48 + ((civ.day / 10) | 0);
    b[p++] = 48 + (civ.day % 10);
    this.days = days;
    this.len = p;
    this.bc = bc;
  }
}

const sharedCache = new DateFormatCache();
const dateResult = { pos: 0, bc: false };

/** Writes `YYYY-MM-DD` for days since 1970-01-01; returns the end and whether the year is BC. */
export function putDate(buf: Buffer, pos: number, days: number, cache: DateFormatCache = sharedCache): { pos: number; bc: boolean } {
  if (days !== cache.days) cache.fill(days);
  const b = cache.bytes;
  const n = cache.len;
  for (let i = 0; i < n; i++) buf[pos + i] = b[i]!;
  dateResult.pos = pos + n;
  dateResult.bc = cache.bc;
  return dateResult;
}

export function putBc(buf: Buffer, pos: number): number {
  buf[pos++] = 32; // ' '
  buf[pos++] = 66; // B
  buf[pos++] = 67; // C
  return pos;
}

/** Writes `HH:MM:SS[.ffffff]` (trailing zeros of the fraction trimmed, as PostgreSQL does). */
export function putTime(buf: Buffer, pos: number, micros: number): number {
  const totalSeconds = Math.floor(micros / 1_000_000);
  const frac = micros - totalSeconds * 1_000_000;
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds - h * 3600) / 60);
  const s = totalSeconds - h * 3600 - m * 60;
  pos = putDigits(buf, pos, h, h > 99 ? String(h).length : 2);
  buf[pos++] = 58;
  pos = putDigits(buf, pos, m, 2);
  buf[pos++] = 58;
  pos = putDigits(buf, pos, s, 2);
  if (frac > 0) pos = putFraction(buf, pos, frac);
  return pos;
}

export function putFraction(buf: Buffer, pos: number, frac: number): number {
  buf[pos++] = 46; // '.'
  let digits = 6;
  let f = frac;
  while (f % 10 === 0) {
    f /= 10;
    digits--;
  }
  return putDigits(buf, pos, f, digits);
}

/** Writes a UTC offset as PostgreSQL prints it: `+HH`, `+HH:MM` or `+HH:MM:SS`. */
export function putOffset(buf: Buffer, pos: number, offsetSeconds: number): number {
  buf[pos++] = offsetSeconds < 0 ? 45 : 43;
  const a = Math.abs(offsetSeconds);
  const h = Math.floor(a / 3600);
  const m = Math.floor((a - h * 3600) / 60);
  const s = a - h * 3600 - m * 60;
  pos = putDigits(buf, pos, h, 2);
  if (m !== 0 || s !== 0) {
    buf[pos++] = 58;
    pos = putDigits(buf, pos, m, 2);
  }
  if (s !== 0) {
    buf[pos++] = 58;
    pos = putDigits(buf, pos, s, 2);
  }
  return pos;
}

/** Splits microseconds since the epoch into whole days and microseconds of the day. */
export function splitMicros(micros: number): { days: number; time: number } {
  let days = Math.floor(micros / MICROS_PER_DAY);
  let time = micros - days * MICROS_PER_DAY;
  if (time < 0) {
    days -= 1;
    time += MICROS_PER_DAY;
  } else if (time >= MICROS_PER_DAY) {
    days += 1;
    time -= MICROS_PER_DAY;
  }
  split.days = days;
  split.time = time;
  return split;
}
const split = { days: 0, time: 0 };

/** Writes `YYYY-MM-DD HH:MM:SS[.ffffff][+TZ][ BC]` for microseconds since the epoch. */
export function putTimestamp(buf: Buffer, pos: number, micros: number, offsetSeconds: number | null, cache?: DateFormatCache): number {
  const { days, time } = splitMicros(micros);
  const d = putDate(buf, pos, days, cache);
  pos = d.pos;
  buf[pos++] = 32;
  pos = putTime(buf, pos, time);
  if (offsetSeconds !== null) pos = putOffset(buf, pos, offsetSeconds);
  if (d.bc) pos = putBc(buf, pos);
  return pos;
}

/** Formats an interval in IntervalStyle `postgres`, as EncodeInterval does. */
export function formatInterval(months: number, days: number, micros: number): string {
  const parts: string[] = [];
  let isZero = true;
  let isBefore = false;
  const add = (value: number, unit: string): void => {
    if (value === 0) return;
    parts.push(`${isBefore && value > 0 ? '+' : ''}${value} ${unit}${value !== 1 ? 's' : ''}`);
    isBefore = value < 0;
    isZero = false;
  };
  add(Math.trunc(months / 12), 'year');
  add(months % 12, 'mon');
  add(days, 'day');
  if (isZero || micros !== 0) {
    const minus = micros < 0;
    let a = Math.abs(micros);
    const hours = Math.floor(a / 3_600_000_000);
    a -= hours * 3_600_000_000;
    const mins = Math.floor(a / 60_000_000);
    a -= mins * 60_000_000;
    const secs = Math.floor(a / 1_000_000);
    const frac = a - secs * 1_000_000;
    let t = `${minus ? '-' : isBefore ? '+' : ''}${String(hours).padStart(2, '0')}:${String(mins).padStart(2, '0')}:${String(secs).padStart(2, '0')}`;
    if (frac > 0) t += `.${String(frac).padStart(6, '0').replace(/0+$/, '')}`;
    parts.push(t);
  }
  return parts.join(' ');
}
