import type { DuckType } from '../../types/duck-type.js';
import { Duck } from '../column-type.js';

/** What discovery reads from information_schema.columns for one MySQL/MariaDB column. */
export interface MysqlColumnInfo {
  /** DATA_TYPE, lower case: int, varchar, enum... */
  dataType: string;
  /** COLUMN_TYPE: int(10) unsigned, enum('a','b'), decimal(12,2)... */
  columnType: string;
  precision: number | null;
  scale: number | null;
  /** MariaDB stores JSON as LONGTEXT with a json_valid() check. */
  isJson: boolean;
}

/** Values of enum('a','it''s') as written in COLUMN_TYPE. */
export function enumValues(columnType: string): string[] {
  const m = /^(?:enum|set)\((.*)\)$/is.exec(columnType.trim());
  if (!m) return [];
  const out: string[] = [];
  const re = /'((?:[^'\\]|''|\\.)*)'/g;
  for (let x = re.exec(m[1]!); x; x = re.exec(m[1]!)) out.push(x[1]!.replace(/''/g, "'").replace(/\\(.)/g, '$1'));
  return out;
}

/** The DuckDB type of a MySQL/MariaDB column; anything without a mapping is text. */
export function mapMysqlType(c: MysqlColumnInfo): DuckType {
  const unsigned = /\bunsigned\b/i.test(c.columnType);
  if (c.isJson) return Duck.json();
  switch (c.dataType) {
    case 'tinyint':
      return unsigned ? Duck.utinyint() : Duck.tinyint();
    case 'smallint':
      return unsigned ? Duck.usmallint() : Duck.smallint();
    case 'mediumint':
      return Duck.integer();
    case 'int':
    case 'integer':
      return unsigned ? Duck.uinteger() : Duck.integer();
    case 'bigint':
      return unsigned ? Duck.ubigint() : Duck.bigint();
    case 'year':
      return Duck.smallint();
    case 'decimal':
    case 'numeric': {
      const p = c.precision ?? 10;
      const s = c.scale ?? 0;
      return p <= 38 ? Duck.decimal(p, s) : Duck.double();
    }
    case 'float':
      return Duck.float();
    case 'double':
    case 'real':
      return Duck.double();
    case 'bit':
      return (c.precision ?? 1) === 1 ? Duck.boolean() : Duck.ubigint();
    case 'date':
      return Duck.date();
    case 'datetime':
      return Duck.timestamp();
    case 'timestamp':
      // stored in UTC; sessions run with time_zone = '+00:00'
      return Duck.timestamptz();
    case 'time':
      return Duck.time();
    case 'json':
      return Duck.json();
    case 'uuid':
      return Duck.uuid();
    case 'enum': {
      const values = enumValues(c.columnType);
      return values.length > 0 && new Set(values).size === values.length ? Duck.enum(values) : Duck.varchar();
    }
    case 'binary':
    case 'varbinary':
    case 'tinyblob':
    case 'blob':
    case 'mediumblob':
    case 'longblob':
      return Duck.blob();
    default:
      // char, varchar, *text, set, inet4/6, geometry...: text
      return Duck.varchar();
  }
}
