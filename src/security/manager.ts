import crypto from 'node:crypto';
import { INTERNAL_SCHEMA, quoteIdent, quoteLiteral } from '../catalog/install.js';
import type { Catalog } from '../catalog/model.js';
import type { EngineConnection } from '../engine/connection.js';
import type { Logger } from '../observability/logger.js';
import { parseSql, type AstNode } from '../sql/ast.js';
import type { Token } from '../sql/scanner.js';
import { LruCache } from '../util/lru.js';
import { AccessConfigError, AccessPolicy, type UserAccess, type VisibleObject } from './access.js';
import { RelationDirectory } from './directory.js';
import { parseKeepingNumbers, stripLocations } from './duck-authorize.js';

export { AccessConfigError };

/** An authorized statement, cached per user, generation and search_path. */
export interface AuthorizedStatement {
  text: string;
  tokens: Token[];
  objects: string[];
}

const SECURE_PREFIX = 'secure:';

/**
 * Owns the access policy for the current catalog: the directory of relations,
 * each user's grants, the per-user secure views in DuckDB, and a cache of
 * authorized statements. `apply` can run again after a catalog reload; a
 * failure leaves the previous policy in force.
 */
export class SecurityManager {
  private policy: AccessPolicy | null = null;
  private viewNames = new Map<string, string>();
  /** Installed secure view name → its query as a PostgreSQL AST (SelectStmt), inlined into statements. */
  private viewAsts = new Map<string, AstNode>();
  /** The same query as DuckDB's AST (json_serialize_sql), for DuckDB-syntax statements. */
  private viewDuckAsts = new Map<string, Record<string, unknown>>();
  private builtinTables = new Set<string>();
  /** Bumped by every successful apply; sessions compare it to refresh what they derived. */
  generation = 0;
  database = '';
  defaultSchema = 'public';
  readonly cache = new LruCache<string, AuthorizedStatement>(5000);

  constructor(private readonly log?: Logger) {}

  /** Builds the policy for a (new) catalog and installs its secure views; throws AccessConfigError on bad grants. */
  async apply(conn: EngineConnection, catalog: Catalog): Promise<void> {
    const directory = await RelationDirectory.load(conn, catalog.schemas.map((s) => s.name));
    const policy = new AccessPolicy(catalog.users, catalog.roles, directory);
    const views = new Map<string, string>();
    const asts = new Map<string, AstNode>();
    const duckAsts = new Map<string, Record<string, unknown>>();
    for (const v of policy.secureViews()) {
      // the definition's hash is part of the name: a reload never changes a view a running session uses
      const name = `${v.name}:${crypto.createHash('sha256').update(v.sql).digest('hex').slice(0, 12)}`;
      views.set(v.name, name);
      const [, owner, table] = /^secure:(.*):([^:]*)$/.exec(v.name) ?? [];
      try {
        const parsed = parseSql(v.sql);
        asts.set(name, parsed.stmts![0]!.stmt as AstNode);
      } catch {
        throw new AccessConfigError(`users.${owner}: grant on ${table}: row filters and column masks must be PostgreSQL SQL expressions`);
      }
      const serialized = await conn.rows(`SELECT json_serialize_sql(${quoteLiteral(v.sql)}) AS j`);
      const duck = parseKeepingNumbers(String(serialized[0]?.j ?? '{}'));
      if (!duck.error && duck.statements?.length === 1) {
        stripLocations(duck.statements[0].node);
        duckAsts.set(name, duck.statements[0].node);
      }
      try {
        await conn.run(`CREATE OR REPLACE VIEW ${INTERNAL_SCHEMA}.${quoteIdent(name)} AS ${v.sql}`);
      } catch (e) {
        throw new AccessConfigError(`users.${owner}: grant on ${table}: row filter or column mask does not work: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    if (this.builtinTables.size === 0) {
      const rows = await conn.rows("SELECT DISTINCT lower(function_name) AS name FROM duckdb_functions() WHERE internal AND function_type IN ('table', 'table_macro')");
      this.builtinTables = new Set(rows.map((r) => String(r.name)));
    }
    const stale = await conn.rows(
      `SELECT view_name FROM duckdb_views() WHERE schema_name = ${quoteLiteral(INTERNAL_SCHEMA)} AND starts_with(view_name, ${quoteLiteral(SECURE_PREFIX)})`,
    );
    this.policy = policy;
    this.viewNames = views;
    this.viewAsts = asts;
    this.viewDuckAsts = duckAsts;
    this.database = catalog.database;
    this.defaultSchema = catalog.defaultSchema;
    this.generation++;
    this.cache.clear();
    const keep = new Set(views.values());
    for (const r of stale) {
      const name = String(r.view_name);
      if (!keep.has(name)) await conn.run(`DROP VIEW IF EXISTS ${INTERNAL_SCHEMA}.${quoteIdent(name)}`);
    }
    if (policy.open && catalog.users.length > 0) {
      this.log?.warn('the catalog grants nothing: every user can read every table (add grants to users or roles to restrict)');
    }
  }

  /** What a user may read under the current catalog (undefined for unknown users). */
  access(user: string): UserAccess | undefined {
    const a = this.policy?.forUser(user);
    if (!a) return undefined;
    return a;
  }

  /** The secure view that currently implements a user's restricted access (view name from the policy → installed name). */
  installedView(policyName: string): string {
    return this.viewNames.get(policyName) ?? policyName;
  }

  /** The query of an installed secure view, to inline as a subquery (a fresh copy). */
  secureViewQuery(installedName: string): AstNode | null {
    const ast = this.viewAsts.get(installedName);
    return ast ? structuredClone(ast) : null;
  }

  /** The secure view's query as DuckDB's AST (a fresh copy). */
  secureViewDuckQuery(installedName: string): Record<string, unknown> | null {
    const ast = this.viewDuckAsts.get(installedName);
    return ast ? structuredClone(ast) : null;
  }

  /** The session visibility rows of a user (see UserAccess.visibilityRows). */
  visibilityRows(user: string): [string, string][] {
    return this.access(user)?.visibilityRows() ?? [];
  }

  /** The objects a user may list: catalog queries filter through this. */
  visibleObjects(user: string): VisibleObject[] {
    return this.access(user)?.visibleObjects() ?? [];
  }

  get builtinTableFunctions(): Set<string> {
    return this.builtinTables;
  }

  get isOpen(): boolean {
    return this.policy?.open ?? false;
  }
}
