import { funcCall, names, nodeType, str, walk, type AstNode } from '../ast.js';
import type { Token } from '../scanner.js';
import { castTarget } from '../../pgcatalog/types.js';
import { parseArrayLiteral } from '../../pgcatalog/array-literal.js';
import { S } from '../../pgcatalog/names.js';
import { paramTypeAnnotations, resultTypeAnnotations } from '../../pgcatalog/result-types.js';
import type { RewritePass } from './pass.js';

/** reg* types: the function that reads a name into an OID, and the one that prints an OID as a name. */
const REG_TYPES: Record<string, { input: string; output: string; strict?: boolean }> = {
  regclass: { input: '__regclass_in', output: '__regclass_out', strict: true },
  regtype: { input: '__regtype_in', output: '__regtype_out', strict: true },
  regproc: { input: '__regproc_in', output: '__regproc_out' },
  regprocedure: { input: '__regproc_in', output: '__regproc_out' },
  regnamespace: { input: '__regnamespace_in', output: '__regnamespace_out' },
  regrole: { input: '__regrole_in', output: '__regrole_out' },
};

const TEXT_TYPES = new Set(['text', 'varchar', 'name', 'bpchar', 'char']);

/** Words after `::` (or in CAST) that make a statement need this pass. */
const TRIGGER_TYPES = new Set([...Object.keys(REG_TYPES), 'oid', 'name', 'char', 'xid', 'cid', 'int2vector', 'oidvector', 'pg_node_tree', 'aclitem', 'regoper', 'pg_catalog', 'inet']);

function typeNames(typeName: AstNode): string[] {
  return names(typeName.names);
}

function isStringish(node: AstNode | undefined): boolean {
  const t = nodeType(node);
  if (!t || !node) return false;
  const b = node[t];
  if (t === 'A_Const') return b.sval !== undefined;
  if (t === 'ParamRef') return true;
  if (t === 'TypeCast') return TEXT_TYPES.has(typeNames(b.typeName).at(-1) ?? '');
  if (t === 'A_Expr') return names(b.name)[0] === '||';
  if (t === 'FuncCall') return ['quote_ident', 'concat', 'format', 'lower', 'upper', 'trim', 'btrim', 'replace'].includes(names(b.funcname).at(-1) ?? '');
  return false;
}

function duckType(sql: string): AstNode {
  // a type name DuckDB understands, kept as one (possibly array) name
  const array = sql.endsWith('[]');
  const base = array ? sql.slice(0, -2) : sql;
  return { names: [str(base.toLowerCase())], typemod: -1, ...(array ? { arrayBounds: [{ Integer: { ival: -1 } }] } : {}) };
}

function arrayExpr(value: unknown): AstNode {
  if (Array.isArray(value)) return { A_ArrayExpr: { elements: value.map(arrayExpr) } };
  if (value === null) return { A_Const: { isnull: true } };
  return { A_Const: { sval: { sval: String(value) } } };
}

/**
 * PostgreSQL-only casts: `'t'::regclass` and the other reg* types (a name
 * becomes an OID, an OID shown as a result or cast to text becomes a name),
 * `::oid`, `::name`, `::"char"`, `::int2vector`, `pg_catalog.`-qualified
 * type names, and array literals such as `'{1,2}'::int[]`, which DuckDB
 * cannot cast from text.
 */
export const pgCastsPass: RewritePass = {
  name: 'pg-casts',
  usesSessionState: true,
  wants(tokens: readonly Token[]) {
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i]!;
      if (t.kind === 'string' && t.text.startsWith("'{")) return true;
      if ((t.kind === 'ident' || t.kind === 'keyword') && TRIGGER_TYPES.has(t.value)) {
        const prev = tokens[i - 1];
        if (prev && (prev.text === '::' || prev.value === 'as' || prev.text === '.')) return true;
      }
    }
    return false;
  },
  resultTypes: (stmt) => resultTypeAnnotations(stmt),
  paramTypes: (stmt) => paramTypeAnnotations(stmt),
  apply(stmt) {
    // reg* casts whose value is displayed (a result column, or cast on to text) print names
    const wantName = new WeakSet<object>();
    const top = stmt.SelectStmt;
    for (const t of (top?.targetList ?? []) as AstNode[]) {
      const v = t.ResTarget?.val;
      if (v?.TypeCast) wantName.add(v.TypeCast);
    }
    walk(stmt, (type, body) => {
      if (type === 'TypeCast' && TEXT_TYPES.has(typeNames(body.typeName).at(-1) ?? '') && body.arg?.TypeCast) wantName.add(body.arg.TypeCast);
    });
    let changed = false;
    walk(stmt, (type, body, replace) => {
      if (type !== 'TypeCast') return;
      const tn = typeNames(body.typeName);
      const isArray = (body.typeName.arrayBounds?.length ?? 0) > 0;
      const name = tn.at(-1)!;
      const qualified = tn.length > 1;
      if (qualified && tn[0] === 'pg_catalog') {
        body.typeName.names = [str(name)];
        changed = true;
      }
      const reg = REG_TYPES[name];
      if (reg && !isArray) {
        if (isStringish(body.arg)) {
          const input = funcCall([S, reg.input], reg.strict ? [{ TypeCast: { arg: body.arg, typeName: duckType('varchar') } }, { A_Const: { boolval: { boolval: true } } }] : [{ TypeCast: { arg: body.arg, typeName: duckType('varchar') } }]);
          replace(wantName.has(body) ? funcCall([S, reg.output], [input]) : input);
        } else {
          const oid = { TypeCast: { arg: body.arg, typeName: duckType('bigint') } };
          replace(wantName.has(body) ? funcCall([S, reg.output], [oid]) : oid);
        }
        changed = true;
        return;
      }
      const target = name === 'oid' ? null : castTarget(name);
      if (target) {
        body.typeName = duckType(isArray ? `${target.duck}[]` : target.duck);
        changed = true;
      } else if (name === 'char' && !qualified) {
        body.typeName = duckType('varchar');
        changed = true;
      }
      if (isArray && nodeType(body.arg) === 'A_Const' && body.arg.A_Const.sval) {
        const parsed = parseArrayLiteral(String(body.arg.A_Const.sval.sval));
        if (parsed) {
          body.arg = arrayExpr(parsed);
          changed = true;
        }
      }
    });
    return changed;
  },
};
