import path from 'node:path';
import type { EngineConnection } from '../engine/connection.js';
import type { Catalog, LakeTable } from './model.js';

export const INTERNAL_SCHEMA = 'lakegate_internal';

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

function scanSql(t: LakeTable): string {
  const p = quoteLiteral(t.path);
  switch (t.format) {
    case 'parquet':
      return `read_parquet(${p}, hive_partitioning = ${t.hivePartitioning})`;
    case 'csv':
      return `read_csv(${p}, hive_partitioning = ${t.hivePartitioning})`;
    case 'json':
      return `read_json(${p}, format = 'newline_delimited', hive_partitioning = ${t.hivePartitioning})`;
  }
}

/** SQL helper macros the compatibility rewrites call. */
const HELPERS = [
  `CREATE OR REPLACE MACRO ${INTERNAL_SCHEMA}.pg_div(a, b) AS CASE WHEN b = 0 THEN error('division by zero') ELSE a / b END`,
  `CREATE OR REPLACE MACRO ${INTERNAL_SCHEMA}.pg_mod(a, b) AS CASE WHEN b = 0 THEN error('division by zero') ELSE a % b END`,
];

/** Creates schemas, lake views and catalog views in DuckDB. */
export async function installCatalog(conn: EngineConnection, catalog: Catalog): Promise<void> {
  await conn.run(`CREATE SCHEMA IF NOT EXISTS ${INTERNAL_SCHEMA}`);
  for (const h of HELPERS) await conn.run(h);
  for (const s of catalog.schemas) await conn.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(s.name)}`);
  for (const o of catalog.objects) {
    const target = `${quoteIdent(o.schema)}.${quoteIdent(o.name)}`;
    if (o.kind === 'lake') await conn.run(`CREATE OR REPLACE VIEW ${target} AS SELECT * FROM ${scanSql(o)}`);
  }
  for (const o of catalog.objects) {
    if (o.kind === 'view') await conn.run(`CREATE OR REPLACE VIEW ${quoteIdent(o.schema)}.${quoteIdent(o.name)} AS ${o.sql}`);
  }
}

/** Directories clients' queries may read: where the catalog's lake files live. */
export function lakeDirectories(catalog: Catalog): string[] {
  const dirs = new Set<string>();
  for (const o of catalog.objects) {
    if (o.kind !== 'lake') continue;
    const globAt = o.path.search(/[*?[{]/);
    const fixed = globAt < 0 ? path.dirname(o.path) : path.dirname(o.path.slice(0, globAt + 1));
    dirs.add(fixed);
  }
  return [...dirs];
}
