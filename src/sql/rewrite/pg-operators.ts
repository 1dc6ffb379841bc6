import { funcCall, names, nodeType, str, walk, type AstNode } from '../ast.js';
import type { Token } from '../scanner.js';
import type { RewritePass } from './pass.js';

const REGEX_OPS: Record<string, { negate: boolean; flags?: string }> = {
  '~': { negate: false },
  '~*': { negate: false, flags: 'i' },
  '!~': { negate: true },
  '!~*': { negate: true, flags: 'i' },
};

const LIKE_FUNCTIONS: Record<string, string> = {
  '~~': 'like_escape',
  '!~~': 'not_like_escape',
  '~~*': 'ilike_escape',
  '!~~*': 'not_ilike_escape',
};

const DEFAULT_COLLATIONS = new Set(['default', 'C', 'POSIX', 'ucs_basic']);

function constString(node: AstNode | undefined): string | null {
  return node?.A_Const?.sval ? String(node.A_Const.sval.sval) : null;
}

function not(arg: AstNode): AstNode {
  return { BoolExpr: { boolop: 'NOT_EXPR', args: [arg] } };
}

/**
 * PostgreSQL operator semantics DuckDB spells differently: `~` and friends
 * search (DuckDB's `~` is a full match), `OPERATOR(pg_catalog.x)`,
 * `COLLATE pg_catalog.default`, and LIKE's default backslash escape (DuckDB
 * has no default escape character).
 */
export const pgOperatorsPass: RewritePass = {
  name: 'pg-operators',
  wants(tokens: readonly Token[]) {
    for (const t of tokens) {
      if (t.kind === 'op' && (t.text in REGEX_OPS || t.text.startsWith('~~') || t.text.startsWith('!~'))) return true;
      if (t.kind === 'keyword' && (t.value === 'operator' || t.value === 'collate')) return true;
      if (t.kind === 'keyword' && (t.value === 'like' || t.value === 'ilike' || t.value === 'any' || t.value === 'all')) return true;
    }
    return false;
  },
  apply(stmt) {
    let changed = false;
    walk(stmt, (type, body, replace) => {
      if (type === 'CollateClause') {
        const coll = names(body.collname);
        if (DEFAULT_COLLATIONS.has(coll.at(-1) ?? '') && (coll.length === 1 || coll[0] === 'pg_catalog')) {
          replace(body.arg);
          changed = true;
        }
        return;
      }
      if (type !== 'A_Expr') return;
      const op = names(body.name);
      const opName = op.at(-1) ?? '';
      if (op.length === 2 && op[0] === 'pg_catalog') {
        body.name = [str(opName)];
        changed = true;
      }
      if (body.kind === 'AEXPR_OP' && REGEX_OPS[opName] && body.lexpr) {
        const spec = REGEX_OPS[opName]!;
        const args = [body.lexpr, body.rexpr];
        if (spec.flags) args.push({ A_Const: { sval: { sval: spec.flags } } });
        const call = funcCall(['regexp_matches'], args);
        replace(spec.negate ? not(call) : call);
        changed = true;
        return;
      }
      // x = ANY(array) / x <> ALL(array): DuckDB cannot use its subquery form inside outer-join conditions
      if ((body.kind === 'AEXPR_OP_ANY' && opName === '=') || (body.kind === 'AEXPR_OP_ALL' && opName === '<>')) {
        const call = funcCall(['list_contains'], [body.rexpr, body.lexpr]);
        replace(body.kind === 'AEXPR_OP_ANY' ? call : not(call));
        changed = true;
        return;
      }
      if ((body.kind === 'AEXPR_LIKE' || body.kind === 'AEXPR_ILIKE') && LIKE_FUNCTIONS[opName]) {
        const pattern = constString(body.rexpr);
        // an explicit ESCAPE clause arrives as a like_escape() call: DuckDB reads that form as is
        if (nodeType(body.rexpr) === 'FuncCall') return;
        if (pattern !== null && !pattern.includes('\\')) return;
        replace(funcCall([LIKE_FUNCTIONS[opName]!], [body.lexpr, body.rexpr, { A_Const: { sval: { sval: '\\' } } }]));
        changed = true;
      }
    });
    return changed;
  },
};
