import { names, walk, type AstNode } from '../ast.js';
import type { RewritePass } from './pass.js';

/** PostgreSQL's interval field bits (datetime.h), as they appear in TypeName.typmods[0]. */
const UNIT_BY_MASK: Record<number, string> = {
  4: 'year',
  2: 'month',
  8: 'day',
  1024: 'hour',
  2048: 'minute',
  4096: 'second',
};
const YEAR_TO_MONTH = 4 | 2;

/** `interval '2' day` → `'2 day'::interval`; `'1-2' YEAR TO MONTH` → `'1 year 2 month'`. */
function withUnits(value: string, mask: number): string | null {
  const v = value.trim();
  const unit = UNIT_BY_MASK[mask];
  if (unit && /^[+-]?\d+(\.\d+)?$/.test(v)) return `${v} ${unit}`;
  if (mask === YEAR_TO_MONTH) {
    const m = /^([+-]?)(\d+)-(\d+)$/.exec(v);
    if (m) return `${m[1]}${m[2]} year ${m[1]}${m[3]} month`;
  }
  return null;
}

/**
 * Interval literals with a field qualifier (`interval '1' month`) carry their
 * unit in the type modifier; printed back, they become `CAST('1' AS interval
 * month)`, which DuckDB reads as one second. Move the unit into the string and
 * drop the modifier (DuckDB intervals have no precision either).
 */
export const intervalLiteralsPass: RewritePass = {
  name: 'interval-literals',
  wants: (tokens) => tokens.some((t) => t.kind === 'keyword' && t.value === 'interval'),
  apply(stmt: AstNode) {
    let changed = false;
    walk(stmt, (type, body) => {
      if (type !== 'TypeCast') return;
      const tn = body.typeName;
      const n = names(tn?.names);
      if (n[n.length - 1] !== 'interval' || !tn.typmods?.length) return;
      const mask = tn.typmods[0]?.A_Const?.ival?.ival as number | undefined;
      const sval = body.arg?.A_Const?.sval;
      if (typeof sval?.sval === 'string' && mask !== undefined) {
        const text = withUnits(sval.sval, mask);
        if (text !== null) sval.sval = text;
      }
      delete tn.typmods;
      changed = true;
    });
    return changed;
  },
};
