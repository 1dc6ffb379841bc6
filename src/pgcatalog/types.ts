/**
 * How the catalog emulation stores PostgreSQL catalog types in DuckDB, and the
 * annotation that makes RowDescription report the PostgreSQL type again.
 * DuckDB drops user type aliases from results, so types DuckDB cannot express
 * (oid, name, "char", regproc, ...) travel as a type annotation computed from
 * the statement (see result-types.ts) and are applied to the result columns.
 */
export interface CatalogType {
  /** DuckDB SQL type of the column. */
  duck: string;
  /** PostgreSQL type name to annotate the result column with, when DuckDB's own mapping differs. */
  annotate: string | null;
}

const OID_LIKE = new Set(['oid', 'regproc', 'regprocedure', 'regclass', 'regtype', 'regnamespace', 'regrole', 'regoper', 'xid', 'cid', 'xid8']);
const TEXT_LIKE = new Set(['name', 'char', 'varchar', 'bpchar', 'pg_node_tree', 'inet', 'cidr', 'pg_lsn', 'anyarray', 'aclitem', 'pg_ndistinct', 'pg_dependencies', 'pg_mcv_list']);

const PLAIN: Record<string, string> = {
  bool: 'BOOLEAN',
  int2: 'SMALLINT',
  int4: 'INTEGER',
  int8: 'BIGINT',
  float4: 'FLOAT',
  float8: 'DOUBLE',
  text: 'VARCHAR',
  timestamptz: 'TIMESTAMPTZ',
  timestamp: 'TIMESTAMP',
  interval: 'INTERVAL',
  bytea: 'BLOB',
  numeric: 'DECIMAL(38,10)',
  date: 'DATE',
};

/** The DuckDB storage and annotation of a PostgreSQL catalog column type. */
export function catalogType(pgType: string): CatalogType {
  if (pgType === 'int2vector') return { duck: 'SMALLINT[]', annotate: 'int2vector' };
  if (pgType === 'oidvector') return { duck: 'BIGINT[]', annotate: 'oidvector' };
  if (pgType.startsWith('_')) {
    const elem = catalogType(pgType.slice(1));
    return { duck: `${elem.duck}[]`, annotate: elem.annotate ? pgType : null };
  }
  if (OID_LIKE.has(pgType)) return { duck: 'BIGINT', annotate: pgType };
  if (TEXT_LIKE.has(pgType)) return { duck: 'VARCHAR', annotate: pgType };
  const plain = PLAIN[pgType];
  if (plain) return { duck: plain, annotate: null };
  return { duck: 'VARCHAR', annotate: pgType };
}

/** Type names a client may write in a cast, as DuckDB types (null: not a PostgreSQL-only type). */
export function castTarget(pgType: string): CatalogType | null {
  if (OID_LIKE.has(pgType) || TEXT_LIKE.has(pgType) || pgType === 'int2vector' || pgType === 'oidvector') return catalogType(pgType);
  return null;
}
