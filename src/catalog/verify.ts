import type { EngineConnection } from '../engine/connection.js';
import { PgError } from '../errors.js';
import type { CatalogIssue } from './errors.js';
import { scanSql } from './lake-sql.js';
import type { Catalog, DeclaredColumn, LakeTable } from './model.js';
import type { KeyPath } from './source-map.js';
import { quoteLiteral } from '../sql/quote.js';

export interface FileColumn {
  name: string;
  /** DuckDB's type name, e.g. `DECIMAL(10,2)`. */
  type: string;
}

/** What a verified lake table reads: its columns, and declared names mapped to the files' spelling. */
export interface VerifiedLakeTable {
  columns: FileColumn[];
  fileNames: Map<string, string>;
}

/** Rows of a CSV or JSON table read to check that declared types convert. */
const SAMPLE_ROWS = 2048;

function messageOf(e: unknown): string {
  // DuckDB's CSV errors put the reason on a later line
  if (e instanceof PgError && e.detail) {
    const why = e.detail.split('\n').find((l) => /could not convert|error when converting/i.test(l));
    if (why) return `${e.message}: ${why.trim()}`;
  }
  return e instanceof Error ? e.message : String(e);
}

export async function describeQuery(conn: EngineConnection, sql: string): Promise<FileColumn[]> {
  const rows = await conn.rows(`DESCRIBE ${sql}`);
  return rows.map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
}

/** DuckDB's own spelling of a declared type (`numeric(10,2)` → `DECIMAL(10,2)`). */
async function canonicalType(conn: EngineConnection, type: string): Promise<string> {
  const rows = await conn.rows(`SELECT typeof(CAST(NULL AS ${type})) AS t`);
  return String(rows[0]!.t);
}

/**
 * Compares declared columns with what the data has; returns the files'
 * spelling of each declared name that differs only in case.
 */
export async function checkDeclaredColumns(
  conn: EngineConnection,
  declared: DeclaredColumn[],
  actual: FileColumn[],
  opts: { at: KeyPath; what: string; checkTypes: boolean; report: (at: KeyPath, message: string) => void; typeHint?: (column: string) => string | undefined },
): Promise<Map<string, string>> {
  const fileNames = new Map<string, string>();
  const has = opts.what.endsWith('s') ? 'have' : 'has';
  const it = opts.what.endsWith('s') ? 'they have' : 'it has';
  const byName = new Map(actual.map((c) => [c.name, c]));
  const byLower = new Map(actual.map((c) => [c.name.toLowerCase(), c]));
  for (const col of declared) {
    const at = [...opts.at, 'columns', col.name];
    const found = byName.get(col.name) ?? byLower.get(col.name.toLowerCase());
    if (!found) {
      opts.report(at, `no column "${col.name}" in ${opts.what} (${it} ${actual.length > 0 ? actual.map((c) => c.name).join(', ') : 'no columns'})`);
      continue;
    }
    if (found.name !== col.name) fileNames.set(col.name, found.name);
    if (!col.type) continue;
    let want: string;
    try {
      want = await canonicalType(conn, col.type);
    } catch {
      opts.report(at, `unknown type "${col.type}"`);
      continue;
    }
    if (opts.checkTypes && want !== found.type) {
      const hint = opts.typeHint?.(found.name);
      opts.report(at, `declared ${col.type}${want.toLowerCase() === col.type.toLowerCase() ? '' : ` (${want})`}, but ${opts.what} ${has} ${found.type}${hint ? ` (${hint})` : ''}`);
    }
  }
  return fileNames;
}

/** Which catalog key a DuckDB complaint about a scan belongs to. */
function keyForScanError(t: LakeTable, message: string): string {
  if (/hive/i.test(message)) return 'hive_partitioning';
  if (/COLUMN_TYPES|\btypes\b/.test(message) && t.format === 'csv') return t.csv?.types ? 'types' : 'columns';
  return t.format;
}

/**
 * Checks one lake table against its files: they exist, DuckDB can read them
 * with the given options, and declared columns and types agree with them.
 */
export async function verifyLakeTable(conn: EngineConnection, t: LakeTable, report: (at: KeyPath, message: string) => void): Promise<VerifiedLakeTable | null> {
  const at: KeyPath = ['schemas', t.schema, t.name];
  const written = t.pathAsWritten;
  let partitionKeys = new Set<string>();
  try {
    const rows = await conn.rows(`SELECT count(*) AS n, min(file) AS first FROM glob(${quoteLiteral(t.path)})`);
    if (Number(rows[0]!.n) === 0) {
      report([...at, t.format], `no files match "${written}"`);
      return null;
    }
    partitionKeys = new Set([...String(rows[0]!.first).matchAll(/[/\\]([^/\\=]+)=/g)].map((m) => m[1]!));
  } catch (e) {
    report([...at, t.format], `cannot list "${written}": ${messageOf(e)}`);
    return null;
  }
  let inFiles: FileColumn[];
  try {
    inFiles = await describeQuery(conn, `SELECT * FROM ${scanSql(t, { declaredTypes: false })}`);
  } catch (e) {
    const msg = messageOf(e);
    report([...at, keyForScanError(t, msg)], `cannot read "${written}": ${msg}`);
    return null;
  }
  let fileNames = new Map<string, string>();
  if (t.columns) {
    let ok = true;
    fileNames = await checkDeclaredColumns(conn, t.columns, inFiles, {
      at,
      what: 'the files',
      checkTypes: t.format === 'parquet',
      typeHint: (name) =>
        t.hivePartitioning && !t.hiveTypes?.[name] && partitionKeys.has(name)
          ? `a partition column: give its type with hive_partitioning: { ${name}: <type> }`
          : undefined,
      report: (where, message) => {
        ok = false;
        report(where, message);
      },
    });
    if (!ok) return null;
  }
  let columns = inFiles;
  if (t.format !== 'parquet' && t.columns?.some((c) => c.type)) {
    // CSV and JSON take the declared types as reader options: check that the
    // first rows convert (the whole file is not read here).
    const typed = scanSql(t);
    try {
      columns = await describeQuery(conn, `SELECT * FROM ${typed}`);
      await conn.rows(`SELECT * FROM ${typed} LIMIT ${SAMPLE_ROWS}`);
    } catch (e) {
      report([...at, 'columns'], `cannot read "${written}" with the declared types: ${messageOf(e)}`);
      return null;
    }
  }
  return { columns, fileNames };
}

/** Verifies every lake table of the catalog; returns what each reads, keyed by `schema.name`. */
export async function verifyLakeTables(conn: EngineConnection, catalog: Catalog, issues: CatalogIssue[]): Promise<Map<string, VerifiedLakeTable>> {
  const out = new Map<string, VerifiedLakeTable>();
  const report = (at: KeyPath, message: string): void => {
    issues.push(catalog.source ? catalog.source.issue(at, message) : { file: catalog.file, key: at.join('.'), message });
  };
  for (const o of catalog.objects) {
    if (o.kind !== 'lake') continue;
    const v = await verifyLakeTable(conn, o, report);
    if (v) out.set(`${o.schema}.${o.name}`, v);
  }
  return out;
}
