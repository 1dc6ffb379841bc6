/** DuckDB schema holding the pg_catalog emulation (DuckDB's own pg_catalog is a read-only system schema). */
export const S = 'lakegate_pg';
/** DuckDB schema holding the information_schema emulation. */
export const IS = 'lakegate_is';
/** Name under which a session's temporary tables appear (PostgreSQL's pg_temp_N). */
export const TEMP_SCHEMA = 'pg_temp_1';
/** The role that owns every catalog object (PostgreSQL's bootstrap superuser has OID 10). */
export const OWNER_OID = 10;
export const PG_CATALOG_OID = 11;
/** Prefix of the per-connection helper tables the gateway creates; never listed. */
export const SESSION_TABLE_PREFIX = 'lakegate_';

export { quoteLiteral as sqlString } from '../sql/quote.js';

export function sqlIdent(s: string): string {
  return `"${s.replace(/"/g, '""')}"`;
}
