import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { CatalogIssue } from '../errors.js';
import type { CatalogObject, CsvOptions, DeclaredColumn, LakeTable, RemoteImport } from '../model.js';
import type { CatalogSource, KeyPath } from '../source-map.js';
import { substituteEnv } from './env.js';

export const identifier = z.string().regex(/^[A-Za-z_][A-Za-z0-9_$]*$/, 'must be a plain identifier (letters, digits, _ and $, not starting with a digit)');

/** A type name as PostgreSQL or DuckDB spell it: `bigint`, `numeric(10,2)`, `timestamp with time zone`, `int[]`. */
export const typeName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*(?: [A-Za-z_][A-Za-z0-9_]*)*\s*(?:\(\s*\d+\s*(?:,\s*\d+\s*)?\))?(?:\s*\[\d*\])*$/, 'is not a type name');

const columnSpec = z.union([typeName, z.object({ type: typeName.optional(), comment: z.string().optional() }).strict(), z.null()], {
  error: 'expected a type name, or { type, comment }',
});

export const columnsSchema = z.record(identifier, columnSpec);

/** Keys that only make sense for one file format. */
const CSV_KEYS = ['delimiter', 'header', 'quote', 'escape', 'null', 'skip', 'types', 'date_format', 'timestamp_format'] as const;
const JSON_KEYS = ['json_format'] as const;
const LAKE_KEYS = ['hive_partitioning', 'union_by_name', ...CSV_KEYS, ...JSON_KEYS] as const;

export const tableSchema = z
  .object({
    parquet: z.string().min(1).optional(),
    csv: z.string().min(1).optional(),
    json: z.string().min(1).optional(),
    hive_partitioning: z.union([z.boolean(), z.record(identifier, typeName)], { error: 'expected true/false, or partition column → type' }).optional(),
    union_by_name: z.boolean().optional(),
    delimiter: z.string().min(1).max(4).optional(),
    header: z.boolean().optional(),
    quote: z.string().max(1).optional(),
    escape: z.string().max(1).optional(),
    null: z.string().optional(),
    skip: z.number().int().min(0).optional(),
    types: z.record(z.string().min(1), typeName).optional(),
    date_format: z.string().min(1).optional(),
    timestamp_format: z.string().min(1).optional(),
    json_format: z.enum(['newline_delimited', 'array', 'auto']).optional(),
    columns: columnsSchema.optional(),
    source: z.string().optional(),
    table: z.string().optional(),
    import: z.string().optional(),
    include: z.array(z.string()).optional(),
    exclude: z.array(z.string()).optional(),
    comment: z.string().optional(),
  })
  .strict();

export const schemasSchema = z.record(identifier, z.record(identifier, tableSchema)).default({});

export const viewsSchema = z
  .record(
    z.string(),
    z.union([z.string(), z.object({ sql: z.string(), comment: z.string().optional(), columns: columnsSchema.optional() }).strict()], {
      error: 'expected the view SQL, or { sql, comment, columns }',
    }),
  )
  .optional();

/** Schema names PostgreSQL or DuckDB reserve, and lakegate's own. */
export function reservedSchemaName(name: string): boolean {
  const n = name.toLowerCase();
  return n.startsWith('pg_') || ['information_schema', 'lakegate_internal', 'temp', 'system'].includes(n);
}

type TableSpec = z.infer<typeof tableSchema>;

const GLOB_CHARS = /[*?[{]/;

/** Extensions a directory of each format is searched for, in order of preference. */
const DIRECTORY_EXTENSIONS: Record<LakeTable['format'], string[]> = {
  parquet: ['parquet'],
  csv: ['csv'],
  json: ['json', 'ndjson', 'jsonl'],
};

function hasFileWithExtension(dir: string, ext: string): boolean {
  const suffix = `.${ext}`;
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith(suffix)) return true;
  }
  return false;
}

/** Turns a table path as written into an absolute path or glob; a directory becomes `dir/**\/*.<ext>`. */
function resolveLakePath(written: string, format: LakeTable['format'], dir: string, where: string): { path: string } | { error: string } {
  let expanded: string;
  try {
    expanded = substituteEnv(written, where);
  } catch (e) {
    return { error: (e as Error).message.slice(where.length + 2) };
  }
  const abs = path.resolve(dir, expanded);
  if (GLOB_CHARS.test(abs)) return { path: abs };
  let stat: fs.Stats;
  try {
    stat = fs.statSync(abs);
  } catch {
    return { error: `no such file or directory "${written}"` };
  }
  if (!stat.isDirectory()) return { path: abs };
  const ext = DIRECTORY_EXTENSIONS[format].find((x) => hasFileWithExtension(abs, x));
  if (!ext) return { error: `no ${DIRECTORY_EXTENSIONS[format].map((x) => `.${x}`).join(' or ')} files under directory "${written}"` };
  return { path: path.join(abs, '**', `*.${ext}`) };
}

export function declaredColumns(spec: z.infer<typeof columnsSchema> | undefined): DeclaredColumn[] | undefined {
  if (!spec) return undefined;
  return Object.entries(spec).map(([name, c]) => {
    if (c === null) return { name };
    if (typeof c === 'string') return { name, type: c };
    return { name, type: c.type, comment: c.comment };
  });
}

function csvOptions(t: TableSpec): CsvOptions {
  return {
    delimiter: t.delimiter,
    header: t.header,
    quote: t.quote,
    escape: t.escape,
    nullString: t.null,
    skip: t.skip,
    types: t.types,
    dateFormat: t.date_format,
    timestampFormat: t.timestamp_format,
  };
}

/** Context for building one section: where the catalog lives and where to report problems. */
export interface BuildContext {
  dir: string;
  source: CatalogSource;
  issues: CatalogIssue[];
}

function lakeTable(schema: string, name: string, t: TableSpec, ctx: BuildContext): LakeTable | null {
  const at: KeyPath = ['schemas', schema, name];
  const report = (key: string | null, message: string): null => {
    ctx.issues.push(ctx.source.issue(key ? [...at, key] : at, message));
    return null;
  };
  const formats = (['parquet', 'csv', 'json'] as const).filter((f) => t[f] !== undefined);
  if (formats.length !== 1) return report(null, formats.length === 0 ? 'give the files: parquet, csv or json (or a source)' : `give only one of ${formats.join(', ')}`);
  const format = formats[0]!;
  for (const key of CSV_KEYS) if (t[key] !== undefined && format !== 'csv') return report(key, `only applies to csv tables`);
  for (const key of JSON_KEYS) if (t[key] !== undefined && format !== 'json') return report(key, `only applies to json tables`);
  for (const key of ['table', 'include', 'exclude', 'import'] as const) if (t[key] !== undefined) return report(key, 'only applies to tables of a source');
  const written = t[format]!;
  const resolved = resolveLakePath(written, format, ctx.dir, `${ctx.source.name}: ${[...at, format].join('.')}`);
  if ('error' in resolved) return report(format, resolved.error);
  const hive = t.hive_partitioning;
  return {
    kind: 'lake',
    schema,
    name,
    format,
    path: resolved.path,
    pathAsWritten: written,
    hivePartitioning: hive !== undefined && hive !== false,
    hiveTypes: typeof hive === 'object' ? hive : undefined,
    unionByName: t.union_by_name ?? false,
    csv: format === 'csv' ? csvOptions(t) : undefined,
    jsonFormat: format === 'json' ? (t.json_format ?? 'newline_delimited') : undefined,
    columns: declaredColumns(t.columns),
    comment: t.comment,
  };
}

/** Turns `schemas:` and `views:` into catalog objects and remote-schema imports; problems go to `ctx.issues`. */
export function buildObjects(
  schemas: z.infer<typeof schemasSchema>,
  views: z.infer<typeof viewsSchema>,
  ctx: BuildContext,
): { objects: CatalogObject[]; imports: RemoteImport[] } {
  const objects: CatalogObject[] = [];
  const imports: RemoteImport[] = [];
  const seen = new Map<string, KeyPath>();
  const unique = (schema: string, name: string, at: KeyPath): boolean => {
    const k = `${schema.toLowerCase()}.${name.toLowerCase()}`;
    const first = seen.get(k);
    if (first) {
      ctx.issues.push(ctx.source.issue(at, `${schema}.${name} is already declared at line ${ctx.source.line(first)} (names are case-insensitive)`));
      return false;
    }
    seen.set(k, at);
    return true;
  };
  for (const [schema, tables] of Object.entries(schemas)) {
    if (reservedSchemaName(schema)) {
      ctx.issues.push(ctx.source.issue(['schemas', schema], `schema name "${schema}" is reserved`));
      continue;
    }
    for (const [name, t] of Object.entries(tables)) {
      const at = ['schemas', schema, name];
      if (t.source !== undefined) {
        for (const key of ['parquet', 'csv', 'json', 'columns', ...LAKE_KEYS] as const) {
          if (t[key] !== undefined) ctx.issues.push(ctx.source.issue([...at, key], 'does not apply to tables of a source'));
        }
        if (t.import !== undefined) {
          imports.push({ kind: 'import', schema, source: t.source, remoteSchema: t.import === '*' ? undefined : t.import, include: t.include ?? [], exclude: t.exclude ?? [] });
          continue;
        }
        if (!unique(schema, name, at)) continue;
        const remote = t.table ?? name;
        const dot = remote.lastIndexOf('.');
        objects.push({
          kind: 'remote',
          schema,
          name,
          source: t.source,
          remoteSchema: dot >= 0 ? remote.slice(0, dot) : undefined,
          remoteTable: dot >= 0 ? remote.slice(dot + 1) : remote,
          comment: t.comment,
        });
        continue;
      }
      if (!unique(schema, name, at)) continue;
      const lake = lakeTable(schema, name, t, ctx);
      if (lake) objects.push(lake);
    }
  }
  for (const [qualified, v] of Object.entries(views ?? {})) {
    const at = ['views', qualified];
    const parts = qualified.split('.');
    const [schema, name] = parts;
    const ok = parts.length === 2 && identifier.safeParse(schema).success && identifier.safeParse(name).success;
    if (!ok || !schema || !name) {
      ctx.issues.push(ctx.source.issue(at, 'view names are schema.view, each a plain identifier'));
      continue;
    }
    if (reservedSchemaName(schema)) {
      ctx.issues.push(ctx.source.issue(at, `schema name "${schema}" is reserved`));
      continue;
    }
    if (!unique(schema, name, at)) continue;
    const spec = typeof v === 'string' ? { sql: v } : v;
    if (spec.sql.trim() === '') {
      ctx.issues.push(ctx.source.issue(typeof v === 'string' ? at : [...at, 'sql'], 'the view SQL is empty'));
      continue;
    }
    objects.push({ kind: 'view', schema, name, sql: spec.sql, comment: 'comment' in spec ? spec.comment : undefined, columns: declaredColumns('columns' in spec ? spec.columns : undefined) });
  }
  return { objects, imports };
}
