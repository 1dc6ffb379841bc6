import type { FieldDescription } from '../protocol/backend/results.js';
import { PgTypes } from '../types/pg-types.js';
import { returnsRows } from './command-tag.js';
import type { PreparedEntry } from './portal-types.js';
import { describeColumns } from './portal.js';
import type { Session } from './session.js';
import { expandFormats } from '../types/encode/row-encoder.js';
import { explainFields } from './explain.js';

function textFields(names: string[], formats: readonly number[]): FieldDescription[] {
  const f = expandFormats(formats, names.length);
  return names.map((name, i) => ({ name, tableOid: 0, columnAttr: 0, typeOid: PgTypes.text.oid, typeLen: -1, typeMod: -1, format: f[i]! }));
}

/** The RowDescription a statement will produce, without running it; null means NoData. */
export function describeEntry(session: Session, entry: PreparedEntry, formats: readonly number[]): FieldDescription[] | null {
  const st = entry.statement;
  switch (st.kind) {
    case 'query': {
      const q = entry.query!;
      if (!returnsRows(q.statementType, st.tokens) || !q.columns) return null;
      return describeColumns(q.columns, expandFormats(formats, q.columns.length));
    }
    case 'show':
      return st.name === 'all' ? textFields(['name', 'setting', 'description'], formats) : textFields([session.settings.canonicalName(st.name)], formats);
    case 'sleep':
      return [{ name: st.column, tableOid: 0, columnAttr: 0, typeOid: PgTypes.void.oid, typeLen: 4, typeMod: -1, format: expandFormats(formats, 1)[0]! }];
    case 'set_config':
      return textFields([st.column], formats);
    case 'explain':
      return explainFields(st, formats);
    case 'fetch': {
      if (st.move) return null;
      const c = session.cursors.get(st.name);
      return c?.source ? c.source.fields() : null;
    }
    default:
      return null;
  }
}

/** Checks Bind's result-format count against the statement's columns (0, 1 or one per column). */
export function resultColumnCount(session: Session, entry: PreparedEntry): number {
  return describeEntry(session, entry, [])?.length ?? 0;
}
