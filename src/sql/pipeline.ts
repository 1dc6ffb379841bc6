import { LruCache } from '../util/lru.js';
import { deparseStatement, parseSql, type AstNode } from './ast.js';
import { classify } from './classify.js';
import { columnNamesPass } from './rewrite/column-names.js';
import { divisionPass } from './rewrite/division.js';
import { byteaLiteralsPass } from './rewrite/bytea-literals.js';
import { numericTypmodPass } from './rewrite/numeric-typmod.js';
import { intervalLiteralsPass } from './rewrite/interval-literals.js';
import { publicSchemaPass } from './rewrite/public-schema.js';
import { nullLiteralsPass } from './rewrite/null-literals.js';
import { pgCastsPass } from './rewrite/pg-casts.js';
import { pgCatalogNamesPass } from './rewrite/pg-catalog-names.js';
import { pgOperatorsPass } from './rewrite/pg-operators.js';
import type { RewriteContext, RewritePass } from './rewrite/pass.js';
import { splitStatements, type Token } from './scanner.js';
import type { Statement } from './statement.js';
import type { Federation } from '../federation/federation.js';

export interface RewrittenSql {
  /** What DuckDB runs. */
  sql: string;
  /** The passes that changed the statement (empty when it runs as sent). */
  applied: string[];
  /** PostgreSQL type names for result columns whose DuckDB type says otherwise (oid, name, ...). */
  columnTypes?: (string | null)[];
  /** PostgreSQL type names for parameters whose DuckDB type says otherwise, by parameter number - 1. */
  paramTypes?: (string | null)[];
  /** The statement reads per-session state inside DuckDB (current_setting, current_user, ...). */
  sessionState?: boolean;
}

export const defaultPasses: RewritePass[] = [
  columnNamesPass,
  divisionPass,
  byteaLiteralsPass,
  numericTypmodPass,
  intervalLiteralsPass,
  publicSchemaPass,
  nullLiteralsPass,
  pgCastsPass,
  pgOperatorsPass,
  pgCatalogNamesPass,
];

/**
 * The path from client SQL to DuckDB SQL: split, classify, and rewrite query
 * statements for PostgreSQL compatibility. Results are cached by text, so a
 * repeated statement costs one map lookup.
 */
export class SqlPipeline {
  /** Bumped whenever cached translations become stale (catalog reload): keys prepared-statement caches. */
  generation = 0;
  private readonly splitCache = new LruCache<string, { statements: Statement[]; texts: string[] }>(2000);
  private readonly rewriteCache = new LruCache<string, RewrittenSql>(2000);
  /** Attached databases: statements naming remote tables are planned by federation. */
  federation: Federation | null = null;

  constructor(
    private readonly passes: RewritePass[],
    private readonly ctx: RewriteContext,
  ) {}

  /** Splits a simple-query string into classified statements. */
  statements(sql: string): Statement[] {
    return this.split(sql).statements;
  }

  /** Each statement's own text, in the order of statements() (for logs and the query history). */
  statementTexts(sql: string): string[] {
    return this.split(sql).texts;
  }

  private split(sql: string): { statements: Statement[]; texts: string[] } {
    let out = this.splitCache.get(sql);
    if (!out) {
      const parts = splitStatements(sql);
      out = { statements: parts.map((s) => classify(s.text, s.tokens)), texts: parts.map((s) => s.text) };
      this.splitCache.set(sql, out);
    }
    return out;
  }

  /** Rewrites one query statement for DuckDB. */
  rewrite(text: string, tokens: readonly Token[]): RewrittenSql {
    const cached = this.rewriteCache.get(text);
    if (cached) return cached;
    const result = this.rewriteUncached(text, tokens);
    this.rewriteCache.set(text, result);
    return result;
  }

  private rewriteUncached(text: string, tokens: readonly Token[]): RewrittenSql {
    const wanted = this.passes.filter((p) => p.wants(tokens));
    if (wanted.length === 0) return { sql: text, applied: [] };
    let stmt: AstNode;
    try {
      const parsed = parseSql(text);
      if (parsed.stmts?.length !== 1) return { sql: text, applied: [] };
      stmt = parsed.stmts[0]!.stmt as AstNode;
    } catch {
      // Not PostgreSQL syntax (DuckDB's own dialect): run it as sent.
      return { sql: text, applied: [] };
    }
    const applied: string[] = [];
    // result types are worked out on the statement as the client wrote it
    const original = wanted.some((p) => p.resultTypes) ? structuredClone(stmt) : null;
    for (const pass of wanted) if (pass.apply(stmt, this.ctx)) applied.push(pass.name);
    if (applied.length === 0) return { sql: text, applied };
    const result: RewrittenSql = { sql: deparseStatement(stmt), applied };
    for (const pass of wanted) {
      if (!applied.includes(pass.name)) continue;
      if (pass.usesSessionState) result.sessionState = true;
      const types = original ? pass.resultTypes?.(original) : null;
      if (types) result.columnTypes = types;
      const params = original ? pass.paramTypes?.(original) : null;
      if (params) result.paramTypes = params;
    }
    return result;
  }

  clearCaches(): void {
    this.generation++;
    this.splitCache.clear();
    this.rewriteCache.clear();
  }
}
