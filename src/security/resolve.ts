import { INTERNAL_SCHEMA } from '../catalog/install.js';
import { PgError, SqlState } from '../errors.js';
import type { UserAccess } from './access.js';
import { denied, NeedTempTables, undefinedTable } from './errors.js';
import { PG_CATALOG_RELATIONS, RESERVED_PREFIX, reservedSchema, systemRelationAllowed, SYSTEM_SCHEMAS } from './sandbox.js';

/** What the authorizer needs to know about the session. */
export interface AuthorizeContext {
  access: UserAccess;
  database: string;
  defaultSchema: string;
  /** search_path entries, unquoted ("$user" already replaced). */
  searchPath: string[];
  /** The session's temporary tables (lower-case), or null when not loaded yet. */
  tempTables: Set<string> | null;
  /** DuckDB's built-in table functions (lower-case): refused unless allowlisted. */
  builtinTableFunctions: Set<string>;
  /** The installed name of a secure view. */
  secureViewName(name: string): string;
  /** The secure view's query (PostgreSQL AST), inlined in place of the table. */
  secureViewQuery(installedName: string): Record<string, any> | null;
  /** The same as DuckDB's AST. */
  secureViewDuckQuery(installedName: string): Record<string, any> | null;
  /** Whether functions the pg_catalog emulation answers may be called (PostgreSQL statements, whose rewrite replaces them). */
  emulation: boolean;
}

/** Where a relation reference leads; the authorizer rewrites the reference accordingly. */
export type Resolved =
  | { kind: 'cte'; name: string }
  /** A catalog relation: qualify it with `schema`, or read `secureView` (in the internal schema) instead. */
  | { kind: 'catalog'; schema: string; name: string; secureView?: string }
  /** One of the session's temporary tables (DuckDB: temp.main.<name>). */
  | { kind: 'temp'; name: string }
  /** A system catalog relation, left as written. */
  | { kind: 'system'; schema: string; name: string };

export interface RelationName {
  catalog?: string;
  schema?: string;
  name: string;
}

const TEMP_SCHEMAS = new Set(['pg_temp', 'temp']);
const lower = (s: string): string => s.toLowerCase();

/** A name DuckDB would read as a file (replacement scan): a path or a data file name. */
export function looksLikeFile(name: string): boolean {
  return /[/\\]|:\/\/|\.(parquet|csv|tsv|json|ndjson|jsonl|txt|gz|zst|db|duckdb|sqlite|arrow|xlsx)$/i.test(name);
}

export function isTempSchema(schema: string): boolean {
  return TEMP_SCHEMAS.has(lower(schema));
}

/**
 * Resolves relation references as PostgreSQL would for this session (CTEs,
 * pg_catalog, search_path, temporary tables) and checks each against the
 * user's grants. Shared by the PostgreSQL-AST and DuckDB-AST authorizers;
 * collects the objects a statement touches.
 */
export class RelationResolver {
  readonly objects = new Set<string>();
  usedTemp = false;

  constructor(readonly ctx: AuthorizeContext) {}

  temp(): Set<string> {
    this.usedTemp = true;
    if (this.ctx.tempTables === null) throw new NeedTempTables();
    return this.ctx.tempTables;
  }

  /** `cte` maps an unqualified name to its CTE's new name when one is in scope. */
  resolve(ref: RelationName, cte: (name: string) => string | undefined): Resolved {
    const written = [ref.catalog, ref.schema, ref.name].filter(Boolean).join('.');
    let schemaName = ref.schema;
    if (ref.catalog) {
      if (lower(ref.catalog) === 'temp' && (!schemaName || lower(schemaName) === 'main')) {
        // DuckDB's spelling of the session's temporary schema
        return this.tempOrMissing(ref.name, written);
      }
      if (lower(ref.catalog) !== lower(this.ctx.database)) {
        throw new PgError(SqlState.FeatureNotSupported, `cross-database references are not implemented: "${written}"`);
      }
    }
    const name = ref.name;
    if (!schemaName) {
      const c = cte(name);
      if (c !== undefined) return { kind: 'cte', name: c };
      if (PG_CATALOG_RELATIONS.has(lower(name))) return this.system('pg_catalog', name, written);
      for (const schema of this.ctx.searchPath) {
        const s = lower(schema);
        if (s === 'pg_catalog') continue; // searched first, above
        if (s === 'pg_temp') {
          const t = this.tempTable(name);
          if (t) return t;
          continue;
        }
        const found = this.catalogRelation(this.publicSchema(schema), name);
        if (found) return found;
      }
      const t = this.tempTable(name);
      if (t) return t;
      if (looksLikeFile(name)) throw denied('permission denied: a file path is not a table', "Read data through the catalog's tables.");
      throw undefinedTable(written);
    }
    const schema = lower(schemaName);
    if (SYSTEM_SCHEMAS.has(schema)) return this.system(schema, name, written);
    if (TEMP_SCHEMAS.has(schema)) return this.tempOrMissing(name, written);
    // the gateway's own schemas do not exist for clients
    if (schema === INTERNAL_SCHEMA || reservedSchema(schema)) throw undefinedTable(written);
    const target = this.publicSchema(schemaName);
    const found = this.catalogRelation(target, name);
    if (found) return found;
    if (this.ctx.access.schemaFullyVisible(target)) {
      // a whole schema the user reads without restrictions: an unknown name is left to DuckDB and
      // federation (a remote table whose source is down answers with class 08), qualified
      if (this.ctx.access.schemaExists(target) && this.ctx.access.schemaUnrestricted(target)) {
        this.objects.add(`${target}.${name}`);
        return { kind: 'catalog', schema: this.ctx.access.schemaName(target), name };
      }
      throw undefinedTable(written);
    }
    throw denied(`permission denied for table ${written}`);
  }

  /**
   * The table an INSERT, UPDATE or DELETE writes (not a temporary table):
   * resolved like a read, and the user needs a grant with that privilege.
   */
  writeTarget(ref: RelationName, verb: 'insert' | 'update' | 'delete'): { schema: string; name: string } {
    const written = [ref.catalog, ref.schema, ref.name].filter(Boolean).join('.');
    if (ref.catalog && lower(ref.catalog) !== lower(this.ctx.database)) {
      throw new PgError(SqlState.FeatureNotSupported, `cross-database references are not implemented: "${written}"`);
    }
    let schema: string | undefined;
    if (ref.schema) {
      const s = lower(ref.schema);
      if (s === INTERNAL_SCHEMA || reservedSchema(s) || SYSTEM_SCHEMAS.has(s)) throw denied(`permission denied for table ${written}`);
      schema = this.publicSchema(ref.schema);
    } else {
      for (const sp of this.ctx.searchPath) {
        const candidate = this.publicSchema(sp);
        if (this.ctx.access.relationExists(candidate, ref.name)) {
          schema = candidate;
          break;
        }
      }
      if (!schema) throw undefinedTable(written);
    }
    if (!this.ctx.access.canWrite(schema, ref.name, verb)) throw denied(`permission denied for table ${written}`);
    const canonical = this.ctx.access.schemaName(schema);
    this.objects.add(`${canonical}.${ref.name}`);
    return { schema: canonical, name: ref.name };
  }

  /** `public` means the catalog's default schema unless the catalog has a real schema named public. */
  private publicSchema(schema: string): string {
    if (lower(schema) !== 'public' || this.ctx.access.schemaExists('public')) return schema;
    return this.ctx.defaultSchema;
  }

  private catalogRelation(schema: string, name: string): Resolved | null {
    const access = this.ctx.access.table(schema, name);
    if (!access) return null;
    this.objects.add(`${access.schema}.${access.name}`);
    return {
      kind: 'catalog',
      schema: access.schema,
      name: access.name,
      secureView: access.secureView ? this.ctx.secureViewName(access.secureView) : undefined,
    };
  }

  private tempTable(name: string): Resolved | null {
    const key = lower(name);
    // the gateway's per-session tables do not exist for clients
    if (key.startsWith(RESERVED_PREFIX) || !this.temp().has(key)) return null;
    this.objects.add(`pg_temp.${name}`);
    return { kind: 'temp', name };
  }

  private tempOrMissing(name: string, written: string): Resolved {
    const t = this.tempTable(name);
    if (t) return t;
    throw undefinedTable(written);
  }

  private system(schema: string, name: string, written: string): Resolved {
    if (!systemRelationAllowed(schema, name) && !this.ctx.access.trusted) throw denied(`permission denied for table ${written}`, 'This system catalog is not available.');
    this.objects.add(`${schema}.${lower(name)}`);
    return { kind: 'system', schema, name };
  }
}
