import type { AstNode } from '../ast.js';
import type { Token } from '../scanner.js';

export interface RewriteContext {
  /** Schema that holds lakegate's helper macros. */
  internalSchema: string;
}

/**
 * One named rewrite over a parsed statement. `wants` is a cheap test on the
 * tokens; `apply` changes the AST in place and says whether it changed anything.
 */
export interface RewritePass {
  readonly name: string;
  wants(tokens: readonly Token[]): boolean;
  apply(stmt: AstNode, ctx: RewriteContext): boolean;
  /**
   * After the rewrite: the PostgreSQL type names of result columns that
   * DuckDB's own types cannot express (oid, name, ...), null entries for the
   * rest; null when there is nothing to say. Implies the statement reads
   * session state inside DuckDB.
   */
  resultTypes?(stmt: AstNode): (string | null)[] | null;
}
