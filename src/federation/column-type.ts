import { quoteLiteral } from '../sql/quote.js';
import duckdb from '@duckdb/node-bindings';
import type { DuckType } from '../types/duck-type.js';

const T = duckdb.Type;

/**
 * DuckDB column types for remote columns. A remote column becomes one of
 * these; the PostgreSQL type a client sees then follows from
 * src/types/type-map.ts, like for any DuckDB column.
 */
export const Duck = {
  boolean: (): DuckType => ({ id: T.BOOLEAN, alias: null }),
  tinyint: (): DuckType => ({ id: T.TINYINT, alias: null }),
  smallint: (): DuckType => ({ id: T.SMALLINT, alias: null }),
  integer: (): DuckType => ({ id: T.INTEGER, alias: null }),
  bigint: (): DuckType => ({ id: T.BIGINT, alias: null }),
  utinyint: (): DuckType => ({ id: T.UTINYINT, alias: null }),
  usmallint: (): DuckType => ({ id: T.USMALLINT, alias: null }),
  uinteger: (): DuckType => ({ id: T.UINTEGER, alias: null }),
  ubigint: (): DuckType => ({ id: T.UBIGINT, alias: null }),
  float: (): DuckType => ({ id: T.FLOAT, alias: null }),
  double: (): DuckType => ({ id: T.DOUBLE, alias: null }),
  decimal: (width: number, scale: number): DuckType => ({
    id: T.DECIMAL,
    alias: null,
    width,
    scale,
    internal: width <= 4 ? T.SMALLINT : width <= 9 ? T.INTEGER : width <= 18 ? T.BIGINT : T.HUGEINT,
  }),
  varchar: (): DuckType => ({ id: T.VARCHAR, alias: null }),
  json: (): DuckType => ({ id: T.VARCHAR, alias: 'JSON' }),
  blob: (): DuckType => ({ id: T.BLOB, alias: null }),
  date: (): DuckType => ({ id: T.DATE, alias: null }),
  time: (): DuckType => ({ id: T.TIME, alias: null }),
  timetz: (): DuckType => ({ id: T.TIME_TZ, alias: null }),
  timestamp: (): DuckType => ({ id: T.TIMESTAMP, alias: null }),
  timestamptz: (): DuckType => ({ id: T.TIMESTAMP_TZ, alias: null }),
  interval: (): DuckType => ({ id: T.INTERVAL, alias: null }),
  uuid: (): DuckType => ({ id: T.UUID, alias: null }),
  list: (child: DuckType): DuckType => ({ id: T.LIST, alias: null, child }),
  enum: (values: string[]): DuckType => ({
    id: T.ENUM,
    alias: null,
    enumValues: values,
    internal: values.length <= 0xff ? T.UTINYINT : values.length <= 0xffff ? T.USMALLINT : T.UINTEGER,
  }),
};


/** DuckDB DDL spelling of a column type. */
export function duckTypeDdl(d: DuckType): string {
  if (d.alias === 'JSON') return 'JSON';
  switch (d.id) {
    case T.DECIMAL:
      return `DECIMAL(${d.width},${d.scale})`;
    case T.LIST:
      return `${duckTypeDdl(d.child!)}[]`;
    case T.ENUM:
      return `ENUM(${d.enumValues!.map(quoteLiteral).join(', ')})`;
    case T.TIMESTAMP_TZ:
      return 'TIMESTAMPTZ';
    case T.TIME_TZ:
      return 'TIMETZ';
    default:
      return T[d.id] ?? 'VARCHAR';
  }
}

/**
 * A PostgreSQL-AST type name (for a TypeCast node) that DuckDB reads as this
 * type once the statement is printed; null for types without one (structs).
 * ENUMs become varchar: values travel to and from sources as their labels.
 */
export function duckTypeNameAst(d: DuckType): Record<string, unknown> | null {
  const intConst = (n: number): Record<string, unknown> => ({ A_Const: { ival: { ival: n } } });
  switch (d.id) {
    case T.DECIMAL:
      return { names: [{ String: { sval: 'decimal' } }], typmods: [intConst(d.width!), intConst(d.scale!)], typemod: -1 };
    case T.LIST: {
      const inner = d.child ? duckTypeNameAst(d.child) : null;
      return inner ? { ...inner, arrayBounds: [intConst(-1)] } : null;
    }
    case T.ENUM:
      return { names: [{ String: { sval: 'varchar' } }], typemod: -1 };
    case T.STRUCT:
    case T.MAP:
    case T.UNION:
    case T.ARRAY:
      return null;
    default: {
      const ddl = duckTypeDdl(d);
      return /^[A-Z_]+$/.test(ddl) ? { names: [{ String: { sval: ddl.toLowerCase() } }], typemod: -1 } : null;
    }
  }
}

/** The family of a DuckDB type as information_schema spells it (`DECIMAL(10,2)`, `TIMESTAMP WITH TIME ZONE`). */
export function typeNameFamily(name: string): TypeFamily {
  const n = name.toUpperCase();
  if (/^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT)$/.test(n)) return 'int';
  if (n.startsWith('DECIMAL')) return 'decimal';
  if (n === 'DOUBLE') return 'float';
  if (n === 'VARCHAR') return 'string';
  if (n === 'BOOLEAN') return 'bool';
  if (n === 'DATE') return 'date';
  if (n === 'TIMESTAMP WITH TIME ZONE') return 'timestamptz';
  if (n === 'TIMESTAMP') return 'timestamp';
  if (n === 'UUID') return 'uuid';
  return 'other';
}

/** Broad kind of a column type, for deciding what a filter on it means. */
export type TypeFamily = 'bool' | 'int' | 'float' | 'decimal' | 'string' | 'blob' | 'date' | 'timestamp' | 'timestamptz' | 'time' | 'uuid' | 'other';

export function typeFamily(d: DuckType): TypeFamily {
  switch (d.id) {
    case T.BOOLEAN:
      return 'bool';
    case T.TINYINT:
    case T.SMALLINT:
    case T.INTEGER:
    case T.BIGINT:
    case T.UTINYINT:
    case T.USMALLINT:
    case T.UINTEGER:
    case T.UBIGINT:
    case T.HUGEINT:
      return 'int';
    case T.FLOAT:
    case T.DOUBLE:
      return 'float';
    case T.DECIMAL:
      return 'decimal';
    case T.VARCHAR:
      return d.alias === 'JSON' ? 'other' : 'string';
    case T.ENUM:
      return 'string';
    case T.BLOB:
      return 'blob';
    case T.DATE:
      return 'date';
    case T.TIMESTAMP:
      return 'timestamp';
    case T.TIMESTAMP_TZ:
      return 'timestamptz';
    case T.TIME:
      return 'time';
    case T.UUID:
      return 'uuid';
    default:
      return 'other';
  }
}
