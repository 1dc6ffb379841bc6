import { names, nodeType, walk, type AstNode } from '../sql/ast.js';
import { INFORMATION_SCHEMA_RELATIONS, PG_CATALOG_RELATIONS } from './catalog-data.js';
import { FUNCTION_RESULT_TYPES } from './macros.js';
import { catalogType } from './types.js';

/** Column name → PostgreSQL type, in order; null when the columns are not known. */
type Columns = [string, string | null][] | null;

const CAST_TYPES = new Set(['name', 'varchar', 'bpchar', 'char', 'oid', 'regclass', 'regtype', 'regproc', 'regprocedure', 'regnamespace', 'regrole', 'xid', 'int2vector', 'oidvector']);

const VALUE_FUNCTION_TYPES: Record<string, string> = {
  SVFOP_CURRENT_USER: 'name',
  SVFOP_SESSION_USER: 'name',
  SVFOP_USER: 'name',
  SVFOP_CURRENT_ROLE: 'name',
  SVFOP_CURRENT_CATALOG: 'name',
  SVFOP_CURRENT_SCHEMA: 'name',
};

function relationColumns(schema: string | undefined, rel: string): Columns {
  const spec =
    schema === 'pg_catalog' || schema === undefined
      ? PG_CATALOG_RELATIONS.get(rel)
      : schema === 'information_schema'
        ? INFORMATION_SCHEMA_RELATIONS.get(rel)
        : undefined;
  return spec ? spec.columns.map(([c, t]) => [c, t]) : null;
}

interface Scope {
  /** alias (or relation name) → its columns */
  sources: Map<string, Columns>;
  /** in FROM order, for unqualified names and `*` */
  order: Columns[];
  ctes: Map<string, Columns>;
}

function fromItem(node: AstNode, scope: Scope): void {
  const t = nodeType(node);
  if (!t) return;
  const b = node[t];
  switch (t) {
    case 'RangeVar': {
      const cols = !b.schemaname && scope.ctes.has(b.relname) ? scope.ctes.get(b.relname)! : relationColumns(b.schemaname, b.relname);
      scope.sources.set(b.alias?.aliasname ?? b.relname, cols);
      scope.order.push(cols);
      break;
    }
    case 'RangeSubselect': {
      const cols = selectColumns(b.subquery?.SelectStmt, scope.ctes);
      if (b.alias?.aliasname) scope.sources.set(b.alias.aliasname, cols);
      scope.order.push(cols);
      break;
    }
    case 'JoinExpr':
      fromItem(b.larg, scope);
      fromItem(b.rarg, scope);
      break;
    case 'RangeFunction': {
      const fn = b.functions?.[0]?.List?.items?.[0]?.FuncCall;
      const alias = b.alias?.aliasname;
      const colnames = names(b.alias?.colnames);
      const intArgs = fn && names(fn.funcname).at(-1) === 'generate_series' && (fn.args ?? []).every((a: AstNode) => a.A_Const !== undefined && 'ival' in a.A_Const);
      const cols: Columns = intArgs && alias ? [[colnames[0] ?? alias, 'int4']] : null;
      if (alias) scope.sources.set(alias, cols);
      scope.order.push(cols);
      break;
    }
    default: {
      // functions in FROM and anything else: columns unknown
      const alias = b.alias?.aliasname;
      if (alias) scope.sources.set(alias, null);
      scope.order.push(null);
    }
  }
}

function firstTyped(nodes: (AstNode | undefined)[], scope: Scope): string | null {
  for (const n of nodes) {
    const t = exprType(n, scope);
    if (t) return t;
  }
  return null;
}

/** The PostgreSQL type of one expression, when the emulation decides it. */
function exprType(node: AstNode | undefined, scope: Scope): string | null {
  const t = nodeType(node);
  if (!t || !node) return null;
  const b = node[t];
  switch (t) {
    case 'ColumnRef': {
      const f = names(b.fields);
      if (f.length === 1) {
        for (const cols of scope.order) {
          const hit = cols?.find(([c]) => c === f[0]);
          if (hit) return hit[1];
        }
        return null;
      }
      const cols = scope.sources.get(f[f.length - 2]!);
      return cols?.find(([c]) => c === f[f.length - 1])?.[1] ?? null;
    }
    case 'TypeCast': {
      const t = names(b.typeName?.names).at(-1) ?? '';
      if (!CAST_TYPES.has(t)) return null;
      return (b.typeName?.arrayBounds?.length ?? 0) > 0 ? `_${t}` : t;
    }
    case 'SQLValueFunction':
      return VALUE_FUNCTION_TYPES[b.op] ?? null;
    case 'FuncCall': {
      const fn = names(b.funcname);
      if (fn.length === 1 || fn[0] === 'pg_catalog') {
        const t = FUNCTION_RESULT_TYPES[fn.at(-1)!];
        if (t) return t;
      }
      if (fn.at(-1) === 'array_agg') {
        const elem = exprType(b.args?.[0], scope);
        return elem && !elem.startsWith('_') ? `_${elem}` : null;
      }
      return null;
    }
    case 'CoalesceExpr':
      return firstTyped(b.args ?? [], scope);
    case 'CaseExpr':
      return firstTyped([...((b.args ?? []) as AstNode[]).map((w) => w.CaseWhen?.result), b.defresult], scope);
    case 'A_Expr':
      return b.kind === 'AEXPR_NULLIF' ? exprType(b.lexpr, scope) : null;
    case 'SubLink': {
      const first = selectColumns(b.subselect?.SelectStmt, scope.ctes)?.[0]?.[1] ?? null;
      if (b.subLinkType === 'EXPR_SUBLINK') return first;
      if (b.subLinkType === 'ARRAY_SUBLINK') return first && !first.startsWith('_') ? `_${first}` : null;
      return null;
    }
    default:
      return null;
  }
}

function selectColumns(select: AstNode | undefined, outerCtes: Map<string, Columns>): Columns {
  if (!select) return null;
  const ctes = new Map(outerCtes);
  for (const c of (select.withClause?.ctes ?? []) as AstNode[]) {
    const cte = c.CommonTableExpr;
    if (!cte) continue;
    let cols = selectColumns(cte.ctequery?.SelectStmt, ctes);
    const aliases = names(cte.aliascolnames);
    if (cols && aliases.length > 0) cols = cols.map(([n, t], i) => [aliases[i] ?? n, t]);
    ctes.set(cte.ctename, cols);
  }
  if (select.op && select.op !== 'SETOP_NONE') return selectColumns(select.larg?.SelectStmt ?? select.larg, ctes);
  if (!select.targetList) return null;
  const scope: Scope = { sources: new Map(), order: [], ctes };
  for (const f of (select.fromClause ?? []) as AstNode[]) fromItem(f, scope);
  const out: [string, string | null][] = [];
  for (const t of select.targetList as AstNode[]) {
    const rt = t.ResTarget;
    const val = rt?.val;
    const fields = val?.ColumnRef ? names(val.ColumnRef.fields) : null;
    if (fields && fields.at(-1) === '*') {
      const sources = fields.length === 1 ? scope.order : [scope.sources.get(fields[fields.length - 2]!) ?? null];
      for (const cols of sources) {
        if (!cols) return null;
        out.push(...cols);
      }
      continue;
    }
    out.push([rt?.name ?? fields?.at(-1) ?? '?column?', exprType(val, scope)]);
  }
  return out;
}

/**
 * The PostgreSQL types of a statement's result columns where DuckDB cannot
 * express them (oid, name, "char", regclass, ...): one entry per column, null
 * for columns DuckDB's own type describes; null when nothing needs changing.
 */
export function resultTypeAnnotations(stmt: AstNode): (string | null)[] | null {
  const cols = selectColumns(stmt.SelectStmt, new Map());
  if (!cols) return null;
  const out = cols.map(([, type]) => (type && (catalogType(type).annotate || type === 'varchar' || type === 'int4') ? type : null));
  return out.some((x) => x !== null) ? out : null;
}

/**
 * PostgreSQL types of parameters cast to a type DuckDB cannot express
 * (`$1::oid[]`, `$1::regclass`, ...), by parameter number - 1; null when none.
 * A client that leaves parameter types to the server sees these in
 * ParameterDescription, as PostgreSQL reports them.
 */
export function paramTypeAnnotations(stmt: AstNode): (string | null)[] | null {
  const out: (string | null)[] = [];
  walk(stmt, (type, body) => {
    if (type !== 'TypeCast' || !body.arg?.ParamRef) return;
    const t = names(body.typeName?.names).at(-1) ?? '';
    if (!CAST_TYPES.has(t)) return;
    const n = Number(body.arg.ParamRef.number ?? 0);
    if (n >= 1) out[n - 1] = (body.typeName?.arrayBounds?.length ?? 0) > 0 ? `_${t}` : t;
  });
  return out.length > 0 ? Array.from(out, (x) => x ?? null) : null;
}
