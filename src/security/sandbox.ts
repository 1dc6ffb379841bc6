import { settingDefinition } from '../session/settings.js';

/**
 * What client SQL may call and reference besides the catalog's tables. The
 * policy is an allowlist where it can be (statement kinds, syntax nodes,
 * table functions) and a short denylist for scalar functions that reveal the
 * host or DuckDB's configuration.
 */

/** Table functions clients may use in FROM; every other DuckDB built-in table function is refused. */
export const ALLOWED_TABLE_FUNCTIONS = new Set([
  'generate_series',
  'range',
  'unnest',
  'json_each',
  'json_tree',
  'generate_subscripts',
  'regexp_split_to_table',
  'string_to_table',
  'pg_timezone_names',
]);

/** Scalar functions refused: they read DuckDB's configuration, write its log, or print plans and view definitions. */
export const DENIED_SCALAR_FUNCTIONS = new Set(['getvariable', 'json_serialize_plan', 'write_log', 'pg_get_viewdef', 'current_setting']);

/** Schemas a function name may be qualified with (the observability system schema is added at start). */
export const FUNCTION_SCHEMAS = new Set(['pg_catalog', 'information_schema', 'main']);

export function registerFunctionSchema(schema: string): void {
  FUNCTION_SCHEMAS.add(schema.toLowerCase());
}

/** Public schemas that carry the reserved prefix (the observability system schema may be named lakegate_...). */
const publicReserved = new Set<string>();

export function registerPublicSchema(schema: string): void {
  publicReserved.add(schema.toLowerCase());
}

/** The gateway's own schemas (internal objects, the catalog emulation's machinery): they do not exist for clients. */
export function reservedSchema(schema: string): boolean {
  const s = schema.toLowerCase();
  return s.startsWith(RESERVED_PREFIX) && !publicReserved.has(s);
}

/** Schemas whose relations are the system catalogs (emulated by the gateway). */
export const SYSTEM_SCHEMAS = new Set(['pg_catalog', 'information_schema']);

/** Prefix reserved for the gateway's own objects (per-session temp tables, internal schema). */
export const RESERVED_PREFIX = 'lakegate_';

/**
 * System-catalog relations clients may read. DuckDB's own pg_catalog and
 * information_schema list every object in the database and print DuckDB's
 * settings (directories, secrets), so only relations the gateway emulates
 * with per-user filtering are allowed: the pg_catalog emulation registers
 * them with `registerSystemRelations`. `pg_type` lists only types and is safe.
 */
const allowedSystemRelations = new Set<string>(['pg_catalog.pg_type']);

export function registerSystemRelations(qualifiedNames: Iterable<string>): void {
  for (const n of qualifiedNames) allowedSystemRelations.add(n.toLowerCase());
}

export function systemRelationAllowed(schema: string, name: string): boolean {
  return allowedSystemRelations.has(`${schema}.${name}`.toLowerCase());
}

/**
 * Functions on the denylist that the pg_catalog emulation answers itself
 * (its rewrite replaces DuckDB's version after authorization): e.g.
 * `current_setting` read from the session's settings, `pg_get_viewdef` of a
 * catalog view. Registered names are no longer refused.
 */
const emulatedFunctions = new Set<string>();

export function registerEmulatedFunctions(names: Iterable<string>): void {
  for (const n of names) emulatedFunctions.add(n.toLowerCase());
}

export function functionEmulated(name: string): boolean {
  return emulatedFunctions.has(name.toLowerCase());
}

/**
 * PostgreSQL 15's pg_catalog relations: an unqualified reference to one of
 * these names means the system catalog (pg_catalog is searched first).
 */
export const PG_CATALOG_RELATIONS = new Set(
  `pg_aggregate pg_am pg_amop pg_amproc pg_attrdef pg_attribute pg_auth_members pg_authid pg_available_extension_versions
  pg_available_extensions pg_backend_memory_contexts pg_cast pg_class pg_collation pg_config pg_constraint pg_conversion
  pg_cursors pg_database pg_db_role_setting pg_default_acl pg_depend pg_description pg_enum pg_event_trigger pg_extension
  pg_file_settings pg_foreign_data_wrapper pg_foreign_server pg_foreign_table pg_group pg_hba_file_rules pg_ident_file_mappings
  pg_index pg_indexes pg_inherits pg_init_privs pg_language pg_largeobject pg_largeobject_metadata pg_locks pg_matviews
  pg_namespace pg_opclass pg_operator pg_opfamily pg_parameter_acl pg_partitioned_table pg_policies pg_policy
  pg_prepared_statements pg_prepared_xacts pg_proc pg_publication pg_publication_namespace pg_publication_rel
  pg_publication_tables pg_range pg_replication_origin pg_replication_origin_status pg_replication_slots pg_rewrite pg_roles
  pg_rules pg_seclabel pg_seclabels pg_sequence pg_sequences pg_settings pg_shadow pg_shdepend pg_shdescription
  pg_shmem_allocations pg_shseclabel pg_stat_activity pg_stat_all_indexes pg_stat_all_tables pg_stat_archiver
  pg_stat_bgwriter pg_stat_database pg_stat_database_conflicts pg_stat_gssapi pg_stat_progress_analyze
  pg_stat_progress_basebackup pg_stat_progress_cluster pg_stat_progress_copy pg_stat_progress_create_index
  pg_stat_progress_vacuum pg_stat_recovery_prefetch pg_stat_replication pg_stat_replication_slots pg_stat_slru
  pg_stat_ssl pg_stat_subscription pg_stat_subscription_stats pg_stat_sys_indexes pg_stat_sys_tables
  pg_stat_user_functions pg_stat_user_indexes pg_stat_user_tables pg_stat_wal pg_stat_wal_receiver
  pg_stat_xact_all_tables pg_stat_xact_sys_tables pg_stat_xact_user_functions pg_stat_xact_user_tables pg_statio_all_indexes
  pg_statio_all_sequences pg_statio_all_tables pg_statio_sys_indexes pg_statio_sys_sequences pg_statio_sys_tables
  pg_statio_user_indexes pg_statio_user_sequences pg_statio_user_tables pg_statistic pg_statistic_ext
  pg_statistic_ext_data pg_stats pg_stats_ext pg_stats_ext_exprs pg_subscription pg_subscription_rel pg_tables
  pg_tablespace pg_timezone_abbrevs pg_timezone_names pg_transform pg_trigger pg_ts_config pg_ts_config_map pg_ts_dict
  pg_ts_parser pg_ts_template pg_type pg_user pg_user_mapping pg_user_mappings pg_views`.split(/\s+/),
);

/**
 * `current_setting(name)` is allowed only for a constant PostgreSQL setting
 * name; DuckDB's own settings (allowed_directories, secret_directory, ...)
 * would reveal the host.
 */
export function currentSettingAllowed(name: string | null): boolean {
  return name !== null && settingDefinition(name) !== undefined;
}
