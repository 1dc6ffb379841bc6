/**
 * Compares query results from different systems: PostgreSQL and lakegate
 * send text, in-process DuckDB gives JSON-style values. Numbers compare with
 * a tolerance (PostgreSQL computes averages and ratios in exact numeric,
 * DuckDB in double precision); everything else compares as text.
 */
export type Cell = string | number | bigint | boolean | null;

export interface Tolerance {
  /** Relative tolerance for numbers. */
  rel: number;
  /** Absolute tolerance for numbers near zero. */
  abs: number;
}

export const DEFAULT_TOLERANCE: Tolerance = { rel: 1e-6, abs: 1e-9 };

export interface Mismatch {
  row: number;
  column: number;
  expected: string | null;
  actual: string | null;
}

export interface Comparison {
  /** Same rows in the same order (within tolerance). */
  equal: boolean;
  expectedRows: number;
  actualRows: number;
  /** Same rows, but in another order (ties in ORDER BY). */
  sameRowsOtherOrder: boolean;
  /** The first few differing cells of the ordered comparison. */
  mismatches: Mismatch[];
}

const NUMERIC = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** The text form of a value: booleans as PostgreSQL prints them, trailing blanks of char(n) dropped. */
export function cellText(v: Cell): string | null {
  if (v === null) return null;
  if (typeof v === 'boolean') return v ? 't' : 'f';
  if (typeof v === 'string') return v.replace(/ +$/, '');
  return String(v);
}

function asNumber(s: string): number | null {
  if (!NUMERIC.test(s)) return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}

export function cellsEqual(a: Cell, b: Cell, tol: Tolerance = DEFAULT_TOLERANCE): boolean {
  const x = cellText(a);
  const y = cellText(b);
  if (x === null || y === null) return x === y;
  if (x === y) return true;
  const nx = asNumber(x);
  const ny = asNumber(y);
  if (nx === null || ny === null) return false;
  return Math.abs(nx - ny) <= tol.abs + tol.rel * Math.max(Math.abs(nx), Math.abs(ny));
}

function rowsEqual(a: readonly Cell[], b: readonly Cell[], tol: Tolerance): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!cellsEqual(a[i]!, b[i]!, tol)) return false;
  return true;
}

/** A sort key that puts equal-within-tolerance rows next to each other (numbers rounded to 6 significant digits). */
function sortKey(row: readonly Cell[]): string {
  return row
    .map((c) => {
      const t = cellText(c);
      if (t === null) return '\u0000';
      const n = asNumber(t);
      return n === null ? t : n.toPrecision(6);
    })
    .join('\u0001');
}

export function compareResults(expected: readonly (readonly Cell[])[], actual: readonly (readonly Cell[])[], tol: Tolerance = DEFAULT_TOLERANCE, maxMismatches = 5): Comparison {
  const mismatches: Mismatch[] = [];
  const n = Math.min(expected.length, actual.length);
  for (let r = 0; r < n && mismatches.length < maxMismatches; r++) {
    const e = expected[r]!;
    const a = actual[r]!;
    const cols = Math.max(e.length, a.length);
    for (let c = 0; c < cols && mismatches.length < maxMismatches; c++) {
      if (c >= e.length || c >= a.length || !cellsEqual(e[c]!, a[c]!, tol)) {
        mismatches.push({ row: r, column: c, expected: c < e.length ? cellText(e[c]!) : null, actual: c < a.length ? cellText(a[c]!) : null });
      }
    }
  }
  const sameCount = expected.length === actual.length;
  const equal = sameCount && mismatches.length === 0;
  let sameRowsOtherOrder = false;
  if (!equal && sameCount) {
    const se = [...expected].sort((x, y) => (sortKey(x) < sortKey(y) ? -1 : sortKey(x) > sortKey(y) ? 1 : 0));
    const sa = [...actual].sort((x, y) => (sortKey(x) < sortKey(y) ? -1 : sortKey(x) > sortKey(y) ? 1 : 0));
    sameRowsOtherOrder = se.every((row, i) => rowsEqual(row, sa[i]!, tol));
  }
  return { equal, expectedRows: expected.length, actualRows: actual.length, sameRowsOtherOrder, mismatches };
}

/** One line describing a failed comparison. */
export function describeComparison(c: Comparison): string {
  if (c.equal) return 'equal';
  if (c.expectedRows !== c.actualRows) return `row count ${c.actualRows}, expected ${c.expectedRows}`;
  if (c.sameRowsOtherOrder) return 'same rows in another order';
  return c.mismatches.map((m) => `row ${m.row + 1} column ${m.column + 1}: ${JSON.stringify(m.actual)}, expected ${JSON.stringify(m.expected)}`).join('; ');
}
