import type { EngineConnection } from '../engine/connection.js';
import type { Catalog } from './model.js';
import { stableOid } from './oids.js';
import { quoteLiteral } from '../sql/quote.js';

/** lakegate's own objects in DuckDB; never listed to clients. */
export const INTERNAL_SCHEMA = 'lakegate_internal';

/** The code points of a name, for the stable-OID hash. */
const codePoints = (s: string): string => `list_transform(range(1, length(${s}) + 1), lambda i: unicode(substring(${s}, i, 1))::BIGINT)`;

/**
 * Helper macros: PostgreSQL division semantics for the compatibility
 * rewrites, and `stable_oid(kind, [names])`, the SQL twin of `stableOid()` in
 * oids.ts (FNV-1a over the UTF-16 code units of `kind\0name\0...`; equal for
 * names in the Basic Multilingual Plane), so SQL-defined catalog views can
 * compute the same OIDs as TypeScript code.
 */
const HELPERS = [
  `CREATE OR REPLACE MACRO ${INTERNAL_SCHEMA}.pg_div(a, b) AS CASE WHEN b = 0 THEN error('division by zero') ELSE a / b END`,
  `CREATE OR REPLACE MACRO ${INTERNAL_SCHEMA}.pg_mod(a, b) AS CASE WHEN b = 0 THEN error('division by zero') ELSE a % b END`,
  `CREATE OR REPLACE MACRO ${INTERNAL_SCHEMA}.stable_oid(kind, names) AS
     16384 + list_reduce(
       list_concat(${codePoints('kind')}, flatten(list_transform(names, lambda n: list_concat([0::BIGINT], ${codePoints('n')})))),
       lambda h, c: (xor(h, c) * 16777619) % 4294967296,
       2166136261::BIGINT
     ) % (2147483647 - 16384)`,
];

/** Creates the internal schema and helper macros (idempotent). */
export async function installHelpers(conn: EngineConnection): Promise<void> {
  await conn.run(`CREATE SCHEMA IF NOT EXISTS ${INTERNAL_SCHEMA}`);
  for (const h of HELPERS) await conn.run(h);
}

/** A read-only view over constant rows (a view, so clients cannot write to it). */
function valuesView(name: string, columns: [string, string][], rows: string[][]): string {
  const body =
    rows.length > 0
      ? `SELECT ${columns.map(([c, t], i) => `CAST(col${i} AS ${t}) AS ${c}`).join(', ')} FROM (VALUES ${rows.map((r) => `(${r.join(', ')})`).join(', ')}) t(${columns.map((_, i) => `col${i}`).join(', ')})`
      : `SELECT ${columns.map(([c, t]) => `NULL::${t} AS ${c}`).join(', ')} WHERE false`;
  return `CREATE OR REPLACE VIEW ${INTERNAL_SCHEMA}.${name} AS ${body}`;
}

/**
 * Catalog facts DuckDB has no place for, as read-only views for the
 * pg_catalog emulation:
 * - `schema_comments(schema_name, comment)`: DuckDB 1.5 cannot comment on a
 *   schema (`COMMENT ON SCHEMA` is not implemented), so obj_description on
 *   pg_namespace reads them here.
 * - `catalog_relations(schema_name, relation_name, kind, origin, oid)`: every
 *   relation the catalog declares. Lake tables are DuckDB views, but clients
 *   must see them as tables (`kind` = 'table', relkind 'r'); `origin` is
 *   lake, remote or view; `oid` is `stableOid()`.
 */
export async function installCatalogFacts(conn: EngineConnection, catalog: Catalog): Promise<void> {
  const schemaRows = catalog.schemas.filter((s) => s.comment !== undefined).map((s) => [quoteLiteral(s.name), quoteLiteral(s.comment!)]);
  await conn.run(valuesView('schema_comments', [['schema_name', 'VARCHAR'], ['comment', 'VARCHAR']], schemaRows));
  const relationRows = catalog.objects.map((o) => {
    const kind = o.kind === 'view' ? 'view' : 'table';
    return [quoteLiteral(o.schema), quoteLiteral(o.name), quoteLiteral(kind), quoteLiteral(o.kind), String(stableOid(kind, o.schema, o.name))];
  });
  await conn.run(
    valuesView(
      'catalog_relations',
      [['schema_name', 'VARCHAR'], ['relation_name', 'VARCHAR'], ['kind', 'VARCHAR'], ['origin', 'VARCHAR'], ['oid', 'BIGINT']],
      relationRows,
    ),
  );
}
