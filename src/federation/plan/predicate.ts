import duckdb from '@duckdb/node-bindings';
import { names, nodeType, type AstNode } from '../../sql/ast.js';
import type { DuckType } from '../../types/duck-type.js';
import { typeFamily, type TypeFamily } from '../column-type.js';
import type { Dialect } from '../dialect.js';
import type { FederatedColumn } from '../table.js';

/**
 * Filters that may run on a source, in a small form independent of the
 * dialect: comparisons, IN, LIKE and IS [NOT] NULL on one column against
 * constants or statement parameters, combined with AND/OR. A filter is only
 * pushed when the source evaluates it with the same result as DuckDB, or
 * with a superset of the rows (MySQL's case-insensitive `=`): the statement
 * keeps every filter, so DuckDB re-checks what the source returns.
 */

export type ValueFamily = 'int' | 'decimal' | 'float' | 'string' | 'bool' | 'date' | 'timestamp' | 'timestamptz' | 'time' | 'uuid';

/**
 * A constant, or an expression over parameters that DuckDB evaluates when the
 * statement executes. `coerced`: a string DuckDB casts to the column's type
 * before comparing (an untyped literal, or a parameter typed as text), so the
 * value must be one that cast does not round.
 */
export type Operand =
  | { kind: 'const'; family: ValueFamily; text: string; coerced?: boolean }
  | { kind: 'param'; family: ValueFamily; node: AstNode; coerced?: boolean };

const COERCIBLE = new Set<TypeFamily>(['int', 'decimal', 'float', 'date', 'timestamp', 'timestamptz', 'time', 'uuid', 'bool']);

export type CompareOp = '=' | '<>' | '<' | '<=' | '>' | '>=';

export type Pred =
  | { op: 'cmp'; column: FederatedColumn; cmp: CompareOp; value: Operand }
  | { op: 'in'; column: FederatedColumn; values: Operand[] }
  | { op: 'like'; column: FederatedColumn; pattern: Operand }
  | { op: 'null'; column: FederatedColumn; negated: boolean }
  | { op: 'and' | 'or'; args: Pred[] }
  /** Dynamic filter: the join keys found on the other side. */
  | { op: 'keys'; column: FederatedColumn; keys: string[]; family: ValueFamily };

export interface PushedPred {
  pred: Pred;
  /** The source returns exactly the rows DuckDB keeps (not a superset). */
  exact: boolean;
}

/** How a column reference inside a filter resolves. */
export type ColumnLookup = (fields: string[]) => FederatedColumn | 'other' | 'unknown';

const FLIP: Record<CompareOp, CompareOp> = { '=': '=', '<>': '<>', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };
const OPS = new Set(['=', '<>', '!=', '<', '<=', '>', '>=']);

const TYPE_FAMILY: Record<string, ValueFamily> = {
  int2: 'int',
  int4: 'int',
  int8: 'int',
  integer: 'int',
  int: 'int',
  smallint: 'int',
  bigint: 'int',
  numeric: 'decimal',
  decimal: 'decimal',
  float8: 'float',
  double: 'float',
  text: 'string',
  varchar: 'string',
  bpchar: 'string',
  bool: 'bool',
  boolean: 'bool',
  date: 'date',
  timestamp: 'timestamp',
  timestamptz: 'timestamptz',
  time: 'time',
  uuid: 'uuid',
};

const INT_RE = /^[+-]?\d+$/;
const NUM_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const TS_RE = /^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?)?$/;
const TSTZ_RE = /^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?)?(Z|[+-]\d{2}(:?\d{2})?)?$/;
const TIME_RE = /^\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?$/;
const UUID_RE = /^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$/;

/** Whether `text` is a plain value of `family` (the forms every dialect reads the same way). */
export function validLiteral(family: ValueFamily, text: string): boolean {
  switch (family) {
    case 'int':
      return INT_RE.test(text);
    case 'decimal':
    case 'float':
      return NUM_RE.test(text) || (family === 'float' && /^(NaN|-?Infinity)$/.test(text));
    case 'date':
      return DATE_RE.test(text);
    case 'timestamp':
      return TS_RE.test(text);
    case 'timestamptz':
      return TSTZ_RE.test(text);
    case 'time':
      return TIME_RE.test(text);
    case 'uuid':
      return UUID_RE.test(text);
    case 'bool':
      return /^(t|f|true|false)$/i.test(text);
    case 'string':
      return true;
  }
}

function columnFamily(c: FederatedColumn): TypeFamily {
  // float4 comparisons round differently in each engine
  if (c.type.id === duckdb.Type.FLOAT) return 'other';
  return typeFamily(c.type);
}

/** The value families a column of this family compares with exactly as DuckDB does. */
function compatible(col: TypeFamily, value: ValueFamily): boolean {
  switch (col) {
    case 'int':
    case 'decimal':
    case 'float':
      return value === 'int' || value === 'decimal' || value === 'float';
    case 'string':
      return value === 'string';
    case 'timestamptz':
      return value === 'timestamptz' || value === 'timestamp' || value === 'date';
    case 'timestamp':
      return value === 'timestamp' || value === 'date';
    case 'date':
    case 'bool':
    case 'uuid':
    case 'time':
      return value === col;
    default:
      return false;
  }
}

function constText(c: AstNode): { family: ValueFamily | 'unknown'; text: string } | null {
  if (c.isnull) return null;
  if (c.ival !== undefined) return { family: 'int', text: String(c.ival.ival ?? 0) };
  if (c.fval !== undefined) return { family: 'decimal', text: String(c.fval.fval) };
  if (c.boolval !== undefined) return { family: 'bool', text: c.boolval.boolval ? 't' : 'f' };
  if (c.sval !== undefined) return { family: 'unknown', text: String(c.sval.sval ?? '') };
  return null;
}

function typeNameFamily(typeName: AstNode | undefined): ValueFamily | null {
  const n = names(typeName?.names);
  const last = n[n.length - 1]?.toLowerCase();
  if (!last || (typeName?.arrayBounds?.length ?? 0) > 0) return null;
  return TYPE_FAMILY[last] ?? null;
}

export interface OperandContext {
  /** DuckDB's type for each parameter ($1 is index 0); null when unknown. */
  paramTypes: readonly (DuckType | null)[];
}

function duckFamily(t: DuckType | null): ValueFamily | null {
  if (!t) return null;
  if (t.id === duckdb.Type.FLOAT) return null;
  const f = typeFamily(t);
  return f === 'other' || f === 'blob' ? null : f;
}

/** A constant or parameter expression as an operand compared against a column of `colFamily`. */
export function toOperand(node: AstNode, colFamily: TypeFamily, ctx: OperandContext): Operand | null {
  const type = nodeType(node);
  if (type === 'A_Const') {
    const c = constText(node.A_Const);
    if (!c) return null;
    const family = c.family === 'unknown' ? (colFamily === 'other' || colFamily === 'blob' ? null : colFamily) : c.family;
    if (!family || !validLiteral(family, c.text)) return null;
    return { kind: 'const', family, text: c.text, coerced: c.family === 'unknown' && family !== 'string' };
  }
  if (type === 'A_Expr' && node.A_Expr.kind === 'AEXPR_OP' && !node.A_Expr.lexpr && names(node.A_Expr.name)[0] === '-') {
    const inner = toOperand(node.A_Expr.rexpr, colFamily, ctx);
    if (!inner || inner.kind !== 'const' || !['int', 'decimal', 'float'].includes(inner.family) || inner.text.startsWith('-')) return null;
    return { ...inner, text: `-${inner.text.replace(/^\+/, '')}` };
  }
  if (type === 'TypeCast') {
    const family = typeNameFamily(node.TypeCast.typeName);
    if (!family) return null;
    const arg = node.TypeCast.arg;
    if (nodeType(arg) === 'A_Const') {
      const c = constText(arg.A_Const);
      if (!c || !validLiteral(family, c.text)) return null;
      if (c.family !== 'unknown' && c.family !== family && !(family === 'decimal' || family === 'float')) return null;
      return { kind: 'const', family, text: c.text };
    }
    if (nodeType(arg) === 'ParamRef') {
      // a parameter typed as text (untyped in Parse) is cast to the column's type by DuckDB
      if (family === 'string' && COERCIBLE.has(colFamily)) return { kind: 'param', family: colFamily as ValueFamily, node: structuredClone(node), coerced: true };
      return { kind: 'param', family, node: structuredClone(node) };
    }
    return null;
  }
  if (type === 'ParamRef') {
    const n = node.ParamRef.number as number;
    const family = duckFamily(ctx.paramTypes[n - 1] ?? null);
    if (!family) return null;
    if (family === 'string' && COERCIBLE.has(colFamily)) return { kind: 'param', family: colFamily as ValueFamily, node: structuredClone(node), coerced: true };
    return { kind: 'param', family, node: structuredClone(node) };
  }
  return null;
}

/**
 * What a dialect can evaluate like DuckDB, per column family and operation.
 * In 'write' mode string comparisons are compiled byte-wise (BINARY in
 * MySQL, COLLATE BINARY in SQLite), so they are exact instead of a superset.
 */
export type PushMode = 'read' | 'write';

function support(dialect: Dialect, family: TypeFamily, what: 'eq' | 'range' | 'like' | 'null', mode: PushMode): 'exact' | 'superset' | null {
  if (mode === 'write' && dialect !== 'postgres' && family === 'string') return what === 'like' ? null : 'exact';
  if (family === 'other' || family === 'blob') return what === 'null' && dialect !== 'mysql' ? 'exact' : null;
  if (dialect === 'postgres') {
    if (what === 'like') return family === 'string' ? 'exact' : null;
    return 'exact';
  }
  if (dialect === 'mysql') {
    // case- and accent-insensitive collations: equality and LIKE match more rows, ranges differ
    if (family === 'string') return what === 'eq' || what === 'like' ? 'superset' : what === 'null' ? 'exact' : null;
    // zero dates ('0000-00-00') read as NULL here but are not NULL there
    if (family === 'date' || family === 'timestamp' || family === 'timestamptz') return what === 'null' ? null : what === 'like' ? null : 'exact';
    if (family === 'bool' || family === 'uuid') return what === 'null' ? 'exact' : null;
    return what === 'like' ? null : 'exact';
  }
  // sqlite: typed by value, text columns may use NOCASE, dates are text or numbers
  if (family === 'int' || family === 'decimal' || family === 'float') return what === 'like' ? null : 'exact';
  if (family === 'string') return what === 'eq' || what === 'like' ? 'superset' : what === 'null' ? 'exact' : null;
  return what === 'null' ? 'exact' : null;
}

function combine(a: 'exact' | 'superset', b: 'exact' | 'superset'): 'exact' | 'superset' {
  return a === 'exact' && b === 'exact' ? 'exact' : 'superset';
}

/**
 * The pushable form of one boolean expression about a single remote table,
 * or null when any part of it must stay in DuckDB.
 */
export function toPredicate(node: AstNode, lookup: ColumnLookup, dialect: Dialect, ctx: OperandContext, mode: PushMode = 'read'): PushedPred | null {
  const r = convert(node, lookup, dialect, ctx, mode);
  return r ? { pred: r.pred, exact: r.quality === 'exact' } : null;
}

function column(node: AstNode, lookup: ColumnLookup): FederatedColumn | null {
  if (nodeType(node) !== 'ColumnRef') return null;
  const fields = names(node.ColumnRef.fields);
  if (fields.includes('*')) return null;
  const c = lookup(fields);
  return typeof c === 'object' ? c : null;
}

function convert(node: AstNode, lookup: ColumnLookup, dialect: Dialect, ctx: OperandContext, mode: PushMode): { pred: Pred; quality: 'exact' | 'superset' } | null {
  const type = nodeType(node);
  if (!type) return null;
  const b = node[type];
  if (type === 'BoolExpr') {
    if (b.boolop !== 'AND_EXPR' && b.boolop !== 'OR_EXPR') return null;
    const args: Pred[] = [];
    let quality: 'exact' | 'superset' = 'exact';
    for (const a of b.args as AstNode[]) {
      const c = convert(a, lookup, dialect, ctx, mode);
      if (!c) return null;
      args.push(c.pred);
      quality = combine(quality, c.quality);
    }
    return { pred: { op: b.boolop === 'AND_EXPR' ? 'and' : 'or', args }, quality };
  }
  if (type === 'NullTest') {
    const col = column(b.arg, lookup);
    if (!col) return null;
    const q = support(dialect, columnFamily(col), 'null', mode);
    return q ? { pred: { op: 'null', column: col, negated: b.nulltesttype === 'IS_NOT_NULL' }, quality: q } : null;
  }
  if (type !== 'A_Expr') return null;
  const op = names(b.name)[0] ?? '';
  switch (b.kind) {
    case 'AEXPR_OP': {
      if (!OPS.has(op) || !b.lexpr || !b.rexpr) return null;
      let cmp = (op === '!=' ? '<>' : op) as CompareOp;
      let col = column(b.lexpr, lookup);
      let other = b.rexpr;
      if (!col) {
        col = column(b.rexpr, lookup);
        other = b.lexpr;
        cmp = FLIP[cmp];
      }
      if (!col) return null;
      const fam = columnFamily(col);
      const q = support(dialect, fam, cmp === '=' ? 'eq' : 'range', mode);
      if (!q) return null;
      const value = toOperand(other, fam, ctx);
      if (!value || !compatible(fam, value.family)) return null;
      return { pred: { op: 'cmp', column: col, cmp, value }, quality: q };
    }
    case 'AEXPR_IN': {
      if (op !== '=') return null; // NOT IN: NULL semantics
      const col = column(b.lexpr, lookup);
      const list = listItems(b.rexpr);
      if (!col || !list) return null;
      const fam = columnFamily(col);
      const q = support(dialect, fam, 'eq', mode);
      if (!q) return null;
      const values: Operand[] = [];
      for (const v of list) {
        const o = toOperand(v, fam, ctx);
        if (!o || !compatible(fam, o.family)) return null;
        values.push(o);
      }
      return { pred: { op: 'in', column: col, values }, quality: q };
    }
    case 'AEXPR_BETWEEN': {
      const col = column(b.lexpr, lookup);
      const list = listItems(b.rexpr);
      if (!col || !list || list.length !== 2) return null;
      const fam = columnFamily(col);
      const q = support(dialect, fam, 'range', mode);
      if (!q) return null;
      const lo = toOperand(list[0]!, fam, ctx);
      const hi = toOperand(list[1]!, fam, ctx);
      if (!lo || !hi || !compatible(fam, lo.family) || !compatible(fam, hi.family)) return null;
      return {
        pred: {
          op: 'and',
          args: [
            { op: 'cmp', column: col, cmp: '>=', value: lo },
            { op: 'cmp', column: col, cmp: '<=', value: hi },
          ],
        },
        quality: q,
      };
    }
    case 'AEXPR_LIKE': {
      if (op !== '~~') return null; // NOT LIKE is not a superset under case-insensitive matching
      const col = column(b.lexpr, lookup);
      if (!col) return null;
      const fam = columnFamily(col);
      const q = support(dialect, fam, 'like', mode);
      if (!q) return null;
      const pattern = toOperand(b.rexpr, fam, ctx);
      // DuckDB's LIKE has no escape character by default, PostgreSQL's is the backslash
      if (!pattern || pattern.family !== 'string' || (pattern.kind === 'const' && pattern.text.includes('\\'))) return null;
      return { pred: { op: 'like', column: col, pattern }, quality: q };
    }
    default:
      return null;
  }
}

/** The items of an IN or BETWEEN list (a List node, or a plain array in older ASTs). */
function listItems(v: unknown): AstNode[] | null {
  if (Array.isArray(v)) return v as AstNode[];
  const items = (v as AstNode | undefined)?.List?.items;
  return Array.isArray(items) ? (items as AstNode[]) : null;
}

/** Splits an expression into its top-level AND terms. */
export function conjuncts(node: AstNode | undefined): AstNode[] {
  if (!node) return [];
  if (node.BoolExpr?.boolop === 'AND_EXPR') return (node.BoolExpr.args as AstNode[]).flatMap(conjuncts);
  return [node];
}

/** Every column reference in an expression (`[qualifier..., name]`). */
export function columnRefs(node: unknown, out: string[][] = []): string[][] {
  if (Array.isArray(node)) {
    for (const x of node) columnRefs(x, out);
    return out;
  }
  if (!node || typeof node !== 'object') return out;
  const o = node as AstNode;
  if (o.ColumnRef) {
    out.push(names(o.ColumnRef.fields));
    return out;
  }
  for (const k of Object.keys(o)) columnRefs(o[k], out);
  return out;
}

/** Whether an expression contains a subquery (which may refer to other scopes). */
export function hasSubLink(node: unknown): boolean {
  if (Array.isArray(node)) return node.some(hasSubLink);
  if (!node || typeof node !== 'object') return false;
  const o = node as AstNode;
  if (o.SubLink) return true;
  return Object.keys(o).some((k) => hasSubLink(o[k]));
}
