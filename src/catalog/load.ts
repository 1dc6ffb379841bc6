import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { serverSectionSchema } from '../config/options.js';
import { CatalogError, type CatalogIssue } from './errors.js';
import type { Catalog } from './model.js';
import { buildObjects, identifier, reservedSchemaName, schemasSchema, viewsSchema } from './sections/schemas.js';
import { substituteEnv } from './sections/env.js';
import { buildSources, sourcesSchema } from './sections/sources.js';
import { buildServer } from './sections/server.js';
import { buildRoles, buildUsers, rolesSchema, usersSchema } from './sections/users.js';
import { CatalogSource } from './source-map.js';

export { CatalogError };

const catalogSchema = z
  .object({
    database: z.string().min(1).default('lakegate'),
    default_schema: identifier.optional(),
    server: serverSectionSchema.optional(),
    lake_roots: z.array(z.string().min(1)).optional(),
    users: usersSchema,
    roles: rolesSchema,
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

/** zod's wording → the catalog's: short, lower-case, about the key that is wrong. */
function zodIssues(error: z.ZodError, source: CatalogSource): CatalogIssue[] {
  const out: CatalogIssue[] = [];
  for (const issue of error.issues) {
    const at = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push(source.issue([...at, key], 'unknown key'));
      continue;
    }
    let message = issue.message.replace(/^Invalid input: /, '');
    if (issue.code === 'invalid_key') message = issue.issues[0]?.message ?? message;
    if (issue.code === 'invalid_type' && /received undefined$/.test(message)) message = `is required (${message.replace(/, received undefined$/, '')})`;
    out.push(source.issue(at, message.charAt(0).toLowerCase() + message.slice(1)));
  }
  return out;
}

/** Reads the catalog file's text; a missing file is an error naming it. */
function readCatalogText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CatalogError([{ file, key: '', message: code === 'ENOENT' ? 'no such catalog file' : `cannot read the catalog file (${code ?? String(e)})` }]);
  }
}

/**
 * Reads and validates a catalog. Every problem found is reported at once,
 * each with the file, line and key; checks that need DuckDB (files match,
 * columns agree, views bind) happen when the catalog is installed.
 */
export function loadCatalog(dirOrFile: string): Catalog {
  const file = catalogFile(dirOrFile);
  const dir = path.dirname(file);
  const source = CatalogSource.parse(path.basename(file), readCatalogText(file));
  const parsed = catalogSchema.safeParse(source.toJS());
  if (!parsed.success) throw new CatalogError(zodIssues(parsed.error, source));
  const c = parsed.data;
  const issues: CatalogIssue[] = [];
  const base = source.name;
  const collect = <T>(fn: () => T, fallback: T): T => {
    try {
      return fn();
    } catch (e) {
      issues.push(...source.locate(e));
      return fallback;
    }
  };
  const { objects, imports } = buildObjects(c.schemas, c.views, { dir, source, issues });
  const sources = collect(() => buildSources(c.sources, dir, base), []);
  const users = collect(() => buildUsers(c.users, base), []);
  const roles = collect(() => buildRoles(c.roles, base), []);
  for (const o of [...objects, ...imports]) {
    if ((o.kind === 'remote' || o.kind === 'import') && !c.sources[o.source]) {
      const at = o.kind === 'remote' ? ['schemas', o.schema, o.name, 'source'] : ['schemas', o.schema];
      issues.push(source.issue(at, `no source named "${o.source}"`));
    }
  }
  const schemaNames = [...new Set([...objects.map((o) => o.schema), ...imports.map((i) => i.schema)])];
  for (const name of Object.keys(c.schema_comments ?? {})) {
    if (!schemaNames.includes(name)) issues.push(source.issue(['schema_comments', name], `no schema named "${name}" in schemas or views`));
  }
  if (c.default_schema !== undefined && schemaNames.length > 0 && !schemaNames.includes(c.default_schema)) {
    issues.push(source.issue(['default_schema'], `no schema named "${c.default_schema}" in schemas or views`));
  }
  if (c.default_schema !== undefined && reservedSchemaName(c.default_schema)) {
    issues.push(source.issue(['default_schema'], `schema name "${c.default_schema}" is reserved`));
  }
  const lakeRoots: string[] = [];
  (c.lake_roots ?? []).forEach((written, i) => {
    const at = ['lake_roots', i];
    const expanded = collect(() => substituteEnv(written, `${base}: lake_roots.${i}`), null);
    if (expanded === null) return;
    const abs = path.resolve(dir, expanded);
    if (!fs.existsSync(abs) || !fs.statSync(abs).isDirectory()) issues.push(source.issue(at, `no such directory "${written}"`));
    else lakeRoots.push(abs);
  });
  const server: Catalog['server'] = collect(() => buildServer(c.server, dir, base), { auth: {}, limits: {} });
  const listen = c.server?.listen;
  if (listen) {
    const m = /^(.*):(\d+)$/.exec(listen);
    if (!m) issues.push(source.issue(['server', 'listen'], 'expected host:port'));
    else {
      server.host = m[1];
      server.port = Number(m[2]);
    }
  }
  if (issues.length > 0) throw new CatalogError(issues);
  return {
    dir,
    file,
    database: c.database,
    defaultSchema: c.default_schema ?? schemaNames[0] ?? 'public',
    users,
    roles,
    schemas: schemaNames.map((name) => ({ name, comment: c.schema_comments?.[name] })),
    objects,
    imports,
    sources,
    server,
    lakeRoots,
    source,
  };
}
