import duckdb from '@duckdb/node-bindings';
import type { DuckType } from './duck-type.js';
import { numericTypmod, PgTypes, type PgType } from './pg-types.js';

const T = duckdb.Type;

/** The PostgreSQL type a DuckDB column is presented as. */
export interface PgColumnType {
  type: PgType;
  /** OID sent in RowDescription (the array OID for lists). */
  oid: number;
  typlen: number;
  typmod: number;
}

function scalar(type: PgType, typmod = -1): PgColumnType {
  return { type, oid: type.oid, typlen: type.len, typmod };
}

/** Maps a DuckDB type onto the PostgreSQL type clients will see. */
export function pgTypeFor(d: DuckType): PgColumnType {
  if (d.alias) {
    const a = d.alias.toLowerCase();
    if (a === 'json') return scalar(PgTypes.json);
    if (a === 'jsonb') return scalar(PgTypes.jsonb);
    // PostgreSQL catalog types carried as an annotation (see src/pgcatalog/types.ts)
    const named = a.startsWith('_') ? undefined : (PgTypes as Record<string, PgType>)[a];
    if (named) return scalar(named);
  }
  switch (d.id) {
    case T.BOOLEAN:
      return scalar(PgTypes.bool);
    case T.TINYINT:
    case T.SMALLINT:
    case T.UTINYINT:
      return scalar(PgTypes.int2);
    case T.INTEGER:
    case T.USMALLINT:
      return scalar(PgTypes.int4);
    case T.BIGINT:
    case T.UINTEGER:
      return scalar(PgTypes.int8);
    case T.UBIGINT:
    case T.HUGEINT:
    case T.UHUGEINT:
    case T.BIGNUM:
      return scalar(PgTypes.numeric);
    case T.FLOAT:
      return scalar(PgTypes.float4);
    case T.DOUBLE:
      return scalar(PgTypes.float8);
    case T.DECIMAL:
      return scalar(PgTypes.numeric, isUnconstrainedNumeric(d) ? -1 : numericTypmod(d.width!, d.scale!));
    case T.VARCHAR:
    case T.ENUM:
    case T.SQLNULL:
    case T.STRING_LITERAL:
      return scalar(PgTypes.text);
    case T.BLOB:
      return scalar(PgTypes.bytea);
    case T.DATE:
      return scalar(PgTypes.date);
    case T.TIME:
    case T.TIME_NS:
      return scalar(PgTypes.time);
    case T.TIME_TZ:
      return scalar(PgTypes.timetz);
    case T.TIMESTAMP:
    case T.TIMESTAMP_S:
    case T.TIMESTAMP_MS:
    case T.TIMESTAMP_NS:
      return scalar(PgTypes.timestamp);
    case T.TIMESTAMP_TZ:
      return scalar(PgTypes.timestamptz);
    case T.INTERVAL:
      return scalar(PgTypes.interval);
    case T.UUID:
      return scalar(PgTypes.uuid);
    case T.BIT:
      return scalar(PgTypes.varbit);
    case T.INTEGER_LITERAL:
      return scalar(PgTypes.int4);
    case T.LIST:
    case T.ARRAY: {
      const elem = pgTypeFor(d.child!);
      if (elem.type.arrayOid === 0 || elem.type.category === 'A') return scalar(PgTypes.json);
      return { type: elem.type, oid: elem.type.arrayOid, typlen: -1, typmod: elem.typmod };
    }
    case T.STRUCT:
    case T.MAP:
    case T.UNION:
      return scalar(PgTypes.json);
    default:
      return scalar(PgTypes.text);
  }
}

/** A DuckDB type relabelled as a PostgreSQL type (`oid`, `name`, `_oid` for lists of OIDs, ...). */
export function annotateDuckType(d: DuckType, pgType: string): DuckType {
  if (pgType.startsWith('_') && (d.id === T.LIST || d.id === T.ARRAY) && d.child) {
    return { ...d, alias: pgType, child: annotateDuckType(d.child, pgType.slice(1)) };
  }
  return { ...d, alias: pgType };
}

/** DECIMAL(38,10) is what bare `numeric` becomes (see sql/rewrite/numeric-typmod.ts). */
export function isUnconstrainedNumeric(d: DuckType): boolean {
  return d.id === T.DECIMAL && d.width === 38 && d.scale === 10;
}

export function isArrayColumn(c: PgColumnType): boolean {
  return c.oid !== c.type.oid;
}
