import duckdb from '@duckdb/node-bindings';
import { sql, type RawBuilder } from 'kysely';
import type { ColumnMeta } from '../../engine/connection.js';
import { names, nodeType, type AstNode } from '../../sql/ast.js';
import type { DuckType } from '../../types/duck-type.js';
import { typeFamily, type TypeFamily } from '../column-type.js';
import type { Dialect } from '../dialect.js';
import { columnByName, type FederatedColumn, type FederatedTable } from '../table.js';
import type { OperandValues } from './compile.js';
import type { PlanContext } from './planner.js';
import { toOperand, validLiteral, type Operand, type ValueFamily } from './predicate.js';
import { statementRelations, type FromLeaf } from './relations.js';
import { resolveRangeVar } from './resolve.js';

const T = duckdb.Type;

/**
 * Whole-statement pushdown: a SELECT whose tables all live on one source, and
 * whose every expression the source evaluates exactly as DuckDB would, is
 * sent there as one statement (joins, filters, GROUP BY, aggregates, ORDER BY
 * and LIMIT included). The statement is translated from the PostgreSQL AST to
 * a Kysely `sql` fragment, so identifiers are quoted and values bound by the
 * dialect's compiler. Anything outside the supported subset, or whose meaning
 * could differ on the source (MySQL's case-insensitive strings, string order
 * outside PostgreSQL's "C" collation), keeps the per-table plan instead.
 */
export interface StatementPlan {
  source: string;
  dialect: Dialect;
  /** Compiles the statement once parameter operands have values. */
  build(values: OperandValues): RawBuilder<unknown> | null;
  operands: Operand[];
  /** The result columns as DuckDB described them at Parse (the remote answer is loaded in these types). */
  columns: ColumnMeta[];
  tables: string[];
  explain: { analyze: boolean } | null;
}

type Frag = { sql: (v: OperandValues) => RawBuilder<unknown> | null; family: TypeFamily | 'bool'; aggregate: boolean };

const LOADABLE = new Set<duckdb.Type>([
  T.BOOLEAN, T.TINYINT, T.SMALLINT, T.INTEGER, T.BIGINT, T.UTINYINT, T.USMALLINT, T.UINTEGER, T.UBIGINT, T.HUGEINT,
  T.FLOAT, T.DOUBLE, T.DECIMAL, T.VARCHAR, T.BLOB, T.DATE, T.TIME, T.TIMESTAMP, T.TIMESTAMP_TZ, T.INTERVAL, T.UUID,
]);

const PG_CAST: Record<ValueFamily, string> = {
  int: 'bigint',
  decimal: 'numeric',
  float: 'double precision',
  string: 'text',
  bool: 'boolean',
  date: 'date',
  timestamp: 'timestamp',
  timestamptz: 'timestamptz',
  time: 'time',
  uuid: 'uuid',
};

class Unsupported extends Error {}

function no(): never {
  throw new Unsupported();
}

/** Whether DuckDB's answer for this result type can be loaded from the source's answer. */
function loadable(t: DuckType): boolean {
  return LOADABLE.has(t.id) && !(t.id === T.VARCHAR && t.alias !== null && t.alias !== 'JSON');
}

interface Scope {
  dialect: Dialect;
  leaves: { leaf: FromLeaf; table: FederatedTable; alias: string }[];
  operands: Operand[];
  ctx: PlanContext;
  /** Select-list expressions by output name, for ORDER BY alias. */
  outputs: Map<string, AstNode>;
}

function numeric(f: TypeFamily | 'bool'): boolean {
  return f === 'int' || f === 'decimal' || f === 'float';
}

/** Plans whole-statement pushdown, or returns null when the statement must be split per table. */
export function planStatement(stmt: AstNode, ctx: PlanContext, columns: ColumnMeta[] | null): StatementPlan | null {
  if (!columns || columns.length === 0 || !columns.every((c) => loadable(c.type))) return null;
  const sel = stmt.SelectStmt;
  if (!sel || (sel.op && sel.op !== 'SETOP_NONE') || sel.withClause || sel.lockingClause?.length || sel.intoClause || sel.windowClause?.length || sel.valuesLists) return null;
  if (sel.distinctClause && !(sel.distinctClause.length === 1 && Object.keys(sel.distinctClause[0]).length === 0)) return null;
  const rel = statementRelations(stmt);
  if (rel.scopes.length !== 1 || rel.target) return null;
  let source: string | null = null;
  const leaves: Scope['leaves'] = [];
  for (const leaf of rel.leaves) {
    if (leaf.kind !== 'relation' || !leaf.refName) return null;
    const r = resolveRangeVar(leaf.body, ctx.names);
    const t = r ? ctx.remote(r.schema, r.name) : null;
    if (!t || !('columns' in t)) return null;
    if (source !== null && t.source !== source) return null;
    source = t.source;
    if (leaves.some((l) => l.leaf.refName!.toLowerCase() === leaf.refName!.toLowerCase())) return null;
    leaves.push({ leaf, table: t as FederatedTable, alias: `t${leaves.length}` });
  }
  if (!source || leaves.length === 0) return null;
  const dialect = ctx.dialect(source);
  const scope: Scope = { dialect, leaves, operands: [], ctx, outputs: new Map() };
  try {
    const build = translate(sel, scope, columns.length);
    return { source, dialect, build, operands: scope.operands, columns, tables: leaves.map((l) => `${l.table.schema}.${l.table.name}`), explain: null };
  } catch (e) {
    if (e instanceof Unsupported) return null;
    throw e;
  }
}

function translate(sel: AstNode, s: Scope, ncols: number): (v: OperandValues) => RawBuilder<unknown> | null {
  const from = translateFrom(sel.fromClause as AstNode[], s);
  // select list, with * expanded the way DuckDB expands it (tables in FROM order, columns in table order)
  const targets: Frag[] = [];
  for (const t of (sel.targetList ?? []) as AstNode[]) {
    const rt = t.ResTarget;
    const f = rt.val?.ColumnRef ? names(rt.val.ColumnRef.fields) : null;
    if (f && f[f.length - 1] === '*') {
      const leaves = f.length === 1 ? s.leaves : s.leaves.filter((l) => l.leaf.refName!.toLowerCase() === f[f.length - 2]!.toLowerCase());
      if (leaves.length === 0) no();
      for (const l of leaves) for (const c of l.table.columns) targets.push(columnFrag(l.alias, c));
      continue;
    }
    targets.push(expr(rt.val, s));
    if (rt.name) s.outputs.set(String(rt.name).toLowerCase(), rt.val);
  }
  if (targets.length !== ncols) no();
  const where = sel.whereClause ? boolExpr(sel.whereClause, s) : null;
  const groups = ((sel.groupClause ?? []) as AstNode[]).map((g) => groupKey(g, sel, s));
  const having = sel.havingClause ? boolExpr(sel.havingClause, s) : null;
  const distinct = !!sel.distinctClause;
  if (distinct || groups.length > 0) for (const t of [...targets, ...groups]) if (!t.aggregate && !equalityOk(t.family, s.dialect)) no();
  const order = ((sel.sortClause ?? []) as AstNode[]).map((sb) => sortKey(sb.SortBy, sel, s));
  const limit = sel.limitCount ? limitFrag(sel.limitCount, s) : null;
  const offset = sel.limitOffset ? limitFrag(sel.limitOffset, s) : null;
  if (sel.limitOption === 'LIMIT_OPTION_WITH_TIES') no();
  return (v) => {
    const parts = targets.map((t) => t.sql(v));
    const f = from(v);
    const w = where ? where.sql(v) : sql``;
    const g = groups.map((x) => x.sql(v));
    const h = having ? having.sql(v) : sql``;
    const o = order.flatMap((x) => x(v) ?? [null]);
    const l = limit ? limit(v) : sql``;
    const off = offset ? offset(v) : sql``;
    if ([...parts, f, w, ...g, h, ...o, l, off].some((x) => x === null)) return null;
    let q = sql`SELECT ${sql.raw(distinct ? 'DISTINCT ' : '')}${sql.join(parts.map((p, i) => sql`${p} AS ${sql.id(`c${i}`)}`))} FROM ${f}`;
    if (where) q = sql`${q} WHERE ${w}`;
    if (g.length > 0) q = sql`${q} GROUP BY ${sql.join(g as RawBuilder<unknown>[])}`;
    if (having) q = sql`${q} HAVING ${h}`;
    if (o.length > 0) q = sql`${q} ORDER BY ${sql.join(o as RawBuilder<unknown>[])}`;
    if (limit) q = sql`${q} LIMIT ${l}`;
    if (offset) q = s.dialect === 'mysql' && !limit ? sql`${q} LIMIT 18446744073709551615 OFFSET ${off}` : sql`${q} OFFSET ${off}`;
    return q;
  };
}

/** Equality (GROUP BY, DISTINCT, =) means the same on the source. */
function equalityOk(f: TypeFamily | 'bool', d: Dialect): boolean {
  if (f === 'string') return d === 'postgres';
  if (f === 'other' || f === 'blob') return false;
  if (d === 'sqlite') return numeric(f) || f === 'bool';
  return true;
}

/** Order (ORDER BY, <, min/max) means the same on the source. */
function orderOk(f: TypeFamily | 'bool', d: Dialect): boolean {
  if (f === 'string') return d === 'postgres';
  if (f === 'other' || f === 'blob' || f === 'bool' || f === 'uuid') return false;
  if (d === 'sqlite') return numeric(f);
  return true;
}

function collate(f: TypeFamily | 'bool', d: Dialect, e: RawBuilder<unknown>): RawBuilder<unknown> {
  return f === 'string' && d === 'postgres' ? sql`(${e} COLLATE "C")` : e;
}

function translateFrom(items: AstNode[], s: Scope): (v: OperandValues) => RawBuilder<unknown> | null {
  const parts = items.map((it) => fromItem(it, s));
  return (v) => {
    const built = parts.map((p) => p(v));
    if (built.some((b) => b === null)) return null;
    return sql.join(built as RawBuilder<unknown>[]);
  };
}

function fromItem(it: AstNode, s: Scope): (v: OperandValues) => RawBuilder<unknown> | null {
  if (it.RangeVar) {
    const l = s.leaves.find((x) => x.leaf.body === it.RangeVar) ?? no();
    return () => sql`${sql.id(l.table.remoteSchema, l.table.remoteTable)} AS ${sql.id(l.alias)}`;
  }
  const j = it.JoinExpr;
  if (!j || j.isNatural || j.usingClause?.length || j.alias) no();
  const kind = j.jointype === 'JOIN_INNER' ? 'JOIN' : j.jointype === 'JOIN_LEFT' ? 'LEFT JOIN' : no();
  const l = fromItem(j.larg, s);
  const r = fromItem(j.rarg, s);
  const on = j.quals ? boolExpr(j.quals, s) : null;
  if (!on && kind !== 'JOIN') no();
  return (v) => {
    const a = l(v);
    const b = r(v);
    const c = on ? on.sql(v) : sql`1 = 1`;
    if (!a || !b || !c) return null;
    return sql`${a} ${sql.raw(kind)} ${b} ON ${c}`;
  };
}

function columnFrag(alias: string, c: FederatedColumn): Frag {
  return { sql: () => sql`${sql.id(alias, c.remoteName)}`, family: typeFamily(c.type), aggregate: false };
}

function column(fields: string[], s: Scope): Frag {
  if (fields.includes('*')) no();
  const name = fields[fields.length - 1]!;
  let found: Frag | null = null;
  for (const l of s.leaves) {
    if (fields.length >= 2 && fields[fields.length - 2]!.toLowerCase() !== l.leaf.refName!.toLowerCase()) continue;
    const c = columnByName(l.table, name);
    if (!c) continue;
    if (found) no(); // ambiguous
    if (c.type.id === T.FLOAT) no(); // float4 arithmetic and comparisons differ between engines
    found = columnFrag(l.alias, c);
  }
  return found ?? no();
}

function operandFrag(o: Operand, s: Scope): Frag {
  s.operands.push(o);
  const d = s.dialect;
  return {
    family: o.family,
    aggregate: false,
    sql: (v) => {
      const text = o.kind === 'const' ? o.text : (v.get(o) ?? null);
      if (text !== null && !validLiteral(o.family, text)) return null;
      if (d === 'postgres') return sql`CAST(${text} AS ${sql.raw(PG_CAST[o.family])})`;
      if (text === null) return sql`NULL`;
      if (o.family === 'int' || o.family === 'float') return sql`${Number.isSafeInteger(Number(text)) || o.family === 'float' ? Number(text) : text}`;
      if (o.family === 'bool') return sql`${/^t/i.test(text) ? 1 : 0}`;
      return sql`${text}`;
    },
  };
}

/** Constants and parameters, typed by the expression they are compared with (or by themselves). */
function valueFrag(node: AstNode, s: Scope, like: TypeFamily | 'bool'): Frag {
  const o = toOperand(node, like === 'bool' ? 'bool' : like, s.ctx);
  if (!o) no();
  if (o.coerced && o.family === 'decimal') no(); // DuckDB would round to the column's scale
  return operandFrag(o, s);
}

function isValue(node: AstNode): boolean {
  const t = nodeType(node);
  return t === 'A_Const' || t === 'ParamRef' || (t === 'TypeCast' && (nodeType(node.TypeCast.arg) === 'A_Const' || nodeType(node.TypeCast.arg) === 'ParamRef')) || (t === 'A_Expr' && !node.A_Expr.lexpr && nodeType(node.A_Expr.rexpr) === 'A_Const');
}

/** Two operands of a comparison, values typed after the other side. */
function pair(a: AstNode, b: AstNode, s: Scope): [Frag, Frag] {
  if (isValue(a) && isValue(b)) no();
  if (isValue(a)) {
    const r = expr(b, s);
    return [valueFrag(a, s, r.family), r];
  }
  const l = expr(a, s);
  return [l, isValue(b) ? valueFrag(b, s, l.family) : expr(b, s)];
}

function comparable(l: Frag, r: Frag): boolean {
  if (numeric(l.family) && numeric(r.family)) return true;
  if ((l.family === 'timestamp' || l.family === 'timestamptz' || l.family === 'date') && (r.family === 'timestamp' || r.family === 'timestamptz' || r.family === 'date')) return l.family === r.family;
  return l.family === r.family;
}

const CMP = new Set(['=', '<>', '!=', '<', '<=', '>', '>=']);

function bin(l: Frag, r: Frag, op: string, family: TypeFamily | 'bool'): Frag {
  return {
    family,
    aggregate: l.aggregate || r.aggregate,
    sql: (v) => {
      const a = l.sql(v);
      const b = r.sql(v);
      return a && b ? sql`(${a} ${sql.raw(op)} ${b})` : null;
    },
  };
}

function boolExpr(node: AstNode, s: Scope): Frag {
  const f = expr(node, s);
  if (f.family !== 'bool') no();
  return f;
}

function expr(node: AstNode, s: Scope): Frag {
  const type = nodeType(node);
  if (!type) no();
  const b = node[type];
  switch (type) {
    case 'ColumnRef':
      return column(names(b.fields), s);
    case 'A_Const':
    case 'ParamRef':
    case 'TypeCast':
      return valueFrag(node, s, 'other');
    case 'BoolExpr': {
      const args = (b.args as AstNode[]).map((a) => boolExpr(a, s));
      const op = b.boolop === 'AND_EXPR' ? 'AND' : b.boolop === 'OR_EXPR' ? 'OR' : 'NOT';
      return {
        family: 'bool',
        aggregate: args.some((a) => a.aggregate),
        sql: (v) => {
          const parts = args.map((a) => a.sql(v));
          if (parts.some((p) => p === null)) return null;
          if (op === 'NOT') return sql`(NOT ${parts[0]!})`;
          return sql`(${sql.join(parts as RawBuilder<unknown>[], sql.raw(` ${op} `))})`;
        },
      };
    }
    case 'NullTest': {
      const arg = expr(b.arg, s);
      if (s.dialect === 'mysql' && (arg.family === 'date' || arg.family === 'timestamp' || arg.family === 'timestamptz')) no();
      return { family: 'bool', aggregate: arg.aggregate, sql: (v) => ((a) => (a ? sql`(${a} ${sql.raw(b.nulltesttype === 'IS_NOT_NULL' ? 'IS NOT NULL' : 'IS NULL')})` : null))(arg.sql(v)) };
    }
    case 'A_Expr':
      return aExpr(b, s);
    case 'FuncCall':
      return aggregate(b, s);
    default:
      no();
  }
}

function aExpr(b: AstNode, s: Scope): Frag {
  const op = names(b.name)[0] ?? '';
  switch (b.kind) {
    case 'AEXPR_OP': {
      if (!b.lexpr) no();
      if (CMP.has(op)) {
        const [l, r] = pair(b.lexpr, b.rexpr, s);
        if (!comparable(l, r)) no();
        const eq = op === '=' || op === '<>' || op === '!=';
        if (eq ? !equalityOk(l.family, s.dialect) : !orderOk(l.family, s.dialect)) no();
        return bin({ ...l, sql: (v) => ((x) => (x ? collate(l.family, s.dialect, x) : null))(l.sql(v)) }, { ...r, sql: (v) => ((x) => (x ? collate(r.family, s.dialect, x) : null))(r.sql(v)) }, op === '!=' ? '<>' : op, 'bool');
      }
      if (op === '+' || op === '-' || op === '*') {
        const [l, r] = pair(b.lexpr, b.rexpr, s);
        if (!numeric(l.family) || !numeric(r.family)) no();
        const family = l.family === 'int' && r.family === 'int' ? 'int' : l.family === 'float' || r.family === 'float' ? 'float' : 'decimal';
        // MySQL and SQLite do not raise on integer overflow, PostgreSQL and DuckDB do
        if (family === 'int' && s.dialect !== 'postgres') no();
        return bin(l, r, op, family);
      }
      return no();
    }
    case 'AEXPR_IN': {
      if (op !== '=') no();
      const l = expr(b.lexpr, s);
      if (!equalityOk(l.family, s.dialect)) no();
      const items = (Array.isArray(b.rexpr) ? b.rexpr : b.rexpr?.List?.items ?? no()) as AstNode[];
      const vals = items.map((i) => (isValue(i) ? valueFrag(i, s, l.family) : no()));
      if (!vals.every((x) => comparable(l, x))) no();
      return {
        family: 'bool',
        aggregate: l.aggregate,
        sql: (v) => {
          const a = l.sql(v);
          const xs = vals.map((x) => x.sql(v));
          return a && xs.every((x) => x) ? sql`(${a} IN (${sql.join(xs as RawBuilder<unknown>[])}))` : null;
        },
      };
    }
    case 'AEXPR_BETWEEN': {
      const items = (Array.isArray(b.rexpr) ? b.rexpr : b.rexpr?.List?.items ?? no()) as AstNode[];
      const l = expr(b.lexpr, s);
      if (!orderOk(l.family, s.dialect)) no();
      const lo = isValue(items[0]!) ? valueFrag(items[0]!, s, l.family) : expr(items[0]!, s);
      const hi = isValue(items[1]!) ? valueFrag(items[1]!, s, l.family) : expr(items[1]!, s);
      if (!comparable(l, lo) || !comparable(l, hi)) no();
      return {
        family: 'bool',
        aggregate: l.aggregate,
        sql: (v) => {
          const [a, x, y] = [l.sql(v), lo.sql(v), hi.sql(v)];
          return a && x && y ? sql`(${collate(l.family, s.dialect, a)} BETWEEN ${collate(l.family, s.dialect, x)} AND ${collate(l.family, s.dialect, y)})` : null;
        },
      };
    }
    case 'AEXPR_LIKE': {
      if (s.dialect !== 'postgres' || (op !== '~~' && op !== '!~~')) no();
      const l = expr(b.lexpr, s);
      if (l.family !== 'string' || nodeType(b.rexpr) !== 'A_Const') no();
      const p = valueFrag(b.rexpr, s, 'string');
      const o = s.operands[s.operands.length - 1]!;
      if (o.kind === 'const' && o.text.includes('\\')) no();
      return bin(l, p, op === '~~' ? 'LIKE' : 'NOT LIKE', 'bool');
    }
    default:
      return no();
  }
}

function aggregate(b: AstNode, s: Scope): Frag {
  const fn = names(b.funcname);
  if (fn.length !== 1 || b.over || b.agg_filter || b.agg_order?.length || b.agg_within_group || b.func_variadic) no();
  const name = fn[0]!.toLowerCase();
  const args = (b.args ?? []) as AstNode[];
  if (name === 'count') {
    if (b.agg_star) return { family: 'int', aggregate: true, sql: () => sql`count(*)` };
    if (args.length !== 1) no();
    const a = expr(args[0]!, s);
    if (a.aggregate || (b.agg_distinct && !equalityOk(a.family, s.dialect))) no();
    return { family: 'int', aggregate: true, sql: (v) => ((x) => (x ? sql`count(${sql.raw(b.agg_distinct ? 'DISTINCT ' : '')}${x})` : null))(a.sql(v)) };
  }
  if (b.agg_distinct || b.agg_star || args.length !== 1) no();
  const a = expr(args[0]!, s);
  if (a.aggregate) no();
  switch (name) {
    case 'sum':
      if (!numeric(a.family)) no();
      // MySQL sums integers as DECIMAL and SQLite overflows differently: only exact types
      if (s.dialect === 'sqlite' && a.family !== 'int') no();
      return { family: a.family === 'int' ? 'decimal' : a.family, aggregate: true, sql: (v) => ((x) => (x ? sql`sum(${x})` : null))(a.sql(v)) };
    case 'min':
    case 'max':
      if (!orderOk(a.family, s.dialect)) no();
      return { family: a.family, aggregate: true, sql: (v) => ((x) => (x ? sql`${sql.raw(name)}(${collate(a.family, s.dialect, x)})` : null))(a.sql(v)) };
    case 'avg':
      // MySQL averages in DECIMAL with 4 extra digits; DuckDB's avg is a double
      if (!numeric(a.family) || s.dialect === 'mysql') no();
      return { family: 'float', aggregate: true, sql: (v) => ((x) => (x ? sql`avg(${x})` : null))(a.sql(v)) };
    default:
      return no();
  }
}

/** GROUP BY item: an expression, or a select-list position. */
function groupKey(g: AstNode, sel: AstNode, s: Scope): Frag {
  if (g.A_Const?.ival !== undefined) {
    const t = (sel.targetList as AstNode[])[(g.A_Const.ival.ival ?? 0) - 1]?.ResTarget?.val ?? no();
    return expr(t, s);
  }
  return expr(g, s);
}

function sortKey(by: AstNode, sel: AstNode, s: Scope): (v: OperandValues) => RawBuilder<unknown>[] | null {
  let node: AstNode = by.node;
  const targets = (sel.targetList ?? []) as AstNode[];
  if (node.A_Const?.ival !== undefined) node = targets[(node.A_Const.ival.ival ?? 0) - 1]?.ResTarget?.val ?? no();
  else if (node.ColumnRef && names(node.ColumnRef.fields).length === 1) {
    const alias = s.outputs.get(names(node.ColumnRef.fields)[0]!.toLowerCase());
    if (alias) node = alias;
  }
  if (by.sortby_dir === 'SORTBY_USING') no();
  const e = expr(node, s);
  if (!orderOk(e.family, s.dialect)) no();
  const desc = by.sortby_dir === 'SORTBY_DESC';
  const nullsFirst = by.sortby_nulls === 'SORTBY_NULLS_FIRST' || (by.sortby_nulls !== 'SORTBY_NULLS_LAST' && desc);
  return (v) => {
    const x = e.sql(v);
    if (!x) return null;
    const c = collate(e.family, s.dialect, x);
    const dir = sql.raw(desc ? 'DESC' : 'ASC');
    if (s.dialect === 'mysql') return [sql`(${x} ${sql.raw(nullsFirst ? 'IS NOT NULL' : 'IS NULL')})`, sql`${c} ${dir}`];
    return [sql`${c} ${dir} ${sql.raw(nullsFirst ? 'NULLS FIRST' : 'NULLS LAST')}`];
  };
}

function limitFrag(node: AstNode, s: Scope): (v: OperandValues) => RawBuilder<unknown> | null {
  const o = toOperand(node, 'int', s.ctx);
  if (!o || o.family !== 'int') no();
  s.operands.push(o);
  return (v) => {
    const text = o.kind === 'const' ? o.text : (v.get(o) ?? null);
    if (text === null || !/^\d+$/.test(text)) return null;
    return sql.lit(Number(text)) as RawBuilder<unknown>;
  };
}
