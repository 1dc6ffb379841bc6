import path from 'node:path';
import { z } from 'zod';
import { CatalogError } from '../errors.js';
import type { CatalogObject, RemoteImport } from '../model.js';
import { substituteEnv } from './env.js';

export const identifier = z.string().regex(/^[A-Za-z_][A-Za-z0-9_$]*$/, 'must be a plain identifier');

export const tableSchema = z
  .object({
    parquet: z.string().optional(),
    csv: z.string().optional(),
    json: z.string().optional(),
    hive_partitioning: z.boolean().optional(),
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
  .record(z.string(), z.union([z.string(), z.object({ sql: z.string(), comment: z.string().optional() }).strict()]))
  .optional();

/** Turns `schemas:` and `views:` into catalog objects and remote-schema imports. */
export function buildObjects(
  schemas: z.infer<typeof schemasSchema>,
  views: z.infer<typeof viewsSchema>,
  dir: string,
  file: string,
): { objects: CatalogObject[]; imports: RemoteImport[] } {
  const objects: CatalogObject[] = [];
  const imports: RemoteImport[] = [];
  for (const [schema, tables] of Object.entries(schemas)) {
    for (const [name, t] of Object.entries(tables)) {
      const key = `schemas.${schema}.${name}`;
      if (t.source !== undefined) {
        if (t.import !== undefined) {
          imports.push({ kind: 'import', schema, source: t.source, remoteSchema: t.import === '*' ? undefined : t.import, include: t.include ?? [], exclude: t.exclude ?? [] });
          continue;
        }
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
      const formats = (['parquet', 'csv', 'json'] as const).filter((f) => t[f] !== undefined);
      if (formats.length !== 1) throw new CatalogError(`${file}: ${key}: give exactly one of parquet, csv, json (or source)`);
      const format = formats[0]!;
      const rel = substituteEnv(t[format]!, `${file}: ${key}.${format}`);
      objects.push({ kind: 'lake', schema, name, format, path: path.resolve(dir, rel), hivePartitioning: t.hive_partitioning ?? false, comment: t.comment });
    }
  }
  for (const [qualified, v] of Object.entries(views ?? {})) {
    const [schema, name, extra] = qualified.split('.');
    if (!schema || !name || extra !== undefined) throw new CatalogError(`${file}: views.${qualified}: view names are schema.view`);
    const sql = typeof v === 'string' ? v : v.sql;
    objects.push({ kind: 'view', schema, name, sql, comment: typeof v === 'string' ? undefined : v.comment });
  }
  return { objects, imports };
}
