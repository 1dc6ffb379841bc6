/** Proleptic Gregorian calendar arithmetic on days since 1970-01-01 (H. Hinnant's algorithms). */

export interface CivilDate {
  year: number;
  month: number;
  day: number;
}

export function civilFromDays(days: number, out: CivilDate): CivilDate {
  const z = days + 719468;
  if (z >= 0 && z < 2147483647) {
    // non-negative day numbers: truncating integer division equals floor and is cheaper
    const era = (z / 146097) | 0;
    const doe = z - era * 146097;
    const yoe = ((doe - ((doe / 1460) | 0) + ((doe / 36524) | 0) - ((doe / 146096) | 0)) / 365) | 0;
    const doy = doe - (365 * yoe + ((yoe / 4) | 0) - ((yoe / 100) | 0));
    const mp = ((5 * doy + 2) / 153) | 0;
    out.day = doy - (((153 * mp + 2) / 5) | 0) + 1;
    out.month = mp < 10 ? mp + 3 : mp - 9;
    out.year = yoe + era * 400 + (out.month <= 2 ? 1 : 0);
    return out;
  }
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  out.year = yoe + era * 400 + (m <= 2 ? 1 : 0);
  out.month = m;
  out.day = d;
  return out;
}

export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = month > 2 ? month - 3 : month + 9;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export const MICROS_PER_DAY = 86_400_000_000;
export const MICROS_PER_SECOND = 1_000_000;
/** Days from 1970-01-01 to 2000-01-01, PostgreSQL's epoch. */
export const PG_EPOCH_DAYS = 10957;
export const PG_EPOCH_MICROS = PG_EPOCH_DAYS * MICROS_PER_DAY;
