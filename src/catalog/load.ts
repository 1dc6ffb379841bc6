import fs from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import type { Catalog, CatalogObject } from './model.js';

export class CatalogError extends Error {}

const identifier = z.string().regex(/^[A-Za-z_][A-Za-z0-9_$]*$/, 'must be a plain identifier');

const tableSchema = z
  .object({
    parquet: z.string().optional(),
    csv: z.string().optional(),
    json: z.string().optional(),
    hive_partitioning: z.boolean().optional(),
    comment: z.string().optional(),
  })
  .strict();

const userSchema = z
  .object({
    name: z.string().min(1),
    password: z.string().optional(),
    method: z.enum(['scram-sha-256', 'md5', 'password', 'trust']).optional(),
    plaintext_password: z.boolean().optional(),
  })
  .strict();

const catalogSchema = z
  .object({
    database: z.string().min(1).default('lakegate'),
    default_schema: identifier.optional(),
    server: z.object({ listen: z.string().optional() }).strict().optional(),
    users: z.array(userSchema).default([]),
    schema_comments: z.record(z.string(), z.string()).optional(),
    schemas: z.record(identifier, z.record(identifier, tableSchema)).default({}),
    views: z.record(z.string(), z.union([z.string(), z.object({ sql: z.string(), comment: z.string().optional() }).strict()])).optional(),
  })
  .strict();

/** Replaces `${NAME}` with the environment variable; a missing one is an error. */
function substituteEnv(text: string, where: string): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
    const v = process.env[name];
    if (v === undefined) throw new CatalogError(`${where}: environment variable ${name} is not set`);
    return v;
  });
}

export function catalogFile(dirOrFile: string): string {
  const p = path.resolve(dirOrFile);
  if (fs.existsSync(p) && fs.statSync(p).isDirectory()) return path.join(p, 'catalog.yaml');
  return p;
}

/** Reads and validates a catalog; errors name the file and key. */
export function loadCatalog(dirOrFile: string): Catalog {
  const file = catalogFile(dirOrFile);
  const dir = path.dirname(file);
  const base = path.basename(file);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new CatalogError(`${file}: cannot read catalog file`);
  }
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    throw new CatalogError(`${base}:${e.linePos?.[0]?.line ?? 1}: ${e.message.split('\n')[0]}`);
  }
  const parsed = catalogSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new CatalogError(`${base}: ${issue.path.join('.')}: ${issue.message}`);
  }
  const c = parsed.data;
  const objects: CatalogObject[] = [];
  for (const [schema, tables] of Object.entries(c.schemas)) {
    for (const [name, t] of Object.entries(tables)) {
      const key = `schemas.${schema}.${name}`;
      const formats = (['parquet', 'csv', 'json'] as const).filter((f) => t[f] !== undefined);
      if (formats.length !== 1) throw new CatalogError(`${base}: ${key}: give exactly one of parquet, csv, json`);
      const format = formats[0]!;
      const rel = substituteEnv(t[format]!, `${base}: ${key}.${format}`);
      objects.push({
        kind: 'lake',
        schema,
        name,
        format,
        path: path.resolve(dir, rel),
        hivePartitioning: t.hive_partitioning ?? false,
        comment: t.comment,
      });
    }
  }
  for (const [qualified, v] of Object.entries(c.views ?? {})) {
    const [schema, name, extra] = qualified.split('.');
    if (!schema || !name || extra !== undefined) throw new CatalogError(`${base}: views.${qualified}: view names are schema.view`);
    const sql = typeof v === 'string' ? v : v.sql;
    objects.push({ kind: 'view', schema, name, sql, comment: typeof v === 'string' ? undefined : v.comment });
  }
  const schemaNames = [...new Set(objects.map((o) => o.schema))];
  const defaultSchema = c.default_schema ?? schemaNames[0] ?? 'public';
  const listen = c.server?.listen;
  const server: Catalog['server'] = {};
  if (listen) {
    const m = /^(.*):(\d+)$/.exec(listen);
    if (!m) throw new CatalogError(`${base}: server.listen: expected host:port`);
    server.host = m[1];
    server.port = Number(m[2]);
  }
  return {
    dir,
    file,
    database: c.database,
    defaultSchema,
    users: c.users.map((u) => ({ name: u.name, password: u.password === undefined ? undefined : substituteEnv(u.password, `${base}: users.${u.name}.password`), method: u.method, allowPlaintext: u.plaintext_password })),
    schemas: schemaNames.map((name) => ({ name, comment: c.schema_comments?.[name] })),
    objects,
    server,
  };
}
