import type { Catalog } from '../catalog/model.js';
import { stableOid } from '../catalog/oids.js';
import type { EngineConnection } from '../engine/connection.js';
import { PG_SERVER_VERSION, PG_SERVER_VERSION_NUM } from '../version.js';
import { baseMacros, baseViews } from './base-views.js';
import { PG_CATALOG_RELATIONS, INFORMATION_SCHEMA_RELATIONS, PG_DATA, TYPE_OID_BY_NAME } from './catalog-data.js';
import { functionMacros } from './macros.js';
import { IS, OWNER_OID, PG_CATALOG_OID, S, sqlIdent, sqlString } from './names.js';
import { relationViews, STATIC_TABLES } from './relations.js';
import { bootSettings, createSessionTables } from './session-state.js';
import { catalogType } from './types.js';

/** Name of the role that owns the catalog's objects (OID 10, like PostgreSQL's bootstrap superuser). */
export const OWNER_ROLE = 'lakegate';

export function roleOid(name: string): number {
  return name === OWNER_ROLE ? OWNER_OID : stableOid('role', name);
}

function literal(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : `'${v}'`;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (Array.isArray(v)) return `[${v.map(literal).join(', ')}]`;
  return sqlString(String(v));
}

/** CREATE OR REPLACE TABLE with typed columns, filled from rows. */
function tableSql(name: string, columns: [string, string][], rows: unknown[][]): string[] {
  const out = [`CREATE OR REPLACE TABLE ${name} (${columns.map(([c, t]) => `${sqlIdent(c)} ${t}`).join(', ')})`];
  for (let i = 0; i < rows.length; i += 500) {
    const chunk = rows.slice(i, i + 500);
    out.push(`INSERT INTO ${name} VALUES ${chunk.map((r) => `(${r.map(literal).join(', ')})`).join(', ')}`);
  }
  return out;
}

function staticTables(catalog: Catalog, database: string, startedAt: string): string[] {
  const out: string[] = [];
  for (const t of STATIC_TABLES) {
    const spec = PG_CATALOG_RELATIONS.get(t)!;
    out.push(...tableSql(`${S}.__${t}`, spec.columns.map(([c, pg]) => [c, catalogType(pg).duck]), PG_DATA.rows[t]!));
  }
  const relRows: unknown[][] = [];
  const colRows: unknown[][] = [];
  for (const [nsp, rels] of [[PG_CATALOG_OID, PG_CATALOG_RELATIONS], [PG_DATA.informationSchemaOid, INFORMATION_SCHEMA_RELATIONS]] as const) {
    for (const [name, spec] of rels) {
      relRows.push([spec.oid, name, nsp, nsp === PG_CATALOG_OID ? 'pg_catalog' : 'information_schema', spec.relkind, spec.columns.length]);
      spec.columns.forEach(([col, pg], i) => colRows.push([spec.oid, col, i + 1, TYPE_OID_BY_NAME.get(pg) ?? 25]));
    }
  }
  out.push(...tableSql(`${S}.__static_relations`, [['oid', 'BIGINT'], ['relname', 'VARCHAR'], ['nspoid', 'BIGINT'], ['nspname', 'VARCHAR'], ['relkind', 'VARCHAR'], ['ncols', 'SMALLINT']], relRows));
  out.push(...tableSql(`${S}.__static_columns`, [['attrelid', 'BIGINT'], ['attname', 'VARCHAR'], ['attnum', 'SMALLINT'], ['atttypid', 'BIGINT']], colRows));
  out.push(
    ...tableSql(
      `${S}.__catalog_schemas`,
      [['oid', 'BIGINT'], ['name', 'VARCHAR'], ['comment', 'VARCHAR']],
      catalog.schemas.map((s) => [stableOid('schema', s.name), s.name, s.comment ?? null]),
    ),
  );
  out.push(
    ...tableSql(
      `${S}.__catalog_objects`,
      [['schema_name', 'VARCHAR'], ['name', 'VARCHAR'], ['kind', 'VARCHAR'], ['comment', 'VARCHAR'], ['sql', 'VARCHAR']],
      catalog.objects.map((o) => [o.schema, o.name, o.kind, o.comment ?? null, o.kind === 'view' ? o.sql : null]),
    ),
  );
  const roles = new Map<string, number>([[OWNER_ROLE, OWNER_OID]]);
  for (const u of catalog.users) roles.set(u.name, roleOid(u.name));
  out.push(...tableSql(`${S}.__role_list`, [['oid', 'BIGINT'], ['rolname', 'VARCHAR']], [...roles].map(([n, o]) => [o, n])));
  out.push(
    ...tableSql(
      `${S}.__server_values`,
      [['name', 'VARCHAR'], ['value', 'VARCHAR']],
      [
        ['database', database],
        ['database_oid', String(stableOid('database', database))],
        ['default_schema', catalog.defaultSchema],
        ['postmaster_start', startedAt],
      ],
    ),
  );
  out.push(
    ...tableSql(
      `${S}.__keywords`,
      [['word', 'VARCHAR'], ['catcode', 'VARCHAR'], ['barelabel', 'BOOLEAN'], ['catdesc', 'VARCHAR'], ['baredesc', 'VARCHAR']],
      PG_DATA.keywords,
    ),
  );
  const settingsCols: [string, string][] = [
    ['name', 'VARCHAR'], ['lname', 'VARCHAR'], ['boot_val', 'VARCHAR'], ['display_val', 'VARCHAR'], ['unit', 'VARCHAR'], ['category', 'VARCHAR'], ['short_desc', 'VARCHAR'],
    ['context', 'VARCHAR'], ['vartype', 'VARCHAR'], ['min_val', 'VARCHAR'], ['max_val', 'VARCHAR'], ['enumvals', 'VARCHAR[]'],
  ];
  out.push(
    ...tableSql(
      `${S}.__settings`,
      settingsCols,
      bootSettings().map((d) => [d.name, d.name.toLowerCase(), d.setting, d.value, d.unit, d.category, d.short_desc, d.context, d.vartype, d.min_val, d.max_val, d.enumvals]),
    ),
  );
  return out;
}

/**
 * DuckDB keeps one definition per macro name unless the overloads are
 * created together (`CREATE MACRO f(a) AS ..., (a, b) AS ...`): merge them.
 */
export function mergeOverloads(statements: string[]): string[] {
  const out: string[] = [];
  const macros = new Map<string, string[]>();
  const head = /^CREATE OR REPLACE MACRO ([\w."]+)(\([^)]*\) AS [\s\S]*)$/;
  for (const sql of statements) {
    const m = head.exec(sql);
    if (!m) {
      out.push(sql);
      continue;
    }
    const list = macros.get(m[1]!);
    if (list) list.push(m[2]!);
    else {
      macros.set(m[1]!, [m[2]!]);
      out.push(m[1]!);
    }
  }
  return out.map((x) => (macros.has(x) ? `CREATE OR REPLACE MACRO ${x}${macros.get(x)!.join(', ')}` : x));
}

/** Runs DDL whose statements refer to each other, in dependency order found by retrying. */
async function createAll(conn: EngineConnection, statements: string[]): Promise<void> {
  let pending = statements;
  while (pending.length > 0) {
    const failed: string[] = [];
    const errors: string[] = [];
    for (const sql of pending) {
      try {
        await conn.run(sql);
      } catch (e) {
        failed.push(sql);
        errors.push(`${e instanceof Error ? e.message : String(e)}: ${sql.slice(0, 120)}`);
      }
    }
    if (failed.length === pending.length) {
      throw new Error(`pg_catalog emulation: cannot create ${failed.length} objects:\n${errors.join('\n')}`);
    }
    pending = failed;
  }
}

let startedAt: string | null = null;

/**
 * Installs (or refreshes, after a catalog reload) the pg_catalog and
 * information_schema emulation into DuckDB. Idempotent: every object is
 * created with CREATE OR REPLACE from the catalog passed in.
 */
export async function installPgCatalog(conn: EngineConnection, catalog: Catalog): Promise<void> {
  startedAt ??= new Date().toISOString();
  const [{ db }] = (await conn.rows('SELECT current_database() AS db')) as [{ db: string }];
  await conn.run(`CREATE SCHEMA IF NOT EXISTS ${S}`);
  await conn.run(`CREATE SCHEMA IF NOT EXISTS ${IS}`);
  await conn.run(`CREATE SEQUENCE IF NOT EXISTS ${S}.__xid START 1000`);
  for (const sql of staticTables(catalog, catalog.database, startedAt)) await conn.run(sql);
  // views bind at creation, so the creating connection needs the per-session tables too
  await createSessionTables(conn);
  await createAll(conn, mergeOverloads([...baseMacros(), ...baseViews(db), ...functionMacros(), ...relationViews()]));
}

export { PG_SERVER_VERSION, PG_SERVER_VERSION_NUM };
