import { names, type AstNode } from '../ast.js';
import type { RewritePass } from './pass.js';

/**
 * PostgreSQL's bare `numeric` is arbitrary precision; DuckDB's bare DECIMAL is
 * DECIMAL(18,3), which silently rounds. Bare numeric becomes DECIMAL(38,10),
 * which the result encoders treat as "unconstrained numeric": typmod -1 and no
 * trailing fraction zeros, as PostgreSQL prints values that came in that way.
 */
export const UNCONSTRAINED_NUMERIC = { width: 38, scale: 10 } as const;

export const numericTypmodPass: RewritePass = {
  name: 'numeric-typmod',
  wants: (tokens) => tokens.some((t) => (t.kind === 'keyword' || t.kind === 'ident') && (t.value === 'numeric' || t.value === 'decimal')),
  apply(stmt: AstNode) {
    let changed = false;
    // TypeName appears unwrapped (TypeCast.typeName, ColumnDef.typeName), so look at every object
    eachTypeName(stmt, (body) => {
      const n = names(body.names);
      const last = n[n.length - 1];
      if ((last !== 'numeric' && last !== 'decimal') || (body.typmods && body.typmods.length > 0)) return;
      body.typmods = [
        { A_Const: { ival: { ival: UNCONSTRAINED_NUMERIC.width } } },
        { A_Const: { ival: { ival: UNCONSTRAINED_NUMERIC.scale } } },
      ];
      changed = true;
    });
    return changed;
  },
};

function eachTypeName(node: unknown, fn: (body: AstNode) => void): void {
  if (Array.isArray(node)) {
    for (const x of node) eachTypeName(x, fn);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const o = node as AstNode;
  if (Array.isArray(o.names) && 'typemod' in o) fn(o);
  for (const k of Object.keys(o)) eachTypeName(o[k], fn);
}
