import { walk, type AstNode } from '../ast.js';
import type { Token } from '../scanner.js';
import type { RewritePass } from './pass.js';

/**
 * A bare NULL in a select list is text in PostgreSQL (an unknown literal
 * resolved at output) but INTEGER in DuckDB. Branches of UNION/INTERSECT/
 * EXCEPT are left alone: there PostgreSQL types NULL after the other branches.
 */
export const nullLiteralsPass: RewritePass = {
  name: 'null-literals',
  wants: (tokens: readonly Token[]) =>
    tokens.length > 0 && (tokens[0]!.value === 'select' || tokens[0]!.value === 'with') && tokens.some((t) => t.kind === 'keyword' && t.value === 'null'),
  apply(stmt) {
    const branches = new WeakSet<object>();
    walk(stmt, (type, body) => {
      if (type !== 'SelectStmt' || !body.op || body.op === 'SETOP_NONE') return;
      for (const side of [body.larg, body.rarg]) if (side) branches.add(side.SelectStmt ?? side);
    });
    let changed = false;
    walk(stmt, (type, body) => {
      if (type !== 'SelectStmt' || branches.has(body) || !body.targetList) return;
      for (const t of body.targetList as AstNode[]) {
        const rt = t.ResTarget;
        if (rt?.val?.A_Const?.isnull) {
          rt.val = { TypeCast: { arg: rt.val, typeName: { names: [{ String: { sval: 'text' } }], typemod: -1 } } };
          changed = true;
        }
      }
    });
    return changed;
  },
};
