import type { LakeTable } from './model.js';
import { quoteIdent, quoteLiteral, structLiteral } from '../sql/quote.js';

export interface ScanOptions {
  /**
   * Apply the declared column types to the reader (CSV `types`, JSON
   * `columns`). Off when inspecting what the files themselves contain.
   */
  declaredTypes: boolean;
}

function commonOptions(t: LakeTable): string[] {
  const out = [`hive_partitioning = ${t.hivePartitioning}`];
  if (t.hiveTypes && Object.keys(t.hiveTypes).length > 0) out.push(`hive_types = ${structLiteral(Object.entries(t.hiveTypes))}`);
  if (t.unionByName) out.push('union_by_name = true');
  return out;
}

function csvOptions(t: LakeTable, opts: ScanOptions): string[] {
  const c = t.csv ?? {};
  const out: string[] = [];
  if (c.delimiter !== undefined) out.push(`delim = ${quoteLiteral(c.delimiter)}`);
  if (c.header !== undefined) out.push(`header = ${c.header}`);
  if (c.quote !== undefined) out.push(`quote = ${quoteLiteral(c.quote)}`);
  if (c.escape !== undefined) out.push(`escape = ${quoteLiteral(c.escape)}`);
  if (c.nullString !== undefined) out.push(`nullstr = ${quoteLiteral(c.nullString)}`);
  if (c.skip !== undefined) out.push(`skip = ${c.skip}`);
  if (c.dateFormat !== undefined) out.push(`dateformat = ${quoteLiteral(c.dateFormat)}`);
  if (c.timestampFormat !== undefined) out.push(`timestampformat = ${quoteLiteral(c.timestampFormat)}`);
  // Without a header row the declared columns name the fields, in order.
  if (c.header === false && t.columns) out.push(`names = [${t.columns.map((col) => quoteLiteral(col.name)).join(', ')}]`);
  const types = new Map(Object.entries(c.types ?? {}));
  if (opts.declaredTypes) for (const col of t.columns ?? []) if (col.type) types.set(col.name, col.type);
  if (types.size > 0) out.push(`types = ${structLiteral([...types])}`);
  return out;
}

function jsonOptions(t: LakeTable, opts: ScanOptions): string[] {
  const out = [`format = ${quoteLiteral(t.jsonFormat ?? 'newline_delimited')}`];
  // With every column typed, the reader reads just those keys with those types.
  const cols = t.columns;
  if (opts.declaredTypes && cols && cols.length > 0 && cols.every((c) => c.type)) {
    out.push(`columns = ${structLiteral(cols.map((c) => [c.name, c.type!]))}`);
  }
  return out;
}

/** The DuckDB table function call that reads a lake table's files. */
export function scanSql(t: LakeTable, opts: ScanOptions = { declaredTypes: true }): string {
  const p = quoteLiteral(t.path);
  switch (t.format) {
    case 'parquet':
      return `read_parquet(${[p, ...commonOptions(t)].join(', ')})`;
    case 'csv':
      return `read_csv(${[p, ...csvOptions(t, opts), ...commonOptions(t)].join(', ')})`;
    case 'json':
      return `read_json(${[p, ...jsonOptions(t, opts), ...commonOptions(t)].join(', ')})`;
  }
}

/**
 * The body of the view that serves a lake table: every column of the files,
 * or exactly the declared columns in their declared order. `fileNames` maps a
 * declared name to the files' spelling when they differ only in case.
 */
export function lakeViewSql(t: LakeTable, fileNames: Map<string, string> = new Map()): string {
  if (!t.columns || t.columns.length === 0) return `SELECT * FROM ${scanSql(t)}`;
  const cols = t.columns.map((c) => {
    const actual = fileNames.get(c.name) ?? c.name;
    return actual === c.name ? quoteIdent(c.name) : `${quoteIdent(actual)} AS ${quoteIdent(c.name)}`;
  });
  return `SELECT ${cols.join(', ')} FROM ${scanSql(t)}`;
}
