// Dumps the PostgreSQL 15 catalog facts lakegate's pg_catalog emulation is
// built from: the column lists and types of the emulated relations, and the
// rows of the static catalogs (types, access methods, collations, ...).
// Usage: node scripts/dump-pg-catalog.mjs [postgresql-url] > src/pgcatalog/data/pg-catalog.json
import pg from 'pg';

const PG_CATALOG = [
  'pg_aggregate', 'pg_am', 'pg_attrdef', 'pg_attribute', 'pg_auth_members', 'pg_authid', 'pg_available_extensions', 'pg_cast', 'pg_class',
  'pg_collation', 'pg_constraint', 'pg_conversion', 'pg_database', 'pg_default_acl', 'pg_depend', 'pg_description', 'pg_enum',
  'pg_event_trigger', 'pg_extension', 'pg_foreign_data_wrapper', 'pg_foreign_server', 'pg_foreign_table', 'pg_index', 'pg_indexes',
  'pg_inherits', 'pg_init_privs', 'pg_language', 'pg_locks', 'pg_matviews', 'pg_namespace', 'pg_opclass', 'pg_operator', 'pg_opfamily',
  'pg_partitioned_table', 'pg_policy', 'pg_prepared_statements', 'pg_proc', 'pg_publication', 'pg_publication_namespace',
  'pg_publication_rel', 'pg_range', 'pg_rewrite', 'pg_roles', 'pg_sequence', 'pg_sequences', 'pg_settings', 'pg_shdescription',
  'pg_stat_activity', 'pg_stat_user_tables', 'pg_statio_user_tables', 'pg_stat_database', 'pg_statistic_ext', 'pg_subscription',
  'pg_tables', 'pg_tablespace', 'pg_timezone_names', 'pg_trigger', 'pg_ts_config', 'pg_type', 'pg_user', 'pg_user_mappings', 'pg_views',
  'pg_shadow', 'pg_stats', 'pg_stat_all_tables', 'pg_largeobject_metadata', 'pg_transform', 'pg_seclabel', 'pg_extension_config_dump',
];
const INFORMATION_SCHEMA = [
  'schemata', 'tables', 'columns', 'views', 'table_constraints', 'key_column_usage', 'referential_constraints',
  'constraint_column_usage', 'constraint_table_usage', 'check_constraints', 'routines', 'parameters', 'sequences', 'triggers',
  'table_privileges', 'column_privileges', 'role_table_grants', 'enabled_roles', 'applicable_roles', 'character_sets', 'collations',
  'domains', 'element_types', 'attributes', 'user_defined_types', 'information_schema_catalog_name', 'routine_privileges',
  'usage_privileges', 'view_table_usage', 'view_column_usage', 'column_udt_usage', 'data_type_privileges',
];
const STATIC = {
  pg_type: 'typnamespace = 11',
  pg_am: 'true',
  pg_collation: "collname IN ('default', 'C', 'POSIX', 'ucs_basic')",
  pg_range: 'true',
  pg_language: 'true',
  pg_tablespace: 'true',
  pg_cast: 'true',
  pg_extension: "extname = 'plpgsql'",
};

const client = new pg.Client(process.argv[2] ?? 'postgresql://postgres@127.0.0.1:5432/postgres');
await client.connect();
const { rows: colRows } = await client.query(
  `SELECT n.nspname, c.relname, c.oid::int8 AS oid, c.relkind, a.attname,
          CASE WHEN t.typtype = 'd' THEN bt.typname ELSE t.typname END AS typname
   FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
   JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
   JOIN pg_type t ON t.oid = a.atttypid LEFT JOIN pg_type bt ON bt.oid = t.typbasetype
   WHERE (n.nspname = 'pg_catalog' AND c.relname = ANY($1)) OR (n.nspname = 'information_schema' AND c.relname = ANY($2))
   ORDER BY n.nspname, c.relname, a.attnum`,
  [PG_CATALOG, INFORMATION_SCHEMA],
);
const relations = {};
for (const r of colRows) {
  const key = `${r.nspname}.${r.relname}`;
  relations[key] ??= { oid: Number(r.oid), relkind: r.relkind, columns: [] };
  relations[key].columns.push([r.attname, r.typname]);
}
for (const n of [...PG_CATALOG.map((x) => `pg_catalog.${x}`), ...INFORMATION_SCHEMA.map((x) => `information_schema.${x}`)]) {
  if (!relations[n]) console.error(`missing: ${n}`);
}
const { rows: nsp } = await client.query(`SELECT oid::int8 AS oid FROM pg_namespace WHERE nspname = 'information_schema'`);

/** Row values in a form the installer can load: oids as numbers, vectors and arrays as JSON arrays. */
async function rowsOf(table, where) {
  const cols = relations[`pg_catalog.${table}`].columns;
  const exprs = cols.map(([name, type]) => {
    const c = `"${name}"`;
    if (['regproc', 'regclass', 'regtype', 'oid', 'xid'].includes(type)) return `${c}::oid::int8 AS ${c}`;
    if (type === 'oidvector' || type === 'int2vector') return `string_to_array(${c}::text, ' ')::int8[] AS ${c}`;
    if (type.startsWith('_')) return `${c}::text[] AS ${c}`;
    if (type === 'pg_node_tree') return `${c}::text AS ${c}`;
    return c;
  });
  const { rows } = await client.query(`SELECT ${exprs.join(', ')} FROM pg_catalog.${table} WHERE ${where} ORDER BY 1`);
  return rows.map((r) => cols.map(([name]) => r[name]));
}
const staticRows = {};
for (const [t, where] of Object.entries(STATIC)) staticRows[t] = await rowsOf(t, where);
// the functions pg_type refers to (typinput, typreceive, ...): clients join pg_type with pg_proc on them
staticRows.pg_proc = await rowsOf(
  'pg_proc',
  `oid IN (SELECT unnest(ARRAY[typinput, typoutput, typreceive, typsend, typmodin, typmodout, typanalyze]::oid[]) FROM pg_type WHERE typnamespace = 11)`,
);
const { rows: keywords } = await client.query('SELECT word, catcode, barelabel, catdesc, baredesc FROM pg_get_keywords() ORDER BY word');
await client.end();
process.stdout.write(JSON.stringify({ source: 'PostgreSQL 15 (scripts/dump-pg-catalog.mjs)', informationSchemaOid: Number(nsp[0].oid), relations, rows: staticRows, keywords: keywords.map((k) => [k.word, k.catcode, k.barelabel, k.catdesc, k.baredesc]) }) + '\n');
