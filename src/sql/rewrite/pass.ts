import type { AstNode } from '../ast.js';
import type { Token } from '../scanner.js';

export interface RewriteContext {
  /** Schema that holds lakegate's helper macros. */
  internalSchema: string;
  /**
   * The catalog schema that `public.` stands for when the catalog declares no
   * `public` schema (its default schema); undefined = leave `public` alone.
   * Updated in place when the catalog is reloaded.
   */
  publicSchema?: string;
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
   * From the statement as the client sent it: the PostgreSQL type names of result columns that
   * DuckDB's own types cannot express (oid, name, ...), null entries for the
   * rest; null when there is nothing to say.
   */
  resultTypes?(stmt: AstNode): (string | null)[] | null;
  /** Likewise for parameters ($n cast to oid, regclass, ...), by parameter number - 1. */
  paramTypes?(stmt: AstNode): (string | null)[] | null;
  /** When it changed the statement, the statement reads per-session state in DuckDB (the catalog emulation's). */
  readonly usesSessionState?: boolean;
}
