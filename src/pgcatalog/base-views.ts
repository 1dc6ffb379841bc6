import { IS, OWNER_OID, PG_CATALOG_OID, S, SESSION_TABLE_PREFIX, sqlString, TEMP_SCHEMA } from './names.js';
import { PG_DATA } from './catalog-data.js';
import { stableOid } from '../catalog/oids.js';

/**
 * The base the emulated catalogs are built on: which namespaces, relations and
 * columns exist, read live from DuckDB's own catalog (duckdb_tables(),
 * duckdb_views(), duckdb_columns(), duckdb_constraints()) so temporary tables
 * and reloaded catalogs show up without reinstalling anything.
 *
 * Visibility hook: every catalog object passes `__visible(schema, table)`,
 * which reads the per-connection TEMP table `lakegate_visible`. Rows
 * ('*', '*') make everything visible (the default); a security layer replaces
 * them with the (schema, table) pairs the connected user may see, and every
 * pg_catalog and information_schema relation follows.
 */
export function baseMacros(): string[] {
  const m = (sql: string) => `CREATE OR REPLACE MACRO ${sql}`;
  return [
    // stableOid() of src/catalog/oids.ts (FNV-1a), in SQL, so live objects get the same OIDs as the gateway computes
    m(`${S}.stable_oid(kind, a, b) AS 16384 + list_reduce(
        list_transform(str_split(kind || chr(0) || a || CASE WHEN b IS NULL THEN '' ELSE chr(0) || b END, ''), lambda ch: unicode(ch)::UBIGINT),
        lambda h, c: (xor(h, c) * 16777619) % 4294967296, 2166136261::UBIGINT)::BIGINT % 2147467263`),
    m(`${S}.__visible(s, t) AS EXISTS (SELECT 1 FROM temp.main.lakegate_visible __visible_v
        WHERE (__visible_v.schema_name = '*' OR __visible_v.schema_name = s) AND (t IS NULL OR __visible_v.table_name = '*' OR __visible_v.table_name = t))`),
    m(`${S}.__scalar_type_oid(dt) AS CASE
        WHEN dt = 'BOOLEAN' THEN 16
        WHEN dt IN ('TINYINT', 'SMALLINT', 'UTINYINT') THEN 21
        WHEN dt IN ('INTEGER', 'USMALLINT') THEN 23
        WHEN dt IN ('BIGINT', 'UINTEGER') THEN 20
        WHEN dt IN ('UBIGINT', 'HUGEINT', 'UHUGEINT', 'BIGNUM', 'VARINT') OR dt LIKE 'DECIMAL%' THEN 1700
        WHEN dt = 'FLOAT' THEN 700 WHEN dt = 'DOUBLE' THEN 701
        WHEN dt = 'BLOB' THEN 17 WHEN dt = 'DATE' THEN 1082
        WHEN dt IN ('TIME', 'TIME_NS') THEN 1083 WHEN dt = 'TIME WITH TIME ZONE' THEN 1266
        WHEN dt IN ('TIMESTAMP', 'TIMESTAMP_S', 'TIMESTAMP_MS', 'TIMESTAMP_NS') THEN 1114
        WHEN dt = 'TIMESTAMP WITH TIME ZONE' THEN 1184
        WHEN dt = 'INTERVAL' THEN 1186 WHEN dt = 'UUID' THEN 2950 WHEN dt = 'JSON' THEN 114 WHEN dt = 'BIT' THEN 1562
        WHEN dt LIKE 'STRUCT%' OR dt LIKE 'MAP%' OR dt LIKE 'UNION%' THEN 114
        ELSE 25 END`),
    m(`${S}.__type_oid(dt) AS CASE
        WHEN regexp_matches(dt, '\\[\\d*\\]$') THEN coalesce(
          (SELECT nullif(__type_oid_t.typarray, 0) FROM ${S}.__pg_type __type_oid_t WHERE __type_oid_t.oid = ${S}.__scalar_type_oid(regexp_replace(dt, '\\[\\d*\\]$', ''))), 114)
        ELSE ${S}.__scalar_type_oid(dt) END`),
    m(`${S}.__type_mod(dt) AS CASE WHEN dt LIKE 'DECIMAL(%'
        THEN (regexp_extract(dt, 'DECIMAL\\((\\d+),(\\d+)\\)', 1)::INTEGER << 16) + regexp_extract(dt, 'DECIMAL\\((\\d+),(\\d+)\\)', 2)::INTEGER + 4
        ELSE -1 END`),
  ];
}

export function baseViews(database: string): string[] {
  const db = sqlString(database);
  const helper = `${sqlString(SESSION_TABLE_PREFIX.replace(/_/g, '\\_'))} || '%'`;
  const tempOid = stableOid('schema', TEMP_SCHEMA);
  const v = (name: string, body: string) => `CREATE OR REPLACE VIEW ${S}.${name} AS ${body}`;
  return [
    v(
      '__namespaces',
      `SELECT ${PG_CATALOG_OID}::BIGINT AS oid, 'pg_catalog' AS nspname, 'System catalog schema' AS comment
       UNION ALL SELECT ${PG_DATA.informationSchemaOid}, 'information_schema', NULL
       UNION ALL SELECT s.oid, s.name, s.comment FROM ${S}.__catalog_schemas s WHERE ${S}.__visible(s.name, NULL)
       UNION ALL SELECT ${tempOid}, '${TEMP_SCHEMA}', NULL
         WHERE EXISTS (SELECT 1 FROM duckdb_tables() t WHERE t.database_name = 'temp' AND t.table_name NOT LIKE ${helper} ESCAPE '\\')
            OR EXISTS (SELECT 1 FROM duckdb_views() t WHERE t.database_name = 'temp' AND NOT t.internal)`,
    ),
    v(
      '__relations',
      `WITH duck AS (
         SELECT t.database_name, t.schema_name, t.table_name AS relname, 'r' AS relkind, t.comment, t.column_count::SMALLINT AS ncols, t.has_primary_key
         FROM duckdb_tables() t
         WHERE (t.database_name = 'temp' OR (t.database_name = ${db} AND t.schema_name IN (SELECT name FROM ${S}.__catalog_schemas)))
           AND t.table_name NOT LIKE ${helper} ESCAPE '\\'
         UNION ALL
         SELECT w.database_name, w.schema_name, w.view_name, 'v', w.comment, w.column_count::SMALLINT, false
         FROM duckdb_views() w
         WHERE (w.database_name = 'temp' OR (w.database_name = ${db} AND w.schema_name IN (SELECT name FROM ${S}.__catalog_schemas))) AND NOT w.internal
       )
       SELECT ${S}.stable_oid(CASE k.relkind WHEN 'r' THEN 'table' ELSE 'view' END, s.name, k.relname) AS oid, k.relname, s.oid AS nspoid, s.name AS nspname,
              k.relkind, 'p' AS relpersistence, k.comment, k.ncols, k.database_name, k.schema_name AS duck_schema, k.has_primary_key
       FROM (SELECT d.* REPLACE (CASE WHEN o.kind IS NOT NULL AND o.kind <> 'view' THEN 'r' ELSE d.relkind END AS relkind, coalesce(nullif(d.comment, ''), o.comment) AS comment)
             FROM duck d LEFT JOIN ${S}.__catalog_objects o ON o.schema_name = d.schema_name AND o.name = d.relname) k
       JOIN ${S}.__catalog_schemas s ON k.database_name = ${db} AND s.name = k.schema_name
       WHERE ${S}.__visible(k.schema_name, k.relname)
       UNION ALL
       SELECT ${S}.stable_oid(CASE d.relkind WHEN 'r' THEN 'table' ELSE 'view' END, '${TEMP_SCHEMA}', d.relname), d.relname, ${tempOid}, '${TEMP_SCHEMA}',
              d.relkind, 't', d.comment, d.ncols, d.database_name, d.schema_name, d.has_primary_key
       FROM duck d WHERE d.database_name = 'temp'
       UNION ALL
       SELECT r.oid, r.relname, r.nspoid, r.nspname, r.relkind, 'p', NULL, r.ncols, NULL, NULL, false FROM ${S}.__static_relations r`,
    ),
    v(
      '__columns',
      `SELECT r.oid AS attrelid, c.column_name AS attname, c.column_index::SMALLINT AS attnum, ${S}.__type_oid(c.data_type) AS atttypid,
              ${S}.__type_mod(c.data_type) AS atttypmod, NOT c.is_nullable AS attnotnull, c.column_default, c.comment
       FROM duckdb_columns() c JOIN ${S}.__relations r
         ON r.database_name = c.database_name AND r.duck_schema = c.schema_name AND r.relname = c.table_name
       WHERE c.database_name = 'temp' OR (c.database_name = ${db} AND c.schema_name IN (SELECT name FROM ${S}.__catalog_schemas))
       UNION ALL
       SELECT s.attrelid, s.attname, s.attnum, s.atttypid, -1, false, NULL, NULL FROM ${S}.__static_columns s`,
    ),
    v(
      '__descriptions',
      `SELECT r.oid AS objoid, 1259::BIGINT AS classoid, 0 AS objsubid, r.comment AS description FROM ${S}.__relations r WHERE coalesce(r.comment, '') <> ''
       UNION ALL SELECT c.attrelid, 1259, c.attnum, c.comment FROM ${S}.__columns c WHERE coalesce(c.comment, '') <> ''
       UNION ALL SELECT n.oid, 2615, 0, n.comment FROM ${S}.__namespaces n WHERE coalesce(n.comment, '') <> ''`,
    ),
    v(
      '__constraints',
      `SELECT ${S}.stable_oid('constraint', r.nspname, k.constraint_name) AS oid, k.constraint_name AS conname, r.nspoid AS connamespace,
              CASE k.constraint_type WHEN 'PRIMARY KEY' THEN 'p' WHEN 'UNIQUE' THEN 'u' WHEN 'FOREIGN KEY' THEN 'f' ELSE 'c' END AS contype,
              r.oid AS conrelid, r.relname, r.nspname,
              CASE WHEN k.constraint_type IN ('PRIMARY KEY', 'UNIQUE') THEN ${S}.stable_oid('index', r.nspname, k.constraint_name) ELSE 0 END AS conindid,
              coalesce(f.oid, 0) AS confrelid,
              list_transform(k.constraint_column_indexes, lambda i: (i + 1)::SMALLINT) AS conkey,
              k.constraint_column_names AS colnames,
              CASE WHEN f.oid IS NULL THEN NULL ELSE list_transform(k.referenced_column_names,
                lambda n: (list_position(fc.names, n))::SMALLINT) END AS confkey,
              f.relname AS frelname, f.nspname AS fnspname, k.referenced_column_names AS fcolnames,
              CASE k.constraint_type WHEN 'CHECK' THEN 'CHECK ' || coalesce(k.expression, '') ELSE k.constraint_text END AS condef,
              k.expression
       FROM duckdb_constraints() k
       JOIN ${S}.__relations r ON r.database_name = k.database_name AND r.duck_schema = k.schema_name AND r.relname = k.table_name
       LEFT JOIN ${S}.__relations f ON k.constraint_type = 'FOREIGN KEY' AND f.database_name = k.database_name AND f.duck_schema = k.schema_name AND f.relname = k.referenced_table
       LEFT JOIN (SELECT database_name, schema_name, table_name, list(column_name ORDER BY column_index) AS names FROM duckdb_columns()
                  WHERE database_name = 'temp' OR (database_name = ${db} AND schema_name IN (SELECT name FROM ${S}.__catalog_schemas)) GROUP BY ALL) fc
         ON fc.database_name = k.database_name AND fc.schema_name = k.schema_name AND fc.table_name = k.referenced_table
       WHERE k.constraint_type IN ('PRIMARY KEY', 'UNIQUE', 'FOREIGN KEY', 'CHECK')`,
    ),
    v(
      '__indexes',
      `SELECT c.conindid AS indexrelid, c.conrelid AS indrelid, c.conname AS indexname, c.connamespace AS nspoid, c.nspname, c.relname,
              c.contype = 'p' AS indisprimary, c.conkey AS indkey, c.colnames,
              'CREATE UNIQUE INDEX ' || ${S}.quote_ident(c.conname) || ' ON ' || ${S}.quote_ident(c.nspname) || '.' || ${S}.quote_ident(c.relname)
                || ' USING btree (' || array_to_string(list_transform(c.colnames, lambda n: ${S}.quote_ident(n)), ', ') || ')' AS indexdef
       FROM ${S}.__constraints c WHERE c.contype IN ('p', 'u')`,
    ),
    v(
      '__index_relations',
      `SELECT ${S}.stable_oid('index', r.nspname, k.constraint_name) AS oid, k.constraint_name AS relname, r.nspoid, r.nspname,
              len(k.constraint_column_indexes)::SMALLINT AS ncols
       FROM duckdb_constraints() k
       JOIN ${S}.__relations r ON r.database_name = k.database_name AND r.duck_schema = k.schema_name AND r.relname = k.table_name
       WHERE k.constraint_type IN ('PRIMARY KEY', 'UNIQUE')`,
    ),
    v('__roles', `SELECT oid, rolname FROM ${S}.__role_list`),
  ];
}

/** quote_ident is needed by __indexes; it is created with the base macros. */
export function baseQuoteIdent(reserved: string): string {
  return `CREATE OR REPLACE MACRO ${S}.quote_ident(x) AS CASE WHEN x IS NULL THEN NULL
    WHEN regexp_full_match(x, '[a-z_][a-z0-9_$]*') AND NOT list_contains(${reserved}, x) THEN x
    ELSE '"' || replace(x, '"', '""') || '"' END`;
}

export { OWNER_OID, IS };
