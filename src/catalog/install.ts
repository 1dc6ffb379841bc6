import type { EngineConnection } from '../engine/connection.js';
import { CatalogError, type CatalogIssue } from './errors.js';
import { INTERNAL_SCHEMA, installCatalogFacts, installHelpers } from './internal.js';
import { lakeViewSql } from './lake-sql.js';
import type { Catalog, CatalogObject, LakeTable, ViewDef } from './model.js';
import { lakeSandbox } from './sandbox.js';
import type { KeyPath } from './source-map.js';
import { qualified, quoteIdent, quoteLiteral } from '../sql/quote.js';
import { checkDeclaredColumns, describeQuery, verifyLakeTables } from './verify.js';

export { INTERNAL_SCHEMA, quoteIdent, quoteLiteral };

export interface InstallOptions {
  /** The catalog installed now, whose objects that are gone get dropped. */
  previous?: Catalog | null;
  /** false: check everything inside the transaction, then roll it back. */
  commit?: boolean;
}

const key = (schema: string, name: string): string => `${schema.toLowerCase()}.${name.toLowerCase()}`;

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Whether a relation of this name exists in DuckDB, and as what. */
async function existingRelationKind(conn: EngineConnection, schema: string, name: string): Promise<'TABLE' | 'VIEW' | null> {
  const rows = await conn.rows(
    `SELECT 'TABLE' AS kind FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = ${quoteLiteral(schema)} AND table_name = ${quoteLiteral(name)}
     UNION ALL
     SELECT 'VIEW' FROM duckdb_views() WHERE database_name = current_database() AND schema_name = ${quoteLiteral(schema)} AND view_name = ${quoteLiteral(name)} AND NOT internal`,
  );
  return (rows[0]?.kind as 'TABLE' | 'VIEW' | undefined) ?? null;
}

/** Drops whatever relation (table or view) has this name, if any. */
async function dropRelation(conn: EngineConnection, schema: string, name: string): Promise<void> {
  const kind = await existingRelationKind(conn, schema, name);
  if (kind) await conn.run(`DROP ${kind} IF EXISTS ${qualified(schema, name)}`);
}

async function commentOn(conn: EngineConnection, what: string, comment: string | undefined): Promise<void> {
  if (comment !== undefined) await conn.run(`COMMENT ON ${what} IS ${quoteLiteral(comment)}`);
}

async function columnComments(conn: EngineConnection, o: LakeTable | ViewDef): Promise<void> {
  for (const c of o.columns ?? []) await commentOn(conn, `COLUMN ${qualified(o.schema, o.name)}.${quoteIdent(c.name)}`, c.comment);
}

/** Drops what the previous catalog declared and the new one does not. */
async function dropRemoved(conn: EngineConnection, catalog: Catalog, previous: Catalog): Promise<void> {
  const schemas = new Set(catalog.schemas.map((s) => s.name.toLowerCase()));
  for (const s of previous.schemas) {
    if (!schemas.has(s.name.toLowerCase())) await conn.run(`DROP SCHEMA IF EXISTS ${quoteIdent(s.name)} CASCADE`);
  }
  const kept = new Set(catalog.objects.filter((o) => o.kind === 'lake' || o.kind === 'view').map((o) => key(o.schema, o.name)));
  for (const o of previous.objects) {
    if ((o.kind === 'lake' || o.kind === 'view') && schemas.has(o.schema.toLowerCase()) && !kept.has(key(o.schema, o.name))) {
      await dropRelation(conn, o.schema, o.name);
    }
  }
}

/**
 * Creates the catalog's views in dependency order without parsing their SQL:
 * DuckDB keeps a transaction usable after a failed CREATE VIEW, so views that
 * fail are retried while any other view succeeds; what still fails is reported.
 */
async function createViews(conn: EngineConnection, views: ViewDef[], report: (v: ViewDef, message: string) => void): Promise<ViewDef[]> {
  let pending = views;
  const created: ViewDef[] = [];
  let errors = new Map<ViewDef, string>();
  while (pending.length > 0) {
    const failed: ViewDef[] = [];
    errors = new Map();
    for (const v of pending) {
      try {
        if ((await existingRelationKind(conn, v.schema, v.name)) === 'TABLE') await dropRelation(conn, v.schema, v.name);
        await conn.run(`CREATE OR REPLACE VIEW ${qualified(v.schema, v.name)} AS ${v.sql}`);
        created.push(v);
      } catch (e) {
        failed.push(v);
        errors.set(v, messageOf(e));
      }
    }
    if (failed.length === pending.length) break;
    pending = failed;
  }
  for (const [v, message] of errors) report(v, message);
  return created;
}

/**
 * Installs a catalog into DuckDB in one transaction, so sessions keep seeing
 * the old catalog until the new one is complete: lake tables are checked
 * against their files first (every problem is collected), then schemas, lake
 * views, catalog views and comments are created, objects the previous catalog
 * had are dropped, and the transaction commits only when nothing failed.
 * Throws a CatalogError naming file, line and key for each problem.
 */
export async function installCatalog(conn: EngineConnection, catalog: Catalog, opts: InstallOptions = {}): Promise<void> {
  const issues: CatalogIssue[] = [];
  const issueAt = (at: KeyPath, message: string): CatalogIssue =>
    catalog.source ? catalog.source.issue(at, message) : { file: catalog.file, key: at.join('.'), message };
  await installHelpers(conn);
  const verified = await verifyLakeTables(conn, catalog, issues);
  if (issues.length > 0) throw new CatalogError(issues);

  await conn.run('BEGIN TRANSACTION');
  let open = true;
  try {
    await installCatalogFacts(conn, catalog);
    if (opts.previous) await dropRemoved(conn, catalog, opts.previous);
    for (const s of catalog.schemas) await conn.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(s.name)}`);
    for (const o of catalog.objects) {
      if (o.kind !== 'lake') continue;
      const target = qualified(o.schema, o.name);
      try {
        if ((await existingRelationKind(conn, o.schema, o.name)) === 'TABLE') await dropRelation(conn, o.schema, o.name);
        await conn.run(`CREATE OR REPLACE VIEW ${target} AS ${lakeViewSql(o, verified.get(`${o.schema}.${o.name}`)?.fileNames)}`);
        await commentOn(conn, `VIEW ${target}`, o.comment);
        await columnComments(conn, o);
      } catch (e) {
        issues.push(issueAt(['schemas', o.schema, o.name], messageOf(e)));
      }
    }
    const views = catalog.objects.filter((o): o is ViewDef => o.kind === 'view');
    const created = await createViews(conn, views, (v, message) => issues.push(issueAt(['views', `${v.schema}.${v.name}`], message)));
    for (const v of created) {
      const at: KeyPath = ['views', `${v.schema}.${v.name}`];
      if (v.columns) {
        const actual = await describeQuery(conn, `SELECT * FROM ${qualified(v.schema, v.name)}`);
        await checkDeclaredColumns(conn, v.columns, actual, { at, what: 'the view', checkTypes: true, report: (where, m) => issues.push(issueAt(where, m)) });
      }
      try {
        await commentOn(conn, `VIEW ${qualified(v.schema, v.name)}`, v.comment);
        await columnComments(conn, v);
      } catch (e) {
        issues.push(issueAt(at, messageOf(e)));
      }
    }
    if (issues.length > 0 || opts.commit === false) {
      open = false;
      await conn.run('ROLLBACK');
    } else {
      open = false;
      await conn.run('COMMIT');
    }
  } finally {
    if (open) await conn.run('ROLLBACK').catch(() => undefined);
  }
  if (issues.length > 0) throw new CatalogError(issues);
}

/** Directories clients' queries may read: where the catalog's lake files live. */
export function lakeDirectories(catalog: Catalog): string[] {
  return lakeSandbox(catalog).directories;
}

export type { CatalogObject };
