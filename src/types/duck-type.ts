import duckdb, { type LogicalType } from '@duckdb/node-bindings';

const T = duckdb.Type;

/** A plain description of a DuckDB logical type, read once per result column. */
export interface DuckType {
  id: duckdb.Type;
  alias: string | null;
  /** DECIMAL */
  width?: number;
  scale?: number;
  /** DECIMAL and ENUM: the physical storage type. */
  internal?: duckdb.Type;
  /** LIST, ARRAY: element type. MAP: STRUCT(key, value). */
  child?: DuckType;
  arraySize?: number;
  /** STRUCT, UNION members; MAP key/value. */
  fields?: { name: string; type: DuckType }[];
  enumValues?: string[];
}

export function describeLogicalType(lt: LogicalType): DuckType {
  const id = duckdb.get_type_id(lt);
  const alias = duckdb.logical_type_get_alias(lt);
  const d: DuckType = { id, alias };
  switch (id) {
    case T.DECIMAL:
      d.width = duckdb.decimal_width(lt);
      d.scale = duckdb.decimal_scale(lt);
      d.internal = duckdb.decimal_internal_type(lt);
      break;
    case T.ENUM: {
      d.internal = duckdb.enum_internal_type(lt);
      const n = duckdb.enum_dictionary_size(lt);
      d.enumValues = new Array<string>(n);
      for (let i = 0; i < n; i++) d.enumValues[i] = duckdb.enum_dictionary_value(lt, i);
      break;
    }
    case T.LIST:
      d.child = describeLogicalType(duckdb.list_type_child_type(lt));
      break;
    case T.ARRAY:
      d.child = describeLogicalType(duckdb.array_type_child_type(lt));
      d.arraySize = duckdb.array_type_array_size(lt);
      break;
    case T.MAP:
      d.fields = [
        { name: 'key', type: describeLogicalType(duckdb.map_type_key_type(lt)) },
        { name: 'value', type: describeLogicalType(duckdb.map_type_value_type(lt)) },
      ];
      break;
    case T.STRUCT: {
      const n = duckdb.struct_type_child_count(lt);
      d.fields = [];
      for (let i = 0; i < n; i++) {
        d.fields.push({
          name: duckdb.struct_type_child_name(lt, i),
          type: describeLogicalType(duckdb.struct_type_child_type(lt, i)),
        });
      }
      break;
    }
    case T.UNION: {
      const n = duckdb.union_type_member_count(lt);
      d.fields = [];
      for (let i = 0; i < n; i++) {
        d.fields.push({
          name: duckdb.union_type_member_name(lt, i),
          type: describeLogicalType(duckdb.union_type_member_type(lt, i)),
        });
      }
      break;
    }
    default:
      break;
  }
  return d;
}

/** Bytes per value in a flat vector of this physical type (0 for variable-size). */
export function physicalSize(id: duckdb.Type): number {
  switch (id) {
    case T.BOOLEAN:
    case T.TINYINT:
    case T.UTINYINT:
      return 1;
    case T.SMALLINT:
    case T.USMALLINT:
      return 2;
    case T.INTEGER:
    case T.UINTEGER:
    case T.FLOAT:
    case T.DATE:
      return 4;
    case T.BIGINT:
    case T.UBIGINT:
    case T.DOUBLE:
    case T.TIME:
    case T.TIME_NS:
    case T.TIME_TZ:
    case T.TIMESTAMP:
    case T.TIMESTAMP_S:
    case T.TIMESTAMP_MS:
    case T.TIMESTAMP_NS:
    case T.TIMESTAMP_TZ:
      return 8;
    case T.HUGEINT:
    case T.UHUGEINT:
    case T.UUID:
    case T.INTERVAL:
    case T.VARCHAR:
    case T.BLOB:
    case T.BIT:
    case T.BIGNUM:
    case T.LIST:
    case T.MAP:
      return 16;
    default:
      return 0;
  }
}

/** DuckDB's SQL name for a type, for casts and error messages. */
export function duckTypeSql(d: DuckType): string {
  switch (d.id) {
    case T.DECIMAL:
      return `DECIMAL(${d.width},${d.scale})`;
    case T.LIST:
      return `${duckTypeSql(d.child!)}[]`;
    case T.ARRAY:
      return `${duckTypeSql(d.child!)}[${d.arraySize}]`;
    case T.STRUCT:
      return `STRUCT(${d.fields!.map((f) => `"${f.name.replace(/"/g, '""')}" ${duckTypeSql(f.type)}`).join(', ')})`;
    case T.MAP:
      return `MAP(${duckTypeSql(d.fields![0]!.type)}, ${duckTypeSql(d.fields![1]!.type)})`;
    default:
      return d.alias ?? T[d.id] ?? 'VARCHAR';
  }
}
