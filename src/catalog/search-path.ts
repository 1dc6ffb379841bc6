import type { Catalog } from './model.js';
import { INTERNAL_SCHEMA } from './internal.js';

/** Splits a PostgreSQL search_path value into schema names (quoted names keep their case). */
export function parseSearchPath(value: string): string[] {
  const out: string[] = [];
  const re = /\s*(?:"((?:[^"]|"")*)"|([^,\s]+))\s*(?:,|$)/gy;
  let m: RegExpExecArray | null;
  while (re.lastIndex < value.length && (m = re.exec(value)) !== null) {
    if (m[1] !== undefined) out.push(m[1].replace(/""/g, '"'));
    else if (m[2] !== undefined) out.push(m[2].replace(/^'(.*)'$/, '$1').toLowerCase());
    if (m[0] === '') break;
  }
  return out;
}

/** Schemas DuckDB knows besides the catalog's, which a search_path may name. */
const SYSTEM_SCHEMAS = new Set(['pg_catalog', 'information_schema', 'main', 'temp']);

/**
 * Maps a client's PostgreSQL search_path onto the DuckDB connection's:
 * `"$user"` is the schema named like the user if the catalog has one,
 * `public` is the catalog's `public` schema if it declares one and otherwise
 * its default schema, and names of schemas that do not exist are skipped, as
 * PostgreSQL skips them. The result is DuckDB's search_path value.
 */
export class SearchPathMapper {
  private readonly schemas: Map<string, string>;
  private readonly cache = new Map<string, string>();

  constructor(private readonly catalog: Pick<Catalog, 'schemas' | 'defaultSchema'>) {
    this.schemas = new Map(catalog.schemas.map((s) => [s.name.toLowerCase(), s.name]));
  }

  /** The schema `public` stands for. */
  get publicSchema(): string {
    return this.schemas.get('public') ?? this.catalog.defaultSchema;
  }

  private resolve(name: string, user: string): string | null {
    if (name === '$user') return this.schemas.get(user.toLowerCase()) ?? null;
    if (name === 'public') return this.publicSchema;
    if (name === 'pg_temp') return 'temp';
    if (name.toLowerCase() === INTERNAL_SCHEMA) return null;
    const declared = this.schemas.get(name.toLowerCase());
    if (declared) return declared;
    return SYSTEM_SCHEMAS.has(name) ? name : null;
  }

  toDuckDb(pgSearchPath: string, user: string): string {
    const cacheKey = `${user}\u0000${pgSearchPath}`;
    let out = this.cache.get(cacheKey);
    if (out === undefined) {
      const names: string[] = [];
      for (const n of parseSearchPath(pgSearchPath)) {
        const r = this.resolve(n, user);
        if (r !== null && !names.includes(r)) names.push(r);
      }
      out = names.map((n) => `"${n.replace(/"/g, '""')}"`).join(',');
      if (this.cache.size > 1000) this.cache.clear();
      this.cache.set(cacheKey, out);
    }
    return out;
  }
}
