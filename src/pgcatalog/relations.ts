import { INFORMATION_SCHEMA_RELATIONS, PG_CATALOG_RELATIONS, type RelationSpec } from './catalog-data.js';
import { IS, OWNER_OID, S, sqlIdent } from './names.js';
import { catalogType } from './types.js';

/** Where an emulated relation's rows come from: a FROM clause and the expression of each column it fills. */
interface Source {
  from: string;
  cols: Record<string, string>;
}

/** Relations whose rows are the PostgreSQL 15 rows dumped into a static table (`__<name>`). */
export const STATIC_TABLES = ['pg_type', 'pg_proc', 'pg_am', 'pg_collation', 'pg_range', 'pg_language', 'pg_tablespace', 'pg_cast', 'pg_extension'];

const owner = `(SELECT rolname FROM ${S}.__roles WHERE oid = ${OWNER_OID})`;
const db = `${S}.__server('database')`;
const user = `${S}.__setting('lakegate.user')`;

const REL_KINDS = `(SELECT oid, relname, nspoid, nspname, relkind, relpersistence, ncols, has_primary_key FROM ${S}.__relations
  UNION ALL SELECT oid, relname, nspoid, nspname, 'i', 'p', ncols, false FROM ${S}.__index_relations)`;

const PG_CATALOG: Record<string, Source> = {
  pg_namespace: { from: `${S}.__namespaces n`, cols: { oid: 'n.oid', nspname: 'n.nspname', nspowner: String(OWNER_OID) } },
  pg_class: {
    from: `${REL_KINDS} r`,
    cols: {
      oid: 'r.oid',
      relname: 'r.relname',
      relnamespace: 'r.nspoid',
      relowner: String(OWNER_OID),
      relam: `CASE r.relkind WHEN 'r' THEN 2 WHEN 'i' THEN 403 ELSE 0 END`,
      reltuples: '-1',
      relhasindex: 'r.has_primary_key',
      relpersistence: 'r.relpersistence',
      relkind: 'r.relkind',
      relnatts: 'r.ncols',
      relhasrules: `r.relkind = 'v'`,
      relispopulated: 'true',
      relreplident: `CASE r.relkind WHEN 'r' THEN 'd' ELSE 'n' END`,
    },
  },
  pg_attribute: {
    from: `${S}.__columns a LEFT JOIN ${S}.__pg_type t ON t.oid = a.atttypid`,
    cols: {
      attrelid: 'a.attrelid',
      attname: 'a.attname',
      atttypid: 'a.atttypid',
      attstattarget: '-1',
      attlen: 't.typlen',
      attnum: 'a.attnum',
      attndims: `CASE WHEN t.typcategory = 'A' THEN 1 ELSE 0 END`,
      attcacheoff: '-1',
      atttypmod: 'a.atttypmod',
      attbyval: 't.typbyval',
      attalign: 't.typalign',
      attstorage: 't.typstorage',
      attcompression: "''",
      attnotnull: 'a.attnotnull',
      atthasdef: 'a.column_default IS NOT NULL',
      attidentity: "''",
      attgenerated: "''",
      attislocal: 'true',
      attcollation: 't.typcollation',
    },
  },
  pg_attrdef: {
    from: `${S}.__columns a WHERE a.column_default IS NOT NULL`,
    cols: { oid: `${S}.stable_oid('constraint', a.attrelid::VARCHAR, a.attname)`, adrelid: 'a.attrelid', adnum: 'a.attnum', adbin: 'a.column_default' },
  },
  pg_description: {
    from: `${S}.__descriptions d`,
    cols: { objoid: 'd.objoid', classoid: 'd.classoid', objsubid: 'd.objsubid', description: 'd.description' },
  },
  pg_database: {
    from: `(SELECT 1) x`,
    cols: {
      oid: `${S}.__server('database_oid')::BIGINT`,
      datname: db,
      datdba: String(OWNER_OID),
      encoding: '6',
      datlocprovider: "'c'",
      datallowconn: 'true',
      datconnlimit: '-1',
      datminmxid: '1',
      dattablespace: '1663',
      datcollate: "'C.UTF-8'",
      datctype: "'C.UTF-8'",
    },
  },
  pg_roles: {
    from: `${S}.__roles r`,
    cols: { rolname: 'r.rolname', rolinherit: 'true', rolcanlogin: 'true', rolconnlimit: '-1', rolpassword: "'********'", oid: 'r.oid' },
  },
  pg_authid: {
    from: `${S}.__roles r`,
    cols: { oid: 'r.oid', rolname: 'r.rolname', rolinherit: 'true', rolcanlogin: 'true', rolconnlimit: '-1' },
  },
  pg_user: {
    from: `${S}.__roles r`,
    cols: { usename: 'r.rolname', usesysid: 'r.oid', passwd: "'********'" },
  },
  pg_shadow: {
    from: `${S}.__roles r`,
    cols: { usename: 'r.rolname', usesysid: 'r.oid' },
  },
  pg_settings: {
    from: `${S}.__settings d`,
    cols: {
      name: 'd.name',
      setting: `coalesce(${S}.__setting_base(d.name), d.boot_val)`,
      unit: 'd.unit',
      category: 'd.category',
      short_desc: 'd.short_desc',
      context: 'd.context',
      vartype: 'd.vartype',
      source: `CASE WHEN ${S}.__setting(d.name) IS NULL THEN 'default' ELSE 'session' END`,
      min_val: 'd.min_val',
      max_val: 'd.max_val',
      enumvals: 'd.enumvals',
      boot_val: 'd.boot_val',
      reset_val: `coalesce(${S}.__setting_base(d.name), d.boot_val)`,
    },
  },
  pg_index: {
    from: `${S}.__indexes i`,
    cols: {
      indexrelid: 'i.indexrelid',
      indrelid: 'i.indrelid',
      indnatts: 'len(i.indkey)',
      indnkeyatts: 'len(i.indkey)',
      indisunique: 'true',
      indisprimary: 'i.indisprimary',
      indimmediate: 'true',
      indisvalid: 'true',
      indisready: 'true',
      indislive: 'true',
      indkey: 'i.indkey',
      indcollation: 'list_transform(i.indkey, lambda x: 0)',
      indclass: 'list_transform(i.indkey, lambda x: 0)',
      indoption: 'list_transform(i.indkey, lambda x: 0)',
    },
  },
  pg_constraint: {
    from: `${S}.__constraints c`,
    cols: {
      oid: 'c.oid',
      conname: 'c.conname',
      connamespace: 'c.connamespace',
      contype: 'c.contype',
      convalidated: 'true',
      conrelid: 'c.conrelid',
      conindid: 'c.conindid',
      confrelid: 'c.confrelid',
      confupdtype: `CASE c.contype WHEN 'f' THEN 'a' ELSE ' ' END`,
      confdeltype: `CASE c.contype WHEN 'f' THEN 'a' ELSE ' ' END`,
      confmatchtype: `CASE c.contype WHEN 'f' THEN 's' ELSE ' ' END`,
      conislocal: 'true',
      connoinherit: 'true',
      conkey: 'c.conkey',
      confkey: 'c.confkey',
      conbin: 'c.expression',
    },
  },
  pg_tables: {
    from: `${S}.__relations r WHERE r.relkind = 'r'`,
    cols: { schemaname: 'r.nspname', tablename: 'r.relname', tableowner: owner, hasindexes: 'r.has_primary_key' },
  },
  pg_views: {
    from: `${S}.__relations r WHERE r.relkind = 'v'`,
    cols: { schemaname: 'r.nspname', viewname: 'r.relname', viewowner: owner, definition: `${S}.pg_get_viewdef(r.oid)` },
  },
  pg_indexes: {
    from: `${S}.__indexes i`,
    cols: { schemaname: 'i.nspname', tablename: 'i.relname', indexname: 'i.indexname', indexdef: 'i.indexdef' },
  },
  pg_stat_activity: {
    from: `(SELECT 1) x`,
    cols: {
      datid: `${S}.__server('database_oid')::BIGINT`,
      datname: db,
      pid: `${S}.__setting('lakegate.backend_pid')::INTEGER`,
      usesysid: `(SELECT oid FROM ${S}.__roles WHERE rolname = ${user})`,
      usename: user,
      application_name: `coalesce(${S}.__setting('application_name'), '')`,
      client_addr: `${S}.__setting('lakegate.client_addr')`,
      backend_start: `${S}.__setting('lakegate.backend_start')::TIMESTAMPTZ`,
      state: "'active'",
      backend_type: "'client backend'",
    },
  },
  pg_stat_database: {
    from: `(SELECT 1) x`,
    cols: { datid: `${S}.__server('database_oid')::BIGINT`, datname: db, numbackends: '1' },
  },
  pg_stat_user_tables: {
    from: `${S}.__relations r WHERE r.relkind = 'r' AND r.nspname NOT IN ('pg_catalog', 'information_schema')`,
    cols: { relid: 'r.oid', schemaname: 'r.nspname', relname: 'r.relname' },
  },
  pg_stat_all_tables: {
    from: `${S}.__relations r WHERE r.relkind = 'r'`,
    cols: { relid: 'r.oid', schemaname: 'r.nspname', relname: 'r.relname' },
  },
  pg_statio_user_tables: {
    from: `${S}.__relations r WHERE r.relkind = 'r' AND r.nspname NOT IN ('pg_catalog', 'information_schema')`,
    cols: { relid: 'r.oid', schemaname: 'r.nspname', relname: 'r.relname' },
  },
  pg_timezone_names: {
    from: `pg_timezone_names() z`,
    cols: { name: 'z.name', abbrev: 'z.abbrev', utc_offset: 'z.utc_offset', is_dst: 'z.is_dst' },
  },
  pg_available_extensions: {
    from: `${S}.__pg_extension e`,
    cols: { name: 'e.extname', default_version: 'e.extversion', installed_version: 'e.extversion', comment: "'PL/pgSQL procedural language'" },
  },
};

for (const t of STATIC_TABLES) {
  const spec = PG_CATALOG_RELATIONS.get(t)!;
  PG_CATALOG[t] = { from: `${S}.__${t} s`, cols: Object.fromEntries(spec.columns.map(([c]) => [c, `s.${sqlIdent(c)}`])) };
}

const relTables = `${S}.__relations r WHERE r.relkind IN ('r', 'v')`;
const INFORMATION_SCHEMA: Record<string, Source> = {
  information_schema_catalog_name: { from: '(SELECT 1) x', cols: { catalog_name: db } },
  schemata: {
    from: `${S}.__namespaces n`,
    cols: { catalog_name: db, schema_name: 'n.nspname', schema_owner: owner },
  },
  tables: {
    from: relTables,
    cols: {
      table_catalog: db,
      table_schema: 'r.nspname',
      table_name: 'r.relname',
      table_type: `CASE WHEN r.relpersistence = 't' THEN 'LOCAL TEMPORARY' WHEN r.relkind = 'v' THEN 'VIEW' ELSE 'BASE TABLE' END`,
      is_insertable_into: `CASE WHEN r.relkind = 'r' AND r.relpersistence = 't' THEN 'YES' ELSE 'NO' END`,
      is_typed: "'NO'",
    },
  },
  columns: {
    from: `${S}.__columns a JOIN ${S}.__relations r ON r.oid = a.attrelid LEFT JOIN ${S}.__pg_type t ON t.oid = a.atttypid
           LEFT JOIN ${S}.__pg_type e ON e.oid = t.typelem AND t.typcategory = 'A'`,
    cols: {
      table_catalog: db,
      table_schema: 'r.nspname',
      table_name: 'r.relname',
      column_name: 'a.attname',
      ordinal_position: 'a.attnum',
      column_default: 'a.column_default',
      is_nullable: `CASE WHEN a.attnotnull THEN 'NO' ELSE 'YES' END`,
      data_type: `CASE WHEN t.typcategory = 'A' THEN 'ARRAY' WHEN t.oid IN (16, 17, 20, 21, 23, 25, 114, 700, 701, 1043, 1082, 1700, 1186, 2950, 3802, 18, 19, 26)
                   THEN ${S}.format_type(t.oid, NULL) WHEN t.oid = 1083 THEN 'time without time zone' WHEN t.oid = 1114 THEN 'timestamp without time zone'
                   WHEN t.oid = 1184 THEN 'timestamp with time zone' WHEN t.oid = 1266 THEN 'time with time zone' WHEN t.oid = 1562 THEN 'bit varying'
                   ELSE 'USER-DEFINED' END`,
      numeric_precision: `CASE t.oid WHEN 21 THEN 16 WHEN 23 THEN 32 WHEN 20 THEN 64 WHEN 700 THEN 24 WHEN 701 THEN 53
                           WHEN 1700 THEN CASE WHEN a.atttypmod >= 4 THEN (a.atttypmod - 4) >> 16 END END`,
      numeric_precision_radix: `CASE WHEN t.oid IN (21, 23, 20, 700, 701) THEN 2 WHEN t.oid = 1700 THEN 10 END`,
      numeric_scale: `CASE WHEN t.oid IN (21, 23, 20) THEN 0 WHEN t.oid = 1700 AND a.atttypmod >= 4 THEN (a.atttypmod - 4) & 65535 END`,
      datetime_precision: `CASE WHEN t.oid IN (1082) THEN 0 WHEN t.oid IN (1083, 1114, 1184, 1266, 1186) THEN 6 END`,
      udt_catalog: db,
      udt_schema: "'pg_catalog'",
      udt_name: 't.typname',
      dtd_identifier: 'a.attnum::VARCHAR',
      is_self_referencing: "'NO'",
      is_identity: "'NO'",
      identity_cycle: "'NO'",
      is_generated: "'NEVER'",
      is_updatable: `CASE WHEN r.relkind = 'r' AND r.relpersistence = 't' THEN 'YES' ELSE 'NO' END`,
    },
  },
  views: {
    from: `${S}.__relations r WHERE r.relkind = 'v'`,
    cols: {
      table_catalog: db,
      table_schema: 'r.nspname',
      table_name: 'r.relname',
      view_definition: `${S}.pg_get_viewdef(r.oid)`,
      check_option: "'NONE'",
      is_updatable: "'NO'",
      is_insertable_into: "'NO'",
      is_trigger_updatable: "'NO'",
      is_trigger_deletable: "'NO'",
      is_trigger_insertable_into: "'NO'",
    },
  },
  table_constraints: {
    from: `${S}.__constraints c`,
    cols: {
      constraint_catalog: db,
      constraint_schema: 'c.nspname',
      constraint_name: 'c.conname',
      table_catalog: db,
      table_schema: 'c.nspname',
      table_name: 'c.relname',
      constraint_type: `CASE c.contype WHEN 'p' THEN 'PRIMARY KEY' WHEN 'u' THEN 'UNIQUE' WHEN 'f' THEN 'FOREIGN KEY' ELSE 'CHECK' END`,
      is_deferrable: "'NO'",
      initially_deferred: "'NO'",
      enforced: "'YES'",
      nulls_distinct: `CASE WHEN c.contype IN ('p', 'u') THEN 'YES' END`,
    },
  },
  key_column_usage: {
    from: `(SELECT c.*, unnest(c.colnames) AS colname, unnest(range(1, len(c.colnames) + 1)) AS pos FROM ${S}.__constraints c WHERE c.contype IN ('p', 'u', 'f')) k`,
    cols: {
      constraint_catalog: db,
      constraint_schema: 'k.nspname',
      constraint_name: 'k.conname',
      table_catalog: db,
      table_schema: 'k.nspname',
      table_name: 'k.relname',
      column_name: 'k.colname',
      ordinal_position: 'k.pos',
      position_in_unique_constraint: `CASE WHEN k.contype = 'f' THEN k.pos END`,
    },
  },
  constraint_column_usage: {
    from: `(SELECT c.*, unnest(CASE WHEN c.contype = 'f' THEN c.fcolnames ELSE c.colnames END) AS colname FROM ${S}.__constraints c) k`,
    cols: {
      table_catalog: db,
      table_schema: `coalesce(k.fnspname, k.nspname)`,
      table_name: `coalesce(k.frelname, k.relname)`,
      column_name: 'k.colname',
      constraint_catalog: db,
      constraint_schema: 'k.nspname',
      constraint_name: 'k.conname',
    },
  },
  constraint_table_usage: {
    from: `${S}.__constraints k`,
    cols: {
      table_catalog: db,
      table_schema: `coalesce(k.fnspname, k.nspname)`,
      table_name: `coalesce(k.frelname, k.relname)`,
      constraint_catalog: db,
      constraint_schema: 'k.nspname',
      constraint_name: 'k.conname',
    },
  },
  referential_constraints: {
    from: `${S}.__constraints c LEFT JOIN ${S}.__constraints u ON u.conrelid = c.confrelid AND u.contype IN ('p', 'u') WHERE c.contype = 'f'`,
    cols: {
      constraint_catalog: db,
      constraint_schema: 'c.nspname',
      constraint_name: 'c.conname',
      unique_constraint_catalog: db,
      unique_constraint_schema: 'u.nspname',
      unique_constraint_name: 'u.conname',
      match_option: "'NONE'",
      update_rule: "'NO ACTION'",
      delete_rule: "'NO ACTION'",
    },
  },
  check_constraints: {
    from: `${S}.__constraints c WHERE c.contype = 'c'`,
    cols: { constraint_catalog: db, constraint_schema: 'c.nspname', constraint_name: 'c.conname', check_clause: 'c.expression' },
  },
  table_privileges: {
    from: relTables,
    cols: {
      grantor: owner,
      grantee: user,
      table_catalog: db,
      table_schema: 'r.nspname',
      table_name: 'r.relname',
      privilege_type: "'SELECT'",
      is_grantable: "'NO'",
      with_hierarchy: "'NO'",
    },
  },
  role_table_grants: {
    from: relTables,
    cols: {
      grantor: owner,
      grantee: user,
      table_catalog: db,
      table_schema: 'r.nspname',
      table_name: 'r.relname',
      privilege_type: "'SELECT'",
      is_grantable: "'NO'",
      with_hierarchy: "'NO'",
    },
  },
  enabled_roles: { from: '(SELECT 1) x', cols: { role_name: user } },
  character_sets: {
    from: '(SELECT 1) x',
    cols: { character_set_name: "'UTF8'", character_repertoire: "'UCS'", form_of_use: "'UTF8'", default_collate_catalog: db, default_collate_schema: "'pg_catalog'", default_collate_name: "'C.UTF-8'" },
  },
};

/** Default for a column the source does not fill: PostgreSQL's "nothing here" value for its type. */
function defaultFor(pgType: string): string {
  switch (pgType) {
    case 'bool':
      return 'false';
    case 'int2':
    case 'int4':
    case 'int8':
    case 'oid':
    case 'regproc':
    case 'regtype':
    case 'xid':
    case 'float4':
      return '0';
    default:
      return 'NULL';
  }
}

function viewSql(schema: string, name: string, spec: RelationSpec, source: Source | undefined): string {
  const cols = spec.columns.map(([col, pgType]) => {
    const expr = source?.cols[col] ?? defaultFor(pgType);
    return `CAST(${expr} AS ${catalogType(pgType).duck}) AS ${sqlIdent(col)}`;
  });
  const from = source ? source.from : '(SELECT 1) empty WHERE false';
  return `CREATE OR REPLACE VIEW ${schema}.${sqlIdent(name)} AS SELECT ${cols.join(', ')} FROM ${from}`;
}

/** CREATE VIEW statements for every emulated pg_catalog and information_schema relation. */
export function relationViews(): string[] {
  const out: string[] = [];
  for (const [name, spec] of PG_CATALOG_RELATIONS) out.push(viewSql(S, name, spec, PG_CATALOG[name]));
  for (const [name, spec] of INFORMATION_SCHEMA_RELATIONS) out.push(viewSql(IS, name, spec, INFORMATION_SCHEMA[name]));
  return out;
}
