import type { AstNode } from '../../sql/ast.js';

/** What name resolution needs from the session and the catalog. */
export interface NameContext {
  /** Schemas of search_path in order, already expanded ("$user" → the user name). */
  searchPath: string[];
  /** The catalog's default schema: where `public` and unqualified names land when nothing else matches. */
  defaultSchema: string;
  /** The catalog's database name (a three-part name must use it). */
  database: string;
  /** Whether the catalog has a relation `schema.name`. */
  has(schema: string, name: string): boolean;
  /** Whether the catalog has a schema of this name. */
  hasSchema(schema: string): boolean;
}

/** Splits a search_path value (`"$user", public, "My Schema"`) into schema names. */
export function parseSearchPath(value: string, user: string): string[] {
  const out: string[] = [];
  const re = /\s*(?:"((?:[^"]|"")*)"|([^,\s]+))\s*(?:,|$)/g;
  for (let m = re.exec(value); m && m[0] !== ''; m = re.exec(value)) {
    const name = m[1] !== undefined ? m[1].replace(/""/g, '"') : m[2]!.toLowerCase();
    out.push(name === '$user' ? user : name);
  }
  return out;
}

export interface ResolvedName {
  schema: string;
  name: string;
}

/**
 * The catalog relation a RangeVar names, or null when it is not a catalog
 * relation (pg_catalog, information_schema, temporary tables, unknown names).
 * Qualified names are taken as written (`public` means the default schema
 * when the catalog has no schema called public); unqualified names follow
 * search_path, then the default schema.
 */
export function resolveRangeVar(rv: AstNode, ctx: NameContext): ResolvedName | null {
  const name = String(rv.relname);
  if (rv.catalogname && String(rv.catalogname) !== ctx.database) return null;
  if (rv.schemaname) {
    let schema = String(rv.schemaname);
    if (schema === 'public' && !ctx.hasSchema('public')) schema = ctx.defaultSchema;
    return ctx.has(schema, name) ? { schema, name } : null;
  }
  if (rv.relpersistence === 't') return null;
  for (let schema of ctx.searchPath) {
    if (schema === 'pg_catalog' || schema === 'information_schema') {
      continue;
    }
    if (schema === 'public' && !ctx.hasSchema('public')) schema = ctx.defaultSchema;
    if (ctx.has(schema, name)) return { schema, name };
  }
  return ctx.has(ctx.defaultSchema, name) ? { schema: ctx.defaultSchema, name } : null;
}
