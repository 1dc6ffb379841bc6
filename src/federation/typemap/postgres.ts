import type { DuckType } from '../../types/duck-type.js';
import { Duck } from '../column-type.js';

/** What discovery reads from pg_type for one column (domains already resolved to their base type). */
export interface PgTypeInfo {
  typname: string;
  /** pg_type.typcategory; 'A' for arrays. */
  category: string;
  typmod: number;
  /** For arrays: the element type's name. */
  elemTypname?: string;
}

const DECIMAL_MAX_WIDTH = 38;

function numeric(typmod: number): DuckType {
  if (typmod < 4) return Duck.double(); // unconstrained numeric: no exact DuckDB type
  const precision = ((typmod - 4) >> 16) & 0xffff;
  const scale = (typmod - 4) & 0xffff;
  if (precision > DECIMAL_MAX_WIDTH || scale > precision || scale > 0x7ff) return Duck.double();
  return Duck.decimal(precision, scale);
}

function scalar(typname: string, typmod: number): DuckType {
  switch (typname) {
    case 'bool':
      return Duck.boolean();
    case 'int2':
      return Duck.smallint();
    case 'int4':
      return Duck.integer();
    case 'int8':
      return Duck.bigint();
    case 'oid':
    case 'xid':
    case 'cid':
      return Duck.uinteger();
    case 'float4':
      return Duck.float();
    case 'float8':
      return Duck.double();
    case 'numeric':
      return numeric(typmod);
    case 'bytea':
      return Duck.blob();
    case 'date':
      return Duck.date();
    case 'time':
      return Duck.time();
    case 'timetz':
      return Duck.timetz();
    case 'timestamp':
      return Duck.timestamp();
    case 'timestamptz':
      return Duck.timestamptz();
    case 'interval':
      return Duck.interval();
    case 'uuid':
      return Duck.uuid();
    case 'json':
    case 'jsonb':
      return Duck.json();
    default:
      // text, varchar, bpchar, name, citext, enums, inet, money, xml, ranges...: text
      return Duck.varchar();
  }
}

/** The DuckDB type of a PostgreSQL column; anything without a mapping is text. */
export function mapPostgresType(t: PgTypeInfo): DuckType {
  if (t.category === 'A' && t.elemTypname) {
    // the element typmod is the column's typmod (numeric(10,2)[] keeps its precision)
    return Duck.list(scalar(t.elemTypname, t.typmod));
  }
  return scalar(t.typname, t.typmod);
}
