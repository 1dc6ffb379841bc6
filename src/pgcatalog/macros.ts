import { RESERVED_KEYWORDS } from './catalog-data.js';
import { IS, S, sqlString } from './names.js';

/**
 * The PostgreSQL functions clients call on catalogs, as DuckDB SQL macros in
 * the emulation schema (they run inside DuckDB, never on the Node main
 * thread). Session-dependent values come from the per-connection TEMP table
 * `lakegate_session` (see session-state.ts).
 */
export function functionMacros(): string[] {
  const reserved = `[${RESERVED_KEYWORDS.map(sqlString).join(', ')}]`;
  const m = (sql: string) => `CREATE OR REPLACE MACRO ${sql}`;
  return [
    // --- session values and settings -------------------------------------------------------------
    m(`${S}.__setting_base(n) AS (SELECT __setting_base_s.base FROM temp.main.lakegate_session __setting_base_s WHERE __setting_base_s.name = lower(n))`),
    m(`${S}.__setting(n) AS (SELECT __setting_s.setting FROM temp.main.lakegate_session __setting_s WHERE __setting_s.name = lower(n))`),
    m(`${S}.__server(n) AS (SELECT __server_v.value FROM ${S}.__server_values __server_v WHERE __server_v.name = n)`),
    m(`${S}.__setting_value(n) AS coalesce(${S}.__setting(n), (SELECT __setting_value_d.display_val FROM ${S}.__settings __setting_value_d WHERE __setting_value_d.lname = lower(n)))`),
    m(`${S}.current_setting(n) AS CASE
        WHEN ${S}.__setting_value(n) IS NULL AND NOT (lower(n) LIKE '%.%') THEN error('unrecognized configuration parameter "' || n || '"')
        ELSE ${S}.__setting_value(n) END`),
    m(`${S}.current_setting(n, missing_ok) AS CASE
        WHEN ${S}.__setting_value(n) IS NULL AND NOT missing_ok AND NOT (lower(n) LIKE '%.%') THEN error('unrecognized configuration parameter "' || n || '"')
        ELSE ${S}.__setting_value(n) END`),
    // set_config inside a larger query: the value is returned (a standalone SELECT set_config(...) is applied by the gateway)
    m(`${S}.set_config(n, v, is_local) AS v::VARCHAR`),
    m(`${S}."current_user"() AS ${S}.__setting('lakegate.user')`),
    m(`${S}."session_user"() AS ${S}.__setting('lakegate.user')`),
    m(`${S}."user"() AS ${S}.__setting('lakegate.user')`),
    m(`${S}.current_role() AS ${S}.__setting('lakegate.user')`),
    m(`${S}.current_database() AS ${S}.__server('database')`),
    m(`${S}.current_catalog() AS ${S}.__server('database')`),
    m(`${S}.version() AS 'PostgreSQL ' || ${S}.current_setting('server_version') || ' on x86_64-pc-linux-gnu, compiled by lakegate (DuckDB ' || (SELECT library_version FROM pragma_version()) || '), 64-bit'`),
    m(`${S}.pg_backend_pid() AS ${S}.__setting('lakegate.backend_pid')::INTEGER`),
    m(`${S}.pg_postmaster_start_time() AS ${S}.__server('postmaster_start')::TIMESTAMPTZ`),
    m(`${S}.pg_conf_load_time() AS ${S}.__server('postmaster_start')::TIMESTAMPTZ`),
    m(`${S}.txid_current() AS nextval('${S}.__xid')`),
    m(`${S}.pg_current_xact_id() AS nextval('${S}.__xid')`),
    m(`${S}.txid_current_if_assigned() AS NULL::BIGINT`),
    m(`${S}.pg_is_in_recovery() AS false`),
    m(`${S}.pg_sleep(seconds) AS sleep_ms(CAST(seconds * 1000 AS BIGINT))`),
    m(`${S}.inet_server_addr() AS NULL::VARCHAR`),
    m(`${S}.inet_server_port() AS NULL::INTEGER`),
    m(`${S}.inet_client_addr() AS ${S}.__setting('lakegate.client_addr')`),
    m(`${S}.inet_client_port() AS NULL::INTEGER`),
    m(`${S}.pg_encoding_to_char(e) AS CASE e WHEN 6 THEN 'UTF8' WHEN 0 THEN 'SQL_ASCII' WHEN 8 THEN 'LATIN1' ELSE '' END`),
    m(`${S}.pg_char_to_encoding(e) AS CASE upper(e) WHEN 'UTF8' THEN 6 WHEN 'SQL_ASCII' THEN 0 WHEN 'LATIN1' THEN 8 ELSE -1 END`),
    m(`${S}.getdatabaseencoding() AS 'UTF8'`),
    m(`${S}.pg_client_encoding() AS 'UTF8'`),
    m(`${S}.pg_jit_available() AS false`),
    m(`${S}.pg_trigger_depth() AS 0`),
    // --- search path ------------------------------------------------------------------------------
    // the effective path, as catalog/search-path.ts maps it onto DuckDB: "$user" and public resolved, missing schemas skipped
    m(`${S}.__search_path() AS (SELECT coalesce(list(sp_name ORDER BY sp_pos), []) FROM (
        SELECT sp_name, min(sp_pos) AS sp_pos FROM (
          SELECT CASE WHEN trim(sp_part) IN ('"$user"', '$user') THEN ${S}.__setting('lakegate.user')
                      WHEN trim(sp_part) = 'public' AND NOT EXISTS (SELECT 1 FROM ${S}.__catalog_schemas WHERE name = 'public') THEN ${S}.__server('default_schema')
                      ELSE trim(trim(sp_part), '"') END AS sp_name, sp_pos
          FROM (SELECT unnest(sp_list) AS sp_part, generate_subscripts(sp_list, 1) AS sp_pos
                FROM (SELECT string_split(${S}.current_setting('search_path'), ',') AS sp_list)))
        WHERE sp_name IN (SELECT nspname FROM ${S}.__namespaces) GROUP BY sp_name))`),
    m(`${S}.current_schema() AS ${S}.__search_path()[1]`),
    m(`${S}.current_schemas(implicit) AS CASE WHEN implicit THEN ['pg_catalog'] || ${S}.__search_path() ELSE ${S}.__search_path() END`),
    m(`${S}.pg_my_temp_schema() AS (SELECT oid FROM ${S}.__namespaces WHERE nspname = 'pg_temp_1')`),
    m(`${S}.pg_is_other_temp_schema(o) AS false`),
    m(`${S}.pg_table_is_visible(o) AS (SELECT list_contains(['pg_catalog', 'pg_temp_1'] || ${S}.__search_path(), __pg_table_is_visible_r.nspname) FROM ${S}.__relations __pg_table_is_visible_r WHERE __pg_table_is_visible_r.oid = o)`),
    m(`${S}.pg_type_is_visible(o) AS (SELECT list_contains(['pg_catalog'] || ${S}.__search_path(), __pg_type_is_visible_n.nspname) FROM ${S}.__pg_type __pg_type_is_visible_t JOIN ${S}.__namespaces __pg_type_is_visible_n ON __pg_type_is_visible_n.oid = __pg_type_is_visible_t.typnamespace WHERE __pg_type_is_visible_t.oid = o)`),
    m(`${S}.pg_function_is_visible(o) AS (SELECT true FROM ${S}.__pg_proc __pg_function_is_visible_p WHERE __pg_function_is_visible_p.oid = o)`),
    m(`${S}.pg_opclass_is_visible(o) AS true`),
    m(`${S}.pg_operator_is_visible(o) AS true`),
    m(`${S}.pg_collation_is_visible(o) AS true`),
    m(`${S}.pg_conversion_is_visible(o) AS true`),
    m(`${S}.pg_ts_config_is_visible(o) AS true`),
    m(`${S}.pg_statistics_obj_is_visible(o) AS true`),
    m(`${S}.pg_opfamily_is_visible(o) AS true`),
    m(`${S}.pg_ts_template_is_visible(o) AS true`),
    m(`${S}.pg_ts_parser_is_visible(o) AS true`),
    m(`${S}.pg_ts_dict_is_visible(o) AS true`),
    m(`${S}.current_query() AS NULL::VARCHAR`),
    // --- names, types, comments ---------------------------------------------------------------------
    m(`${S}.quote_ident(x) AS CASE WHEN x IS NULL THEN NULL
        WHEN regexp_full_match(x, '[a-z_][a-z0-9_$]*') AND NOT list_contains(${reserved}, x) THEN x
        ELSE '"' || replace(x, '"', '""') || '"' END`),
    m(`${S}.quote_literal(x) AS CASE WHEN x IS NULL THEN NULL
        WHEN contains(x::VARCHAR, '\\') THEN 'E''' || replace(replace(x::VARCHAR, '\\', '\\\\'), '''', '''''') || ''''
        ELSE '''' || replace(x::VARCHAR, '''', '''''') || '''' END`),
    m(`${S}.quote_nullable(x) AS coalesce(${S}.quote_literal(x), 'NULL')`),
    m(`${S}.format_type(o, typmod) AS CASE WHEN o IS NULL THEN NULL ELSE coalesce((
        SELECT CASE
          WHEN __format_type_t.typcategory = 'A' AND __format_type_t.typelem <> 0 THEN ${S}.__type_display(__format_type_e.typname, __format_type_e.oid, typmod, __format_type_e.typnamespace) || '[]'
          ELSE ${S}.__type_display(__format_type_t.typname, __format_type_t.oid, typmod, __format_type_t.typnamespace) END
        FROM ${S}.__pg_type __format_type_t LEFT JOIN ${S}.__pg_type __format_type_e ON __format_type_e.oid = __format_type_t.typelem WHERE __format_type_t.oid = o), '???') END`),
    m(`${S}.__type_display(name, o, typmod, nsp) AS CASE name
        WHEN 'int4' THEN 'integer' WHEN 'int2' THEN 'smallint' WHEN 'int8' THEN 'bigint'
        WHEN 'float4' THEN 'real' WHEN 'float8' THEN 'double precision' WHEN 'bool' THEN 'boolean'
        WHEN 'varchar' THEN 'character varying' || CASE WHEN typmod > 4 THEN '(' || (typmod - 4) || ')' ELSE '' END
        WHEN 'bpchar' THEN 'character' || CASE WHEN typmod > 4 THEN '(' || (typmod - 4) || ')' ELSE '' END
        WHEN 'numeric' THEN 'numeric' || CASE WHEN typmod >= 4 THEN '(' || ((typmod - 4) >> 16) || ',' || ((typmod - 4) & 65535) || ')' ELSE '' END
        WHEN 'timestamp' THEN 'timestamp without time zone' WHEN 'timestamptz' THEN 'timestamp with time zone'
        WHEN 'time' THEN 'time without time zone' WHEN 'timetz' THEN 'time with time zone'
        WHEN 'varbit' THEN 'bit varying' WHEN 'bit' THEN 'bit' || CASE WHEN typmod > 0 THEN '(' || typmod || ')' ELSE '' END
        WHEN 'char' THEN '"char"'
        ELSE CASE WHEN nsp = 11 THEN name ELSE (SELECT nspname FROM ${S}.__namespaces WHERE oid = nsp) || '.' || name END END`),
    m(`${S}.pg_typeof(x) AS ${S}.format_type(${S}.__type_oid(typeof(x)), NULL)`),
    m(`${S}.to_regtype(x) AS ${S}.__regtype_in(x, false)`),
    m(`${S}.to_regclass(x) AS ${S}.__regclass_in(x, false)`),
    m(`${S}.to_regnamespace(x) AS (SELECT oid FROM ${S}.__namespaces WHERE nspname = trim(x, '"'))`),
    m(`${S}.to_regproc(x) AS (SELECT min(oid) FROM ${S}.__pg_proc WHERE proname = x)`),
    m(`${S}.to_regrole(x) AS (SELECT oid FROM ${S}.__roles WHERE rolname = x)`),
    m(`${S}.__regclass_in(x, strict) AS coalesce(
        (SELECT __regclass_in_r.oid FROM ${S}.__relations __regclass_in_r
         WHERE (__regclass_in_r.nspname || '.' || __regclass_in_r.relname = x OR ${S}.quote_ident(__regclass_in_r.nspname) || '.' || ${S}.quote_ident(__regclass_in_r.relname) = x
                OR ('pg_catalog.' || __regclass_in_r.relname = x AND __regclass_in_r.nspname = 'pg_catalog')
                OR ((__regclass_in_r.relname = x OR ${S}.quote_ident(__regclass_in_r.relname) = x) AND list_contains(['pg_catalog', 'pg_temp_1'] || ${S}.__search_path(), __regclass_in_r.nspname)))
         ORDER BY __regclass_in_r.nspname = 'pg_catalog' DESC LIMIT 1),
        CASE WHEN x IS NULL THEN NULL WHEN regexp_full_match(x, '[0-9]+') THEN x::BIGINT
             WHEN strict THEN error('relation "' || x || '" does not exist') ELSE NULL END)`),
    m(`${S}.__regtype_in(x, strict) AS coalesce(
        (SELECT __regtype_in_t.oid FROM ${S}.__pg_type __regtype_in_t WHERE __regtype_in_t.typname = regexp_replace(lower(x), '^pg_catalog\\.', '')
            OR ${S}.format_type(__regtype_in_t.oid, NULL) = regexp_replace(lower(x), '^pg_catalog\\.', '') ORDER BY __regtype_in_t.oid LIMIT 1),
        (SELECT __regtype_in_t.oid FROM ${S}.__pg_type __regtype_in_t WHERE __regtype_in_t.typname = CASE lower(x) WHEN 'int' THEN 'int4' WHEN 'decimal' THEN 'numeric'
            WHEN 'float' THEN 'float8' WHEN 'character varying[]' THEN '_varchar' WHEN 'integer[]' THEN '_int4' WHEN 'text[]' THEN '_text' END),
        CASE WHEN x IS NULL THEN NULL WHEN regexp_full_match(x, '[0-9]+') THEN x::BIGINT
             WHEN strict THEN error('type "' || x || '" does not exist') ELSE NULL END)`),
    m(`${S}.__regproc_in(x) AS coalesce((SELECT min(oid) FROM ${S}.__pg_proc WHERE proname = regexp_replace(x, '^pg_catalog\\.', '')),
        CASE WHEN regexp_full_match(x, '[0-9]+') THEN x::BIGINT WHEN x = '-' THEN 0 ELSE error('function "' || x || '" does not exist') END)`),
    m(`${S}.__regnamespace_in(x) AS coalesce((SELECT oid FROM ${S}.__namespaces WHERE nspname = trim(x, '"')),
        CASE WHEN regexp_full_match(x, '[0-9]+') THEN x::BIGINT ELSE error('schema "' || x || '" does not exist') END)`),
    m(`${S}.__regrole_in(x) AS coalesce((SELECT oid FROM ${S}.__roles WHERE rolname = trim(x, '"')),
        CASE WHEN regexp_full_match(x, '[0-9]+') THEN x::BIGINT ELSE error('role "' || x || '" does not exist') END)`),
    m(`${S}.__regclass_out(o) AS CASE WHEN o IS NULL THEN NULL WHEN o = 0 THEN '-' ELSE coalesce((SELECT CASE
        WHEN list_contains(['pg_catalog', 'pg_temp_1'] || ${S}.__search_path(), __regclass_out_r.nspname) THEN ${S}.quote_ident(__regclass_out_r.relname)
        ELSE ${S}.quote_ident(__regclass_out_r.nspname) || '.' || ${S}.quote_ident(__regclass_out_r.relname) END FROM ${S}.__relations __regclass_out_r WHERE __regclass_out_r.oid = o), o::VARCHAR) END`),
    m(`${S}.__regtype_out(o) AS CASE WHEN o IS NULL THEN NULL WHEN o = 0 THEN '-' ELSE ${S}.format_type(o, NULL) END`),
    m(`${S}.__regproc_out(o) AS CASE WHEN o IS NULL THEN NULL WHEN o = 0 THEN '-' ELSE coalesce((SELECT proname FROM ${S}.__pg_proc WHERE oid = o), o::VARCHAR) END`),
    m(`${S}.__regnamespace_out(o) AS CASE WHEN o IS NULL THEN NULL ELSE coalesce((SELECT nspname FROM ${S}.__namespaces WHERE oid = o), o::VARCHAR) END`),
    m(`${S}.__regrole_out(o) AS CASE WHEN o IS NULL THEN NULL WHEN o = 0 THEN '-' ELSE coalesce((SELECT rolname FROM ${S}.__roles WHERE oid = o), o::VARCHAR) END`),
    m(`${S}.pg_get_userbyid(o) AS coalesce((SELECT rolname FROM ${S}.__roles WHERE oid = o), 'unknown (OID=' || o || ')')`),
    m(`${S}.obj_description(o) AS (SELECT min(description) FROM ${S}.__descriptions WHERE objoid = o AND objsubid = 0)`),
    m(`${S}.obj_description(o, cat) AS (SELECT min(description) FROM ${S}.__descriptions WHERE objoid = o AND objsubid = 0
        AND classoid = CASE regexp_replace(cat, '^pg_catalog\\.', '') WHEN 'pg_class' THEN 1259 WHEN 'pg_namespace' THEN 2615
          WHEN 'pg_type' THEN 1247 WHEN 'pg_proc' THEN 1255 WHEN 'pg_constraint' THEN 2606 WHEN 'pg_database' THEN 1262 ELSE -1 END)`),
    m(`${S}.col_description(o, n) AS (SELECT min(description) FROM ${S}.__descriptions WHERE objoid = o AND objsubid = n AND classoid = 1259)`),
    m(`${S}.shobj_description(o, cat) AS (SELECT min(description) FROM ${S}.__descriptions WHERE objoid = o AND objsubid = 0 AND classoid = 1262)`),
    // --- definitions --------------------------------------------------------------------------------
    m(`${S}.pg_get_expr(e, rel) AS e::VARCHAR`),
    m(`${S}.pg_get_expr(e, rel, pretty) AS e::VARCHAR`),
    // the catalog's own text for catalog views, else DuckDB's (temporary views)
    m(`${S}.__viewdef(o) AS (SELECT coalesce(__viewdef_o.sql, regexp_replace(regexp_replace(__viewdef_v.sql,
          '^\\s*CREATE\\s+(OR\\s+REPLACE\\s+)?(TEMP\\s+|TEMPORARY\\s+)?VIEW\\s+.*?\\s+AS\\s+', '', 'is'), ';\\s*$', ''))
        FROM ${S}.__relations __viewdef_r
        LEFT JOIN ${S}.__catalog_objects __viewdef_o ON __viewdef_r.relpersistence = 'p' AND __viewdef_o.schema_name = __viewdef_r.nspname AND __viewdef_o.name = __viewdef_r.relname
        LEFT JOIN duckdb_views() __viewdef_v ON __viewdef_v.database_name = __viewdef_r.database_name AND __viewdef_v.schema_name = __viewdef_r.duck_schema AND __viewdef_v.view_name = __viewdef_r.relname
        WHERE __viewdef_r.oid = o AND __viewdef_r.relkind = 'v')`),
    m(`${S}.pg_get_viewdef(o) AS ${S}.__viewdef(o)`),
    m(`${S}.pg_get_viewdef(o, pretty) AS ${S}.__viewdef(o)`),
    m(`${S}.pg_get_constraintdef(o) AS (SELECT min(__pg_get_constraintdef_c.condef) FROM ${S}.__constraints __pg_get_constraintdef_c WHERE __pg_get_constraintdef_c.oid = o)`),
    m(`${S}.pg_get_constraintdef(o, pretty) AS (SELECT min(__pg_get_constraintdef_c.condef) FROM ${S}.__constraints __pg_get_constraintdef_c WHERE __pg_get_constraintdef_c.oid = o)`),
    m(`${S}.pg_get_indexdef(o) AS (SELECT min(__pg_get_indexdef_i.indexdef) FROM ${S}.__indexes __pg_get_indexdef_i WHERE __pg_get_indexdef_i.indexrelid = o)`),
    m(`${S}.pg_get_indexdef(o, col, pretty) AS CASE WHEN col = 0 THEN (SELECT min(__pg_get_indexdef_i.indexdef) FROM ${S}.__indexes __pg_get_indexdef_i WHERE __pg_get_indexdef_i.indexrelid = o)
        ELSE (SELECT min(__pg_get_indexdef_i.colnames[col]) FROM ${S}.__indexes __pg_get_indexdef_i WHERE __pg_get_indexdef_i.indexrelid = o) END`),
    m(`${S}.pg_get_function_result(o) AS NULL::VARCHAR`),
    m(`${S}.pg_get_function_arguments(o) AS NULL::VARCHAR`),
    m(`${S}.pg_get_function_identity_arguments(o) AS NULL::VARCHAR`),
    m(`${S}.pg_get_functiondef(o) AS NULL::VARCHAR`),
    m(`${S}.pg_get_triggerdef(o) AS NULL::VARCHAR`),
    m(`${S}.pg_get_triggerdef(o, pretty) AS NULL::VARCHAR`),
    m(`${S}.pg_get_ruledef(o) AS NULL::VARCHAR`),
    m(`${S}.pg_get_ruledef(o, pretty) AS NULL::VARCHAR`),
    m(`${S}.pg_get_partkeydef(o) AS NULL::VARCHAR`),
    m(`${S}.pg_get_statisticsobjdef_columns(o) AS NULL::VARCHAR`),
    m(`${S}.pg_get_serial_sequence(t, c) AS NULL::VARCHAR`),
    m(`${S}.pg_relation_is_publishable(o) AS false`),
    m(`${S}.pg_tablespace_location(o) AS ''`),
    m(`${S}.pg_index_column_has_property(o, n, p) AS false`),
    m(`${S}.pg_indexam_has_property(o, p) AS false`),
    m(`${S}.pg_index_has_property(o, p) AS false`),
    // --- sizes ---------------------------------------------------------------------------------------
    m(`${S}.pg_table_size(o) AS 0::BIGINT`),
    m(`${S}.pg_relation_size(o) AS 0::BIGINT`),
    m(`${S}.pg_relation_size(o, fork) AS 0::BIGINT`),
    m(`${S}.pg_total_relation_size(o) AS 0::BIGINT`),
    m(`${S}.pg_indexes_size(o) AS 0::BIGINT`),
    m(`${S}.pg_database_size(o) AS 0::BIGINT`),
    m(`${S}.pg_size_pretty(b) AS CASE WHEN b IS NULL THEN NULL
        WHEN abs(b) < 10240 THEN b::BIGINT || ' bytes'
        WHEN abs(b) < 10485760 THEN round(b / 1024.0)::BIGINT || ' kB'
        WHEN abs(b) < 10737418240 THEN round(b / 1048576.0)::BIGINT || ' MB'
        WHEN abs(b) < 10995116277760 THEN round(b / 1073741824.0)::BIGINT || ' GB'
        ELSE round(b / 1099511627776.0)::BIGINT || ' TB' END`),
    // --- privileges (the visibility hook decides what exists at all; what is visible is usable) ------
    ...privilegeMacros(),
    // --- arrays --------------------------------------------------------------------------------------
    m(`${S}.array_upper(a, d) AS CASE WHEN d = 1 AND len(a) > 0 THEN len(a) ELSE NULL END`),
    m(`${S}.array_lower(a, d) AS CASE WHEN d = 1 AND len(a) > 0 THEN 1 ELSE NULL END`),
    m(`${S}.array_ndims(a) AS CASE WHEN len(a) > 0 THEN 1 ELSE NULL END`),
    m(`${S}.generate_subscripts(a, d) AS unnest(range(1, len(a) + 1))`),
    m(`${IS}._pg_expandarray(a) AS unnest(list_transform(range(1, len(a) + 1), lambda i: {'x': a[i], 'n': i::INTEGER}))`),
    m(`${S}.pg_get_keywords() AS TABLE SELECT * FROM ${S}.__keywords`),
    m(`${S}.pg_listening_channels() AS TABLE SELECT NULL::VARCHAR AS pg_listening_channels WHERE false`),
  ];
}

function privilegeMacros(): string[] {
  const m = (sql: string) => `CREATE OR REPLACE MACRO ${sql}`;
  const visibleRel = (t: string) =>
    `EXISTS (SELECT 1 FROM ${S}.__relations r WHERE r.oid::VARCHAR = ${t}::VARCHAR OR r.nspname || '.' || r.relname = ${t}::VARCHAR OR r.relname = ${t}::VARCHAR)`;
  const out: string[] = [];
  out.push(m(`${S}.has_table_privilege(t, p) AS ${visibleRel('t')}`));
  out.push(m(`${S}.has_table_privilege(u, t, p) AS ${visibleRel('t')}`));
  out.push(m(`${S}.has_any_column_privilege(t, p) AS ${visibleRel('t')}`));
  out.push(m(`${S}.has_any_column_privilege(u, t, p) AS ${visibleRel('t')}`));
  out.push(m(`${S}.has_column_privilege(t, c, p) AS ${visibleRel('t')}`));
  out.push(m(`${S}.has_column_privilege(u, t, c, p) AS ${visibleRel('t')}`));
  const nsp = (x: string) => `EXISTS (SELECT 1 FROM ${S}.__namespaces n WHERE n.oid::VARCHAR = ${x}::VARCHAR OR n.nspname = ${x}::VARCHAR)`;
  out.push(m(`${S}.has_schema_privilege(x, p) AS ${nsp('x')}`));
  out.push(m(`${S}.has_schema_privilege(u, x, p) AS ${nsp('x')}`));
  for (const fn of ['has_database_privilege', 'has_function_privilege', 'has_sequence_privilege', 'has_type_privilege', 'has_language_privilege', 'has_tablespace_privilege', 'has_foreign_data_wrapper_privilege', 'has_server_privilege']) {
    out.push(m(`${S}.${fn}(x, p) AS true`));
    out.push(m(`${S}.${fn}(u, x, p) AS true`));
  }
  out.push(m(`${S}.pg_has_role(r, p) AS true`));
  out.push(m(`${S}.pg_has_role(u, r, p) AS true`));
  return out;
}

/** Function name → PostgreSQL result type, for the result-type annotation. */
export const FUNCTION_RESULT_TYPES: Record<string, string> = {
  current_user: 'name',
  session_user: 'name',
  user: 'name',
  current_role: 'name',
  current_database: 'name',
  current_catalog: 'name',
  current_schema: 'name',
  current_schemas: '_name',
  pg_get_userbyid: 'name',
  pg_backend_pid: 'int4',
  pg_my_temp_schema: 'oid',
  txid_current: 'int8',
  pg_current_xact_id: 'xid8',
  to_regclass: 'regclass',
  to_regtype: 'regtype',
  to_regproc: 'regproc',
  to_regnamespace: 'regnamespace',
  to_regrole: 'regrole',
  pg_encoding_to_char: 'name',
  getdatabaseencoding: 'name',
  pg_client_encoding: 'name',
  pg_sleep: 'void',
  pg_char_to_encoding: 'int4',
  inet_server_addr: 'inet',
  inet_client_addr: 'inet',
  pg_tablespace_location: 'text',
};

/** Every function the emulation provides (lower-case), for the name-mapping pass. */
export const EMULATED_FUNCTIONS = new Set<string>([
  'current_setting', 'set_config', 'current_user', 'session_user', 'user', 'current_role', 'current_database', 'current_catalog',
  'version', 'pg_backend_pid', 'pg_postmaster_start_time', 'pg_conf_load_time', 'txid_current', 'pg_current_xact_id',
  'txid_current_if_assigned', 'pg_is_in_recovery', 'pg_sleep', 'inet_server_addr', 'inet_server_port', 'inet_client_addr',
  'inet_client_port', 'pg_encoding_to_char', 'pg_char_to_encoding', 'getdatabaseencoding', 'pg_client_encoding', 'pg_jit_available',
  'pg_trigger_depth', 'current_schema', 'current_schemas', 'pg_my_temp_schema', 'pg_is_other_temp_schema', 'pg_table_is_visible',
  'pg_type_is_visible', 'pg_function_is_visible', 'pg_opclass_is_visible', 'pg_operator_is_visible', 'pg_collation_is_visible',
  'pg_conversion_is_visible', 'pg_ts_config_is_visible', 'pg_statistics_obj_is_visible', 'pg_opfamily_is_visible',
  'pg_ts_template_is_visible', 'pg_ts_parser_is_visible', 'pg_ts_dict_is_visible', 'current_query', 'quote_ident', 'quote_literal',
  'quote_nullable', 'format_type', 'pg_typeof', 'to_regtype', 'to_regclass', 'to_regnamespace', 'to_regproc', 'to_regrole',
  'pg_get_userbyid', 'obj_description', 'col_description', 'shobj_description', 'pg_get_expr', 'pg_get_viewdef',
  'pg_get_constraintdef', 'pg_get_indexdef', 'pg_get_function_result', 'pg_get_function_arguments',
  'pg_get_function_identity_arguments', 'pg_get_functiondef', 'pg_get_triggerdef', 'pg_get_ruledef', 'pg_get_partkeydef',
  'pg_get_statisticsobjdef_columns', 'pg_get_serial_sequence', 'pg_relation_is_publishable', 'pg_tablespace_location',
  'pg_index_column_has_property', 'pg_indexam_has_property', 'pg_index_has_property', 'pg_table_size', 'pg_relation_size',
  'pg_total_relation_size', 'pg_indexes_size', 'pg_database_size', 'pg_size_pretty', 'has_table_privilege',
  'has_any_column_privilege', 'has_column_privilege', 'has_schema_privilege', 'has_database_privilege', 'has_function_privilege',
  'has_sequence_privilege', 'has_type_privilege', 'has_language_privilege', 'has_tablespace_privilege',
  'has_foreign_data_wrapper_privilege', 'has_server_privilege', 'pg_has_role', 'array_upper', 'array_lower', 'array_ndims',
  'generate_subscripts', 'pg_get_keywords', 'pg_listening_channels',
]);

/** Table functions (called in FROM) among the emulated functions. */
export const TABLE_FUNCTIONS = new Set(['pg_get_keywords', 'pg_listening_channels']);
