/**
 * Session time zones: UTC offsets for timestamptz output. Fixed offsets are
 * computed directly; IANA zones through Intl, cached per hour of UTC time so the
 * cost is paid once per hour of data, not per row.
 */
export interface TimeZone {
  readonly name: string;
  /** Offset from UTC in seconds (east positive) at the given UTC instant in ms. */
  offsetAt(utcMillis: number): number;
  /** Offset for a local wall-clock time in ms (for parsing values without an offset). */
  offsetForLocal(localMillis: number): number;
}

class FixedZone implements TimeZone {
  constructor(
    readonly name: string,
    private readonly offset: number,
  ) {}
  offsetAt(): number {
    return this.offset;
  }
  offsetForLocal(): number {
    return this.offset;
  }
}

const HOUR = 3_600_000;

class IanaZone implements TimeZone {
  private readonly fmt: Intl.DateTimeFormat;
  private readonly cache = new Map<number, number>();
  constructor(readonly name: string) {
    this.fmt = new Intl.DateTimeFormat('en-US', {
      timeZone: name,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    });
  }

  offsetAt(utcMillis: number): number {
    const key = Math.floor(utcMillis / HOUR);
    let off = this.cache.get(key);
    if (off === undefined) {
      off = this.compute(key * HOUR);
      if (this.cache.size > 100_000) this.cache.clear();
      this.cache.set(key, off);
    }
    return off;
  }

  offsetForLocal(localMillis: number): number {
    const guess = this.offsetAt(localMillis);
    const second = this.offsetAt(localMillis - guess * 1000);
    return second;
  }

  private compute(utcMillis: number): number {
    if (!Number.isFinite(utcMillis) || Math.abs(utcMillis) > 8.64e15) return 0;
    const parts = this.fmt.formatToParts(new Date(utcMillis));
    const get = (t: string): number => Number(parts.find((p) => p.type === t)?.value ?? 0);
    let year = get('year');
    if (parts.find((p) => p.type === 'era')?.value === 'BC') year = 1 - year;
    const local = Date.UTC(0, get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
    const d = new Date(local);
    d.setUTCFullYear(year);
    return Math.round((d.getTime() - utcMillis) / 1000);
  }
}

const zones = new Map<string, TimeZone>();
export const UTC: TimeZone = new FixedZone('UTC', 0);

/**
 * Resolves a PostgreSQL TimeZone setting: IANA names, UTC/GMT/Z, and ISO-style
 * offsets (`+05:30`). POSIX-style `UTC+3` means three hours west, as in PostgreSQL.
 * Returns null for an unknown zone.
 */
export function resolveTimeZone(name: string): TimeZone | null {
  const key = name.trim();
  const cached = zones.get(key.toLowerCase());
  if (cached) return cached;
  let zone: TimeZone | null = null;
  const lower = key.toLowerCase();
  if (lower === 'utc' || lower === 'gmt' || lower === 'z' || lower === 'etc/utc' || lower === 'zulu' || lower === 'etc/gmt') {
    zone = new FixedZone(key, 0);
  } else {
    const iso = /^([+-])(\d{1,2})(?::?(\d{2}))?(?::(\d{2}))?$/.exec(key);
    const posix = /^(?:utc|gmt)([+-])(\d{1,2})(?::(\d{2}))?$/i.exec(key);
    if (iso) {
      const secs = Number(iso[2]) * 3600 + Number(iso[3] ?? 0) * 60 + Number(iso[4] ?? 0);
      zone = new FixedZone(key, iso[1] === '-' ? -secs : secs);
    } else if (posix) {
      const secs = Number(posix[2]) * 3600 + Number(posix[3] ?? 0) * 60;
      zone = new FixedZone(key, posix[1] === '-' ? secs : -secs);
    } else {
      try {
        const canonical = new Intl.DateTimeFormat('en-US', { timeZone: key }).resolvedOptions().timeZone;
        zone = new IanaZone(canonical === key ? key : key);
      } catch {
        zone = null;
      }
    }
  }
  if (zone) zones.set(lower, zone);
  return zone;
}
