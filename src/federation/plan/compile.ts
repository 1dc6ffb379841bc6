import duckdb from '@duckdb/node-bindings';
import { sql, type Expression, type RawBuilder, type SqlBool } from 'kysely';
import { compilerFor, type Dialect } from '../dialect.js';
import { parseTimestamp } from '../load/parse.js';
import type { FederatedColumn, FederatedTable } from '../table.js';
import type { RemoteStatement } from '../connectors/connector.js';
import { validLiteral, type Operand, type Pred, type ValueFamily } from './predicate.js';

/** Values of parameter operands, computed by DuckDB when the statement executes (PostgreSQL text, null for NULL). */
export type OperandValues = Map<Operand, string | null>;

export interface SortKey {
  column: FederatedColumn;
  desc: boolean;
  nullsFirst: boolean;
}

/** One table scan as it goes to the source. */
export interface ScanSpec {
  table: FederatedTable;
  /** Columns to fetch; empty means "only count rows". */
  columns: FederatedColumn[];
  filters: Pred[];
  orderBy: SortKey[];
  limit: number | null;
}

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

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

/** `YYYY-MM-DD HH:MM:SS.ffffff` in UTC for microseconds since the epoch. */
function utcText(micros: number): string {
  const ms = Math.floor(micros / 1000);
  const d = new Date(ms);
  const frac = micros - Math.floor(micros / 1_000_000) * 1_000_000;
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(frac, 6)}`;
}

/**
 * The value to bind for an operand in a dialect, or undefined when it cannot
 * be sent with identical meaning (the filter then stays in DuckDB only).
 */
function bindValue(dialect: Dialect, family: ValueFamily, text: string | null): unknown {
  if (text === null) return null;
  if (!validLiteral(family, text) && family !== 'timestamptz' && family !== 'timestamp') return undefined;
  switch (family) {
    case 'int':
      if (dialect === 'postgres') return text;
      return Number.isSafeInteger(Number(text)) ? Number(text) : dialect === 'sqlite' ? BigInt(text) : text;
    case 'decimal':
      return dialect === 'sqlite' ? Number(text) : text;
    case 'float':
      return dialect === 'postgres' ? text : Number(text);
    case 'bool':
      return dialect === 'postgres' ? text : /^t/i.test(text) ? 1 : 0;
    case 'timestamp':
    case 'timestamptz': {
      let micros: number | bigint;
      try {
        micros = parseTimestamp(text, family === 'timestamptz');
      } catch {
        return undefined;
      }
      if (typeof micros === 'bigint') return undefined; // infinity
      const utc = utcText(micros);
      return dialect === 'postgres' && family === 'timestamptz' ? `${utc}+00` : utc;
    }
    default:
      return text;
  }
}

/**
 * Whether DuckDB's cast of a string to the column's type keeps its value
 * (a decimal column rounds to its scale, an integer column refuses fractions).
 */
function survivesCast(text: string, family: ValueFamily, column: FederatedColumn): boolean {
  if (!validLiteral(family, text)) return false;
  if (family === 'decimal' && column.type.scale !== undefined) {
    if (/e/i.test(text)) return false;
    const dot = text.indexOf('.');
    return dot < 0 || text.length - dot - 1 <= column.type.scale;
  }
  return true;
}

type Ref = RawBuilder<unknown>;

/**
 * Compiles scans to the source's SQL with Kysely: identifiers quoted by the
 * dialect, every value a bound parameter. PostgreSQL gets explicit casts so
 * a parameter never takes the column's type (`int4col > 1.5` stays numeric),
 * and string ranges compare with COLLATE "C" (byte order, as DuckDB does).
 */
export class ScanCompiler {
  constructor(
    readonly dialect: Dialect,
    private readonly values: OperandValues,
    /** Compare strings byte-wise on MySQL/SQLite (writes need exact matches, not supersets). */
    private readonly exactStrings = false,
  ) {}

  /** The column as the left side of a comparison with a value of `family`. */
  private lhs(c: FederatedColumn, family: ValueFamily, cmp: string): Ref {
    const col = this.col(c);
    if (family !== 'string') return col;
    if (this.dialect === 'postgres') return cmp === '=' ? col : sql`${col} COLLATE "C"`;
    if (!this.exactStrings) return col;
    return this.dialect === 'mysql' ? sql`CAST(${col} AS BINARY)` : sql`${col} COLLATE BINARY`;
  }

  col(c: FederatedColumn): Ref {
    return sql`${sql.id(c.remoteName)}`;
  }

  operand(o: Operand, column: FederatedColumn): Expression<unknown> | undefined {
    const text = o.kind === 'const' ? o.text : (this.values.get(o) ?? null);
    if (o.coerced && text !== null && !survivesCast(text, o.family, column)) return undefined;
    const v = bindValue(this.dialect, o.family, text);
    if (v === undefined) return undefined;
    if (this.dialect === 'postgres') return sql`CAST(${v} AS ${sql.raw(PG_CAST[o.family])})`;
    return sql`${v}`;
  }

  /** The SQL condition for a predicate, or null when it cannot be sent (it is then dropped: DuckDB filters anyway). */
  pred(p: Pred): Expression<SqlBool> | null {
    switch (p.op) {
      case 'and': {
        const parts = p.args.map((a) => this.pred(a)).filter((x): x is Expression<SqlBool> => x !== null);
        if (parts.length === 0) return null;
        return sql<SqlBool>`(${sql.join(parts, sql` AND `)})`;
      }
      case 'or': {
        const parts = p.args.map((a) => this.pred(a));
        // dropping one branch of an OR would drop rows: the whole OR stays local
        if (parts.some((x) => x === null)) return null;
        return sql<SqlBool>`(${sql.join(parts as Expression<SqlBool>[], sql` OR `)})`;
      }
      case 'null':
        return sql<SqlBool>`${this.col(p.column)} ${sql.raw(p.negated ? 'IS NOT NULL' : 'IS NULL')}`;
      case 'cmp': {
        const v = this.operand(p.value, p.column);
        if (!v) return null;
        return sql<SqlBool>`${this.lhs(p.column, p.value.family, p.cmp)} ${sql.raw(p.cmp)} ${v}`;
      }
      case 'in': {
        const vs = p.values.map((o) => this.operand(o, p.column));
        if (vs.some((x) => x === undefined)) return null;
        return sql<SqlBool>`${this.lhs(p.column, p.values[0]?.family ?? 'int', '=')} IN (${sql.join(vs as Expression<unknown>[])})`;
      }
      case 'like': {
        const text = p.pattern.kind === 'const' ? p.pattern.text : (this.values.get(p.pattern) ?? null);
        if (text === null || text.includes('\\')) return null;
        const v = this.operand(p.pattern, p.column);
        return v ? sql<SqlBool>`${this.col(p.column)} LIKE ${v}` : null;
      }
      case 'keys':
        return this.keys(p);
    }
  }

  private keys(p: Extract<Pred, { op: 'keys' }>): Expression<SqlBool> | null {
    const values = p.keys.map((k) => bindValue(this.dialect, p.family, k));
    if (values.some((v) => v === undefined)) return null;
    if (values.length === 0) return sql<SqlBool>`1 = 0`;
    switch (this.dialect) {
      case 'postgres':
        // one array parameter, whatever the number of keys
        return sql<SqlBool>`${this.col(p.column)} = ANY(CAST(${values} AS ${sql.raw(PG_CAST[p.family])}[]))`;
      case 'sqlite':
        return sql<SqlBool>`${this.col(p.column)} IN (SELECT value FROM json_each(${JSON.stringify(values, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}))`;
      default:
        return sql<SqlBool>`${this.col(p.column)} IN (${sql.join(values)})`;
    }
  }

  private orderTerm(k: SortKey): Ref[] {
    const c = this.col(k.column);
    const dir = sql.raw(k.desc ? 'DESC' : 'ASC');
    const collated = this.dialect === 'postgres' && isString(k.column) ? sql`${c} COLLATE "C"` : c;
    if (this.dialect === 'mysql') {
      // MySQL has no NULLS FIRST/LAST: sort on the null test first
      return [sql`${c} ${sql.raw(k.nullsFirst ? 'IS NOT NULL' : 'IS NULL')}`, sql`${collated} ${dir}`];
    }
    return [sql`${collated} ${dir} ${sql.raw(k.nullsFirst ? 'NULLS FIRST' : 'NULLS LAST')}`];
  }

  /** The SELECT for one scan. */
  scan(s: ScanSpec): RemoteStatement {
    const db = compilerFor(this.dialect);
    const from = sql`${sql.id(s.table.remoteSchema, s.table.remoteTable)}`;
    const select = s.columns.length > 0 ? s.columns.map((c) => this.col(c)) : [sql`1`];
    let q = db.selectFrom(from.as('t')).select(select.map((e, i) => (s.columns.length > 0 ? e.as(s.columns[i]!.remoteName) : e.as('lakegate_row'))));
    // the alias is only there because Kysely's selectFrom wants one; columns are unqualified
    const where = s.filters.map((f) => this.pred(f)).filter((x): x is Expression<SqlBool> => x !== null);
    if (where.length > 0) q = q.where(sql<SqlBool>`${sql.join(where, sql` AND `)}`);
    if (s.orderBy.length > 0) q = q.orderBy(sql`${sql.join(s.orderBy.flatMap((k) => this.orderTerm(k)))}`);
    if (s.limit !== null) q = q.limit(sql.lit(s.limit) as never);
    const c = q.compile();
    return { sql: c.sql, parameters: c.parameters };
  }
}

function isString(c: FederatedColumn): boolean {
  return c.type.id === duckdb.Type.VARCHAR && c.type.alias !== 'JSON';
}
