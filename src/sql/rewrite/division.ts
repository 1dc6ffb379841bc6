import { funcCall, names, walk, type AstNode } from '../ast.js';
import type { RewritePass } from './pass.js';

/**
 * DuckDB returns NULL for division or modulo by zero; PostgreSQL raises 22012.
 * Route `/` and `%` through helper macros that raise the error.
 */
export const divisionPass: RewritePass = {
  name: 'division-by-zero',
  wants: (tokens) => tokens.some((t) => t.kind === 'op' && (t.text === '/' || t.text === '%')),
  apply(stmt: AstNode, ctx) {
    let changed = false;
    walk(stmt, (type, body, replace) => {
      if (type !== 'A_Expr' || body.kind !== 'AEXPR_OP' || !body.lexpr) return;
      const op = names(body.name);
      if (op.length !== 1) return;
      const fn = op[0] === '/' ? 'pg_div' : op[0] === '%' ? 'pg_mod' : null;
      if (!fn) return;
      replace(funcCall([ctx.internalSchema, fn], [body.lexpr, body.rexpr]));
      changed = true;
    });
    return changed;
  },
};
