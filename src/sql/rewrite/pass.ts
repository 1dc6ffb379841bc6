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
}
