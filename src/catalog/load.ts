import fs from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { serverSectionSchema } from '../config/options.js';
import { CatalogError } from './errors.js';
import type { Catalog } from './model.js';
import { buildObjects, identifier, schemasSchema, viewsSchema } from './sections/schemas.js';
import { buildSources, sourcesSchema } from './sections/sources.js';
import { buildUsers, usersSchema } from './sections/users.js';

export { CatalogError };

const catalogSchema = z
  .object({
    database: z.string().min(1).default('lakegate'),
    default_schema: identifier.optional(),
    server: serverSectionSchema.optional(),
    users: usersSchema,
    sources: sourcesSchema,
    schema_comments: z.record(z.string(), z.string()).optional(),
    schemas: schemasSchema,
    views: viewsSchema,
  })
  .strict();

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
  const { objects, imports } = buildObjects(c.schemas, c.views, dir, base);
  const sources = buildSources(c.sources, dir, base);
  for (const o of [...objects, ...imports]) {
    if ((o.kind === 'remote' || o.kind === 'import') && !sources.some((s) => s.name === o.source)) {
      throw new CatalogError(`${base}: schemas.${o.schema}${o.kind === 'remote' ? `.${o.name}` : ''}.source: no source named "${o.source}"`);
    }
  }
  const schemaNames = [...new Set([...objects.map((o) => o.schema), ...imports.map((i) => i.schema)])];
  const defaultSchema = c.default_schema ?? schemaNames[0] ?? 'public';
  const server: Catalog['server'] = {};
  const listen = c.server?.listen;
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
    users: buildUsers(c.users, base),
    schemas: schemaNames.map((name) => ({ name, comment: c.schema_comments?.[name] })),
    objects,
    imports,
    sources,
    server,
  };
}
