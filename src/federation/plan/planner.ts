import duckdb from '@duckdb/node-bindings';
import { names, nodeType, type AstNode } from '../../sql/ast.js';
import type { DuckType } from '../../types/duck-type.js';
import { typeFamily, type TypeFamily } from '../column-type.js';
import type { Dialect } from '../dialect.js';
import { columnByName, type FederatedColumn, type FederatedTable, type PendingTable } from '../table.js';
import type { SortKey } from './compile.js';
import { columnRefs, conjuncts, hasSubLink, toOperand, toPredicate, type Operand, type OperandContext, type Pred, type PushedPred, type ValueFamily } from './predicate.js';
import { statementRelations, type FromLeaf, type JoinStep, type Scope } from './relations.js';
import { resolveRangeVar, type NameContext } from './resolve.js';

/** What the planner needs to know about the catalog and the statement's parameters. */
export interface PlanContext extends OperandContext {
  names: NameContext;
  /** A remote table (or one whose source is down) by catalog name. */
  remote(schema: string, name: string): FederatedTable | PendingTable | null;
  /** The dialect of a source. */
  dialect(source: string): Dialect;
  /** Columns of a local catalog relation, or null when unknown. */
  localColumns(schema: string, name: string): LocalColumn[] | null;
  /** A catalog view whose definition reads remote tables: its SELECT, to be inlined. */
  federatedView(schema: string, name: string): AstNode | null;
  /** The down source importing into a catalog schema, if any. */
  pendingImport(schema: string): string | null;
  paramTypes: readonly (DuckType | null)[];
}

/** A column of a lake table or view, as far as planning needs it. */
export interface LocalColumn {
  name: string;
  family: TypeFamily;
}

/** LIMIT (and OFFSET) of a scan: numbers, or parameter operands known at execution. */
export interface LimitSpec {
  count: number | Operand;
  offset: number | Operand | null;
}

/** A remote table read by the statement, and what its scan asks of the source. */
export interface ScanPlan {
  leaf: FromLeaf;
  table: FederatedTable;
  dialect: Dialect;
  /** Columns the statement uses; empty when it only counts rows. */
  columns: FederatedColumn[];
  filters: PushedPred[];
  /** Filters of the statement on this table that stay in DuckDB only. */
  localFilters: number;
  orderBy: SortKey[];
  limit: LimitSpec | null;
  /** Join keys to collect first and push as a filter (dynamic filtering). */
  dynamic: DynamicFilterPlan | null;
}

/**
 * Dynamic filtering: the keys of the other side of an equi-join, collected in
 * DuckDB (that side's own filters applied) before this scan runs, and pushed
 * to the source as `column = ANY(keys)` / `IN (...)` when few enough.
 */
export interface DynamicFilterPlan {
  column: FederatedColumn;
  family: ValueFamily;
  /** The other side of the join. */
  provider: FromLeaf;
  /** The join key on the other side. */
  keyExpr: AstNode;
  /** Filters that involve only the other side. */
  conditions: AstNode[];
  /** When the other side is a remote table: it must be loaded first. */
  after: ScanPlan | null;
}

export interface ReadPlan {
  /** The statement (mutated in place: remote references point at temporary tables). */
  ast: AstNode;
  scans: ScanPlan[];
  /** Remote tables whose source is down. */
  unavailable: PendingTable[];
  explain: { analyze: boolean } | null;
}

const MAX_VIEW_DEPTH = 8;

function same(a: string | null | undefined, b: string | null | undefined): boolean {
  return a !== null && a !== undefined && b !== null && b !== undefined && a.toLowerCase() === b.toLowerCase();
}

function isRemote(x: FederatedTable | PendingTable | null): x is FederatedTable {
  return x !== null && 'columns' in x;
}

/** Functions allowed in the select list of a statement whose LIMIT is pushed (scalar, one row in, one row out). */
const SCALAR_FUNCTIONS = new Set(['lower', 'upper', 'length', 'char_length', 'substr', 'substring', 'abs', 'round', 'trunc', 'floor', 'ceil', 'concat', 'date_trunc', 'date_part', 'extract', 'to_char', 'trim', 'btrim', 'replace', 'pg_div', 'pg_mod', 'coalesce', 'nullif']);

function onlyScalarTargets(targets: AstNode[] | undefined): boolean {
  let ok = true;
  const visit = (v: unknown): void => {
    if (!ok || !v || typeof v !== 'object') return;
    if (Array.isArray(v)) return v.forEach(visit);
    const o = v as AstNode;
    if (o.FuncCall) {
      const fn = names(o.FuncCall.funcname);
      if (o.FuncCall.over || o.FuncCall.agg_star || o.FuncCall.agg_distinct || !SCALAR_FUNCTIONS.has(fn[fn.length - 1] ?? '')) ok = false;
    }
    if (o.SubLink || o.GroupingFunc) ok = false;
    for (const k of Object.keys(o)) visit(o[k]);
  };
  visit(targets);
  return ok;
}

/**
 * Plans a statement that reads remote tables: which tables, which columns,
 * which filters, LIMIT and ORDER BY each source can take, and which join
 * keys to push. Returns null when the statement reads no remote table.
 */
export function planRead(stmt: AstNode, ctx: PlanContext): ReadPlan | null {
  inlineFederatedViews(stmt, ctx);
  const rel = statementRelations(stmt);
  const scans: ScanPlan[] = [];
  const unavailable: PendingTable[] = [];
  const refs = columnRefs(rel.explain ? rel.explain.inner : stmt);
  for (const leaf of rel.leaves) {
    if (leaf.kind !== 'relation') continue;
    const resolved = resolveRangeVar(leaf.body, ctx.names);
    const remote = resolved ? ctx.remote(resolved.schema, resolved.name) : null;
    if (!remote) {
      // a qualified name in a schema imported from a source that is down
      const source = !resolved && leaf.body.schemaname ? ctx.pendingImport(String(leaf.body.schemaname)) : null;
      if (source) unavailable.push({ schema: String(leaf.body.schemaname), name: String(leaf.body.relname), source });
      continue;
    }
    if (!isRemote(remote)) {
      unavailable.push(remote);
      continue;
    }
    scans.push(planScan(leaf, remote, ctx, refs));
  }
  if (scans.length === 0 && unavailable.length === 0) return null;
  for (const s of scans) s.dynamic = planDynamicFilter(s, scans, ctx);
  for (const s of scans) pointAtTemp(s.leaf, stmt);
  const analyze = rel.explain ? rel.explain.options.includes('analyze') : false;
  return { ast: stmt, scans: loadOrder(scans), unavailable, explain: rel.explain ? { analyze } : null };
}

/** Scans whose join keys come from another remote table run after it. */
function loadOrder(scans: ScanPlan[]): ScanPlan[] {
  const out: ScanPlan[] = [];
  const left = new Set(scans);
  while (left.size > 0) {
    const ready = [...left].filter((s) => !s.dynamic?.after || !left.has(s.dynamic.after));
    const next = ready.length > 0 ? ready : [...left];
    for (const s of next) {
      // a cycle cannot happen (a provider never takes keys from its consumer), but stay safe
      if (ready.length === 0) s.dynamic = null;
      out.push(s);
      left.delete(s);
    }
  }
  return out;
}

/** Replaces references to catalog views over remote tables by their definitions. */
function inlineFederatedViews(stmt: AstNode, ctx: PlanContext): void {
  for (let depth = 0; depth < MAX_VIEW_DEPTH; depth++) {
    let changed = false;
    for (const leaf of statementRelations(stmt).leaves) {
      if (leaf.kind !== 'relation') continue;
      const resolved = resolveRangeVar(leaf.body, ctx.names);
      const view = resolved ? ctx.federatedView(resolved.schema, resolved.name) : null;
      if (!view) continue;
      const alias = leaf.refName ?? leaf.body.relname;
      delete leaf.node.RangeVar;
      leaf.node.RangeSubselect = { subquery: structuredClone(view), alias: { aliasname: alias } };
      changed = true;
    }
    if (!changed) return;
  }
}

/** Column names a FROM item exposes, when they can be known. */
function leafColumns(leaf: FromLeaf, ctx: PlanContext): string[] | null {
  if (leaf.kind === 'relation') {
    const r = resolveRangeVar(leaf.body, ctx.names);
    if (!r) return null;
    const remote = ctx.remote(r.schema, r.name);
    if (isRemote(remote)) return remote.columns.map((c) => c.name);
    if (remote) return null;
    return ctx.localColumns(r.schema, r.name)?.map((c) => c.name) ?? null;
  }
  if (leaf.kind === 'subquery') {
    const sel = leaf.body.subquery?.SelectStmt;
    if (!sel || (sel.op && sel.op !== 'SETOP_NONE')) return null;
    const out: string[] = [];
    for (const t of (sel.targetList ?? []) as AstNode[]) {
      const rt = t.ResTarget;
      if (rt.name) out.push(rt.name);
      else if (rt.val?.ColumnRef) {
        const f = names(rt.val.ColumnRef.fields);
        const last = f[f.length - 1]!;
        if (last === '*') return null;
        out.push(last);
      } else return null;
    }
    const aliases = (leaf.body.alias?.colnames ?? []) as AstNode[];
    return aliases.length ? [...aliases.map((a) => a.String.sval as string), ...out.slice(aliases.length)] : out;
  }
  return null;
}

function leafMatches(leaf: FromLeaf, fields: string[]): boolean {
  // qualifier is fields[len-2]; a three-part name also names the schema
  const q = fields[fields.length - 2];
  if (!same(q, leaf.refName)) return false;
  if (fields.length >= 3 && leaf.body.alias) return false;
  if (fields.length >= 3 && leaf.body.schemaname && !same(fields[fields.length - 3], leaf.body.schemaname)) return false;
  return true;
}

/** Resolves a column reference seen inside `scope` against the remote leaf. */
function lookupFor(leaf: FromLeaf, table: FederatedTable, scope: Scope, ctx: PlanContext): (fields: string[]) => FederatedColumn | 'other' | 'unknown' {
  return (fields) => {
    if (fields.length >= 2) {
      if (!leafMatches(leaf, fields)) return 'other';
      return columnByName(table, fields[fields.length - 1]!) ?? 'unknown';
    }
    const col = columnByName(table, fields[0]!);
    if (!col) return 'other';
    for (const other of scope.leaves) {
      if (other === leaf) continue;
      const cols = leafColumns(other, ctx);
      if (!cols || cols.some((c) => same(c, fields[0]))) return 'unknown';
    }
    return col;
  };
}

function strict(p: Pred): boolean {
  switch (p.op) {
    case 'null':
      return p.negated;
    case 'and':
      return p.args.some(strict);
    case 'or':
      return p.args.every(strict);
    default:
      return true;
  }
}

/** Can a filter at a join (or the WHERE above the joins) move down past `steps` to the table? */
function canPushThrough(steps: JoinStep[], isStrict: boolean): boolean {
  for (const s of steps) {
    const jt = s.join.jointype as string;
    if (jt === 'JOIN_INNER') continue;
    const preserved = (jt === 'JOIN_LEFT' && s.side === 'larg') || (jt === 'JOIN_RIGHT' && s.side === 'rarg');
    if (preserved) continue;
    if (!isStrict) return false;
  }
  return true;
}

/** Can an ON condition of `step.join` filter the table on `step.side` before the join? */
function onConditionApplies(step: JoinStep): boolean {
  const jt = step.join.jointype as string;
  if (jt === 'JOIN_INNER') return true;
  if (jt === 'JOIN_LEFT') return step.side === 'rarg';
  if (jt === 'JOIN_RIGHT') return step.side === 'larg';
  return false;
}

function planScan(leaf: FromLeaf, table: FederatedTable, ctx: PlanContext, refs: string[][]): ScanPlan {
  const dialect = ctx.dialect(table.source);
  const scope = leaf.scope;
  const lookup = lookupFor(leaf, table, scope, ctx);
  const filters: PushedPred[] = [];
  let localFilters = 0;
  let allWhereExact = true;
  const consider = (c: AstNode, steps: JoinStep[], fromWhere: boolean): void => {
    const refsIn = columnRefs(c);
    const mentionsLeaf = refsIn.some((f) => typeof lookup(f) === 'object' || lookup(f) === 'unknown');
    const p = hasSubLink(c) ? null : toPredicate(c, lookup, dialect, ctx);
    if (p && refsIn.every((f) => typeof lookup(f) === 'object') && canPushThrough(steps, strict(p.pred))) {
      filters.push(p);
      if (fromWhere && !p.exact) allWhereExact = false;
      return;
    }
    if (fromWhere) allWhereExact = false;
    if (mentionsLeaf) localFilters++;
  };
  const where = scope.select.whereClause;
  for (const c of conjuncts(where)) consider(c, leaf.path, true);
  leaf.path.forEach((step, i) => {
    if (!onConditionApplies(step)) return;
    for (const c of conjuncts(step.join.quals)) consider(c, leaf.path.slice(i + 1), false);
  });
  const columns = projection(leaf, table, refs);
  const { orderBy, limit } = planLimit(leaf, table, scope, ctx, dialect, allWhereExact && !hasSubLink(where));
  return { leaf, table, dialect, columns, filters, localFilters, orderBy, limit, dynamic: null };
}

/** The columns of `table` that the statement uses anywhere (over-including is harmless). */
function projection(leaf: FromLeaf, table: FederatedTable, refs: string[][]): FederatedColumn[] {
  const used = new Set<FederatedColumn>();
  let all = false;
  const targets = (leaf.scope.select.targetList ?? []) as AstNode[];
  if (targets.some((t) => names(t.ResTarget?.val?.ColumnRef?.fields).join('.') === '*')) all = true;
  for (const step of leaf.path) {
    if (step.join.isNatural) all = true;
    for (const u of (step.join.usingClause ?? []) as AstNode[]) {
      const c = columnByName(table, u.String.sval);
      if (c) used.add(c);
    }
  }
  for (const f of refs) {
    const last = f[f.length - 1]!;
    if (f.length === 1) {
      const c = columnByName(table, last);
      if (c) used.add(c);
      else if (same(last, leaf.refName)) all = true; // whole-row reference
      continue;
    }
    if (!leafMatches(leaf, f)) continue;
    if (last === '*') all = true;
    else {
      const c = columnByName(table, last);
      if (c) used.add(c);
    }
  }
  if (all) return [...table.columns];
  return table.columns.filter((c) => used.has(c));
}

function limitValue(node: AstNode | undefined, ctx: PlanContext): number | Operand | null | 'none' {
  if (!node) return null;
  if (node.A_Const?.isnull) return null;
  const o = toOperand(node, 'int', ctx);
  if (!o || o.family !== 'int') return 'none';
  if (o.kind === 'const') return Number(o.text);
  return o;
}

/** ORDER BY ... LIMIT that the source can apply before lakegate sorts and limits again. */
function planLimit(
  leaf: FromLeaf,
  table: FederatedTable,
  scope: Scope,
  ctx: PlanContext,
  dialect: Dialect,
  whereExact: boolean,
): { orderBy: SortKey[]; limit: LimitSpec | null } {
  const none = { orderBy: [], limit: null };
  const s = scope.select;
  if (!whereExact || scope.leaves.length !== 1 || leaf.path.length > 0) return none;
  if (!s.limitCount || (s.limitOption && s.limitOption !== 'LIMIT_OPTION_COUNT' && s.limitOption !== 'LIMIT_OPTION_DEFAULT')) return none;
  if (s.groupClause?.length || s.havingClause || s.distinctClause || s.windowClause?.length || s.lockingClause?.length || s.intoClause) return none;
  if (!onlyScalarTargets(s.targetList)) return none;
  const count = limitValue(s.limitCount, ctx);
  const offset = limitValue(s.limitOffset, ctx);
  if (count === 'none' || offset === 'none' || count === null) return none;
  const lookup = lookupFor(leaf, table, scope, ctx);
  const orderBy: SortKey[] = [];
  for (const sb of (s.sortClause ?? []) as AstNode[]) {
    const by = sb.SortBy;
    let node = by.node;
    // ORDER BY 2 or ORDER BY alias: the select-list expression
    const targets = (s.targetList ?? []) as AstNode[];
    if (node.A_Const?.ival !== undefined) node = targets[(node.A_Const.ival.ival ?? 0) - 1]?.ResTarget?.val;
    else if (node.ColumnRef && names(node.ColumnRef.fields).length === 1) {
      const alias = targets.find((t) => t.ResTarget?.name && same(t.ResTarget.name, names(node.ColumnRef.fields)[0]));
      if (alias) node = alias.ResTarget.val;
    }
    if (nodeType(node) !== 'ColumnRef' || by.sortby_dir === 'SORTBY_USING') return none;
    const col = lookup(names(node.ColumnRef.fields));
    if (typeof col !== 'object' || !orderable(dialect, col)) return none;
    const desc = by.sortby_dir === 'SORTBY_DESC';
    const nullsFirst = by.sortby_nulls === 'SORTBY_NULLS_FIRST' || (by.sortby_nulls !== 'SORTBY_NULLS_LAST' && desc);
    orderBy.push({ column: col, desc, nullsFirst });
  }
  return { orderBy, limit: { count, offset } };
}

function orderable(dialect: Dialect, c: FederatedColumn): boolean {
  const f = typeFamily(c.type);
  if (f === 'int' || f === 'decimal') return true;
  if (f === 'float') return dialect === 'postgres' && c.type.id !== duckdb.Type.FLOAT;
  if (f === 'date' || f === 'timestamp' || f === 'timestamptz') return dialect !== 'sqlite';
  if (f === 'string') return dialect === 'postgres' && c.type.alias === null;
  return false;
}

const KEY_FAMILIES = new Set<TypeFamily>(['int', 'decimal', 'string', 'date', 'timestamp', 'timestamptz', 'uuid']);

/** Columns (name and family) of any FROM item, when known. */
function leafTypedColumns(leaf: FromLeaf, ctx: PlanContext): LocalColumn[] | null {
  if (leaf.kind !== 'relation') return null;
  const r = resolveRangeVar(leaf.body, ctx.names);
  if (!r) return null;
  const remote = ctx.remote(r.schema, r.name);
  if (isRemote(remote)) return remote.columns.map((c) => ({ name: c.name, family: typeFamily(c.type) }));
  if (remote) return null;
  return ctx.localColumns(r.schema, r.name);
}

/** The leaf of `scope` a column reference belongs to, with that column, when it is unambiguous. */
function ownerOf(fields: string[], scope: Scope, ctx: PlanContext): { leaf: FromLeaf; column: LocalColumn } | null {
  if (fields.includes('*')) return null;
  const name = fields[fields.length - 1]!;
  let found: { leaf: FromLeaf; column: LocalColumn } | null = null;
  for (const leaf of scope.leaves) {
    if (fields.length >= 2 && !leafMatches(leaf, fields)) continue;
    const cols = leafTypedColumns(leaf, ctx);
    if (!cols) {
      if (fields.length >= 2) return null;
      if (leafColumns(leaf, ctx) === null) return null; // could be this one's
      continue;
    }
    const col = cols.find((c) => same(c.name, name));
    if (!col) continue;
    if (found) return null; // ambiguous
    found = { leaf, column: col };
  }
  return found;
}

/** The first equi-join between the scan's table and another FROM item that has filters of its own. */
function planDynamicFilter(s: ScanPlan, all: ScanPlan[], ctx: PlanContext): DynamicFilterPlan | null {
  const scope = s.leaf.scope;
  const innerOnly = (l: FromLeaf): boolean => l.path.every((step) => step.join.jointype === 'JOIN_INNER' && !step.join.isNatural);
  if (!scope.leaves.every(innerOnly) || scope.leaves.length < 2) return null;
  const terms: AstNode[] = [...conjuncts(scope.select.whereClause)];
  for (const leaf of scope.leaves) for (const step of leaf.path) terms.push(...conjuncts(step.join.quals));
  const unique = [...new Set(terms)];
  const support = supportsKeys(s.dialect);
  for (const t of unique) {
    const e = t.A_Expr;
    if (!e || e.kind !== 'AEXPR_OP' || names(e.name)[0] !== '=' || !e.lexpr?.ColumnRef || !e.rexpr?.ColumnRef) continue;
    const l = ownerOf(names(e.lexpr.ColumnRef.fields), scope, ctx);
    const r = ownerOf(names(e.rexpr.ColumnRef.fields), scope, ctx);
    if (!l || !r) continue;
    const [mine, other, otherExpr] = l.leaf === s.leaf ? [l, r, e.rexpr] : r.leaf === s.leaf ? [r, l, e.lexpr] : [null, null, null];
    if (!mine || !other || other.leaf === s.leaf) continue;
    const column = columnByName(s.table, mine.column.name)!;
    const family = typeFamily(column.type);
    if (!KEY_FAMILIES.has(family) || other.column.family !== family || !support(family)) continue;
    // the other side's own filters make its key set small
    const conditions = unique.filter((c) => c !== t && !hasSubLink(c) && onlyLeaf(c, other.leaf, scope, ctx));
    const providerScan = all.find((x) => x.leaf === other.leaf) ?? null;
    if (conditions.length === 0 && !(providerScan && providerScan.filters.length > 0)) continue;
    if (providerScan?.dynamic?.provider === s.leaf) continue;
    return { column, family: family as ValueFamily, provider: other.leaf, keyExpr: structuredClone(otherExpr), conditions: conditions.map((c) => structuredClone(c)), after: providerScan };
  }
  return null;
}

function supportsKeys(dialect: Dialect): (f: TypeFamily) => boolean {
  return (f) => {
    if (dialect === 'postgres') return true;
    if (dialect === 'mysql') return f !== 'uuid';
    return f === 'int' || f === 'string';
  };
}

/** Whether every column an expression uses belongs to `leaf` (and it uses at least one). */
function onlyLeaf(node: AstNode, leaf: FromLeaf, scope: Scope, ctx: PlanContext): boolean {
  const refs = columnRefs(node);
  return refs.length > 0 && refs.every((f) => ownerOf(f, scope, ctx)?.leaf === leaf);
}

/** Points the reference at its temporary table (name set per execution) and fixes three-part column names. */
function pointAtTemp(leaf: FromLeaf, stmt: AstNode): void {
  const rv = leaf.body;
  const schema = rv.schemaname as string | undefined;
  const rel = rv.relname as string;
  if (!rv.alias) rv.alias = { aliasname: rel };
  rv.catalogname = 'temp';
  rv.schemaname = 'main';
  if (!schema) return;
  const visit = (v: unknown): void => {
    if (!v || typeof v !== 'object') return;
    if (Array.isArray(v)) return v.forEach(visit);
    const o = v as AstNode;
    if (o.ColumnRef) {
      const f = names(o.ColumnRef.fields);
      if (f.length >= 3 && same(f[f.length - 3], schema) && same(f[f.length - 2], rel)) {
        o.ColumnRef.fields = (o.ColumnRef.fields as AstNode[]).slice(-2);
        o.ColumnRef.fields[0] = { String: { sval: rv.alias.aliasname } };
      }
      return;
    }
    for (const k of Object.keys(o)) visit(o[k]);
  };
  visit(stmt);
}
