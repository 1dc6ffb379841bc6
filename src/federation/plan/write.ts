import { PgError, SqlState } from '../../errors.js';
import { names, nodeType, type AstNode } from '../../sql/ast.js';
import { duckTypeNameAst, typeFamily } from '../column-type.js';
import type { Dialect } from '../dialect.js';
import { columnByName, type FederatedColumn, type FederatedTable } from '../table.js';
import { planRead, type PlanContext, type ReadPlan } from './planner.js';
import { columnRefs, conjuncts, hasSubLink, toPredicate, type Pred } from './predicate.js';
import type { WriteTarget } from './relations.js';

/** A statement lakegate evaluates in DuckDB (reading remote tables if it must) to get rows to write. */
export interface EvalPlan {
  /** A SELECT statement (wrapped). */
  ast: AstNode;
  /** Its federated read plan, or null when it reads no remote table. */
  read: ReadPlan | null;
}

/** SET column = ... that the source can compute itself. */
export type RemoteSet =
  | { column: FederatedColumn; kind: 'value'; /** constant expression (parameters allowed), evaluated once in DuckDB */ expr: AstNode }
  | { column: FederatedColumn; kind: 'default' }
  | { column: FederatedColumn; kind: 'arith'; source: FederatedColumn; op: '+' | '-' | '*'; expr: AstNode; constantFirst: boolean };

export interface WritePlan {
  statement: 'insert' | 'update' | 'delete';
  table: FederatedTable;
  dialect: Dialect;
  /** The name the statement gives the target (alias or table name), for RETURNING. */
  alias: string;
  insert: { groups: { columns: FederatedColumn[]; eval: EvalPlan }[] } | null;
  /** One UPDATE/DELETE on the source: every filter and SET translates exactly. */
  direct: { where: Pred[]; sets: RemoteSet[] } | null;
  /** Rows chosen (and new values computed) in DuckDB, written on the source by primary key. */
  keyed: { key: FederatedColumn[]; sets: FederatedColumn[]; eval: EvalPlan } | null;
  returning: { targets: AstNode[]; columns: FederatedColumn[] } | null;
}

function refuse(message: string, hint?: string): PgError {
  return new PgError(SqlState.FeatureNotSupported, message, { hint });
}

function rangeVarOf(target: WriteTarget): AstNode {
  return { RangeVar: structuredClone(target.body) };
}

function columnRef(alias: string, name: string): AstNode {
  return { ColumnRef: { fields: [{ String: { sval: alias } }, { String: { sval: name } }] } };
}

function evalPlan(select: AstNode, ctx: PlanContext): EvalPlan {
  const ast = { SelectStmt: select };
  // the statement is planned on a copy: planning points remote references at temporary tables
  const read = planRead(structuredClone(ast), ctx);
  return { ast, read };
}

/** Columns a RETURNING list uses (all of them for `*` or a whole-row reference). */
function returningColumns(targets: AstNode[], table: FederatedTable, alias: string): FederatedColumn[] {
  const used = new Set<FederatedColumn>();
  for (const f of columnRefs(targets)) {
    const last = f[f.length - 1]!;
    if (last === '*' || (f.length === 1 && last.toLowerCase() === alias.toLowerCase())) return [...table.columns];
    const c = columnByName(table, last);
    if (c) used.add(c);
  }
  const cols = table.columns.filter((c) => used.has(c));
  return cols.length > 0 ? cols : table.columns.slice(0, 1);
}

/** Plans INSERT/UPDATE/DELETE whose target is a remote table. */
export function planWrite(target: WriteTarget, table: FederatedTable, ctx: PlanContext): WritePlan {
  const dialect = ctx.dialect(table.source);
  const body = target.stmt;
  const alias = target.refName;
  const returningList = (body.returningList ?? body.returningClause?.exprs) as AstNode[] | undefined;
  const returning = returningList?.length ? { targets: returningList, columns: returningColumns(returningList, table, alias) } : null;
  const plan: WritePlan = { statement: target.statement, table, dialect, alias, insert: null, direct: null, keyed: null, returning };
  if (target.statement === 'insert') {
    if (body.onConflictClause) throw refuse('INSERT ... ON CONFLICT is not supported on remote tables');
    if (body.override && body.override !== 'OVERRIDING_NOT_SET') throw refuse('INSERT ... OVERRIDING is not supported on remote tables');
    plan.insert = planInsert(body, table, ctx);
    return plan;
  }
  const where = body.whereClause as AstNode | undefined;
  const extraFrom = ((body.fromClause ?? body.usingClause ?? []) as AstNode[]).length > 0;
  const sets: AstNode[] = target.statement === 'update' ? (body.targetList as AstNode[]) : [];
  for (const s of sets) if (s.ResTarget?.indirection?.length) throw refuse('UPDATE of a field or array element of a remote column is not supported');
  if (!extraFrom && !hasSubLink(where) && !hasSubLink(sets)) {
    const direct = planDirect(where, sets, table, alias, dialect, ctx);
    // MariaDB has no UPDATE ... RETURNING: such updates go by primary key
    if (direct && !(returning && dialect === 'mysql' && target.statement === 'update')) {
      plan.direct = direct;
      return plan;
    }
  }
  if (table.primaryKey.length === 0) {
    throw refuse(
      `this ${target.statement.toUpperCase()} on remote table ${table.schema}.${table.name} needs a primary key on the source`,
      'Without one, only statements whose WHERE and SET translate exactly to the source are supported.',
    );
  }
  plan.keyed = planKeyed(body, target, table, sets, ctx);
  return plan;
}

function planInsert(body: AstNode, table: FederatedTable, ctx: PlanContext): { groups: { columns: FederatedColumn[]; eval: EvalPlan }[] } {
  const named = ((body.cols ?? []) as AstNode[]).map((c) => {
    const col = columnByName(table, String(c.ResTarget.name));
    if (!col) throw new PgError(SqlState.UndefinedColumn, `column "${c.ResTarget.name}" of relation "${table.name}" does not exist`);
    return col;
  });
  const columns = named.length > 0 ? named : table.columns;
  const select = body.selectStmt?.SelectStmt as AstNode | undefined;
  if (!select) {
    // INSERT ... DEFAULT VALUES: one row with every column defaulted
    return { groups: [{ columns: [], eval: evalPlan({ targetList: [{ ResTarget: { val: { A_Const: { ival: { ival: 1 } } } } }], limitOption: 'LIMIT_OPTION_DEFAULT', op: 'SETOP_NONE' }, ctx) }] };
  }
  const cast = (c: FederatedColumn, val: AstNode): AstNode => ({ ResTarget: { name: c.name, val } });
  if (select.valuesLists && (!select.op || select.op === 'SETOP_NONE') && !select.fromClause) {
    // rows with DEFAULT in the same places go together; defaulted columns are left to the source
    const groups = new Map<string, { columns: FederatedColumn[]; rows: AstNode[][] }>();
    for (const list of select.valuesLists as AstNode[]) {
      const items = list.List.items as AstNode[];
      if (items.length !== columns.length) throw new PgError(SqlState.SyntaxError, 'INSERT has more expressions than target columns');
      const keep = items.map((it) => nodeType(it) !== 'SetToDefault');
      const k = keep.map((x) => (x ? '1' : '0')).join('');
      let g = groups.get(k);
      if (!g) {
        g = { columns: columns.filter((_, i) => keep[i]), rows: [] };
        groups.set(k, g);
      }
      g.rows.push(items.filter((_, i) => keep[i]));
    }
    return {
      groups: [...groups.values()].map((g) => {
        if (g.columns.length === 0) return { columns: [], eval: evalPlan({ targetList: [{ ResTarget: { val: { A_Const: { ival: { ival: 1 } } } } }], valuesLists: undefined, limitOption: 'LIMIT_OPTION_DEFAULT', op: 'SETOP_NONE' }, ctx) };
        const values = { SelectStmt: { valuesLists: g.rows.map((items) => ({ List: { items } })), limitOption: 'LIMIT_OPTION_DEFAULT', op: 'SETOP_NONE' } };
        const sub = { RangeSubselect: { subquery: values, alias: { aliasname: 'v', colnames: g.columns.map((_, i) => ({ String: { sval: `c${i}` } })) } } };
        const targets = g.columns.map((c, i) => cast(c, castTo(columnRef('v', `c${i}`), c)));
        return { columns: g.columns, eval: evalPlan({ targetList: targets, fromClause: [sub], limitOption: 'LIMIT_OPTION_DEFAULT', op: 'SETOP_NONE' }, ctx) };
      }),
    };
  }
  // INSERT ... SELECT: the query runs in DuckDB (it may read remote tables itself)
  const sub = { RangeSubselect: { subquery: body.selectStmt, alias: { aliasname: 's', colnames: columns.map((_, i) => ({ String: { sval: `c${i}` } })) } } };
  const targets = columns.map((c, i) => cast(c, castTo(columnRef('s', `c${i}`), c)));
  const withClause = body.withClause;
  return { groups: [{ columns, eval: evalPlan({ targetList: targets, fromClause: [sub], withClause, limitOption: 'LIMIT_OPTION_DEFAULT', op: 'SETOP_NONE' }, ctx) }] };
}

/** `CAST(expr AS <the column's DuckDB type>)`, so values arrive in the column's type. */
export function castTo(expr: AstNode, c: FederatedColumn): AstNode {
  const typeName = duckTypeNameAst(c.type);
  return typeName ? { TypeCast: { arg: expr, typeName } } : expr;
}

function constantExpr(node: AstNode): boolean {
  return columnRefs(node).length === 0 && !hasSubLink(node);
}

function planDirect(where: AstNode | undefined, sets: AstNode[], table: FederatedTable, alias: string, dialect: Dialect, ctx: PlanContext): { where: Pred[]; sets: RemoteSet[] } | null {
  const lookup = (fields: string[]): FederatedColumn | 'other' | 'unknown' => {
    if (fields.length >= 2 && fields[fields.length - 2]!.toLowerCase() !== alias.toLowerCase()) return 'other';
    return columnByName(table, fields[fields.length - 1]!) ?? 'unknown';
  };
  const preds: Pred[] = [];
  for (const c of conjuncts(where)) {
    const p = toPredicate(c, lookup, dialect, ctx, 'write');
    if (!p || !p.exact) return null;
    preds.push(p.pred);
  }
  const out: RemoteSet[] = [];
  for (const s of sets) {
    const rt = s.ResTarget;
    const column = columnByName(table, String(rt.name));
    if (!column) throw new PgError(SqlState.UndefinedColumn, `column "${rt.name}" of relation "${table.name}" does not exist`);
    const val = rt.val as AstNode;
    if (nodeType(val) === 'SetToDefault') {
      if (dialect === 'sqlite') return null;
      out.push({ column, kind: 'default' });
    } else if (constantExpr(val)) out.push({ column, kind: 'value', expr: val });
    else {
      const a = arith(val, lookup);
      if (!a || !['int', 'decimal', 'float'].includes(typeFamily(column.type))) return null;
      out.push({ column, kind: 'arith', ...a });
    }
  }
  return { where: preds, sets: out };
}

/** `col + <constant>` (or -, *) on a numeric column of the target. */
function arith(val: AstNode, lookup: (f: string[]) => FederatedColumn | 'other' | 'unknown'): { source: FederatedColumn; op: '+' | '-' | '*'; expr: AstNode; constantFirst: boolean } | null {
  const e = val.A_Expr;
  if (!e || e.kind !== 'AEXPR_OP' || !e.lexpr || !e.rexpr) return null;
  const op = names(e.name)[0];
  if (op !== '+' && op !== '-' && op !== '*') return null;
  const asCol = (n: AstNode): FederatedColumn | null => {
    if (!n.ColumnRef) return null;
    const c = lookup(names(n.ColumnRef.fields));
    return typeof c === 'object' && ['int', 'decimal', 'float'].includes(typeFamily(c.type)) ? c : null;
  };
  const l = asCol(e.lexpr);
  if (l && constantExpr(e.rexpr)) return { source: l, op, expr: e.rexpr, constantFirst: false };
  const r = asCol(e.rexpr);
  if (r && constantExpr(e.lexpr) && op !== '-') return { source: r, op, expr: e.lexpr, constantFirst: true };
  return null;
}

/**
 * UPDATE/DELETE whose rows DuckDB must choose: a SELECT over the target (and
 * any FROM/USING items) gives the primary keys and, for UPDATE, the new
 * values; the source then gets one statement per batch of keys.
 */
function planKeyed(body: AstNode, target: WriteTarget, table: FederatedTable, sets: AstNode[], ctx: PlanContext): WritePlan['keyed'] {
  const alias = target.refName;
  const key = table.primaryKey.map((n) => columnByName(table, n)!);
  const setColumns: FederatedColumn[] = [];
  const targets: AstNode[] = key.map((k, i) => ({ ResTarget: { name: `k${i}`, val: columnRef(alias, k.name) } }));
  sets.forEach((s, i) => {
    const column = columnByName(table, String(s.ResTarget.name));
    if (!column) throw new PgError(SqlState.UndefinedColumn, `column "${s.ResTarget.name}" of relation "${table.name}" does not exist`);
    if (nodeType(s.ResTarget.val) === 'SetToDefault') throw refuse('SET column = DEFAULT is not supported here on remote tables');
    setColumns.push(column);
    targets.push({ ResTarget: { name: `s${i}`, val: castTo(structuredClone(s.ResTarget.val), column) } });
  });
  const from = [rangeVarOf(target), ...structuredClone((body.fromClause ?? body.usingClause ?? []) as AstNode[])];
  const select: AstNode = {
    // several FROM rows may match one target row: it is written once
    distinctClause: key.map((k) => columnRef(alias, k.name)),
    targetList: targets,
    fromClause: from,
    whereClause: body.whereClause ? structuredClone(body.whereClause) : undefined,
    withClause: body.withClause,
    limitOption: 'LIMIT_OPTION_DEFAULT',
    op: 'SETOP_NONE',
  };
  return { key, sets: setColumns, eval: evalPlan(select, ctx) };
}
