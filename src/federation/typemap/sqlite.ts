import type { DuckType } from '../../types/duck-type.js';
import { Duck } from '../column-type.js';

/**
 * The DuckDB type of a SQLite column from its declared type. SQLite's own
 * affinity rules (section 3.1 of its datatype page) decide the broad class;
 * common declared names (DATE, TIMESTAMP, BOOLEAN, DECIMAL(p,s), JSON, UUID)
 * get their precise type. No declared type: text.
 */
export function mapSqliteType(declared: string): DuckType {
  const d = declared.trim().toUpperCase();
  if (d === '') return Duck.varchar();
  const dec = /^(?:DECIMAL|NUMERIC)\s*\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)$/.exec(d);
  if (dec) {
    const p = Number(dec[1]);
    const s = Number(dec[2] ?? 0);
    return p <= 38 && s <= p ? Duck.decimal(p, s) : Duck.double();
  }
  if (/^(BOOL|BOOLEAN)$/.test(d)) return Duck.boolean();
  if (d === 'DATE') return Duck.date();
  if (/^(DATETIME|TIMESTAMP)(\s*\(\d+\))?$/.test(d)) return Duck.timestamp();
  if (/^(JSON|JSONB)$/.test(d)) return Duck.json();
  if (d === 'UUID') return Duck.uuid();
  if (d.includes('INT')) return Duck.bigint();
  if (d.includes('CHAR') || d.includes('CLOB') || d.includes('TEXT')) return Duck.varchar();
  if (d.includes('BLOB')) return Duck.blob();
  if (d.includes('REAL') || d.includes('FLOA') || d.includes('DOUB')) return Duck.double();
  // NUMERIC affinity without a precision: integers or reals in one column
  return Duck.double();
}
