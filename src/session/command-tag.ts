import duckdb from '@duckdb/node-bindings';
import type { Token } from '../sql/scanner.js';

const ST = duckdb.StatementType;

const CREATE_MODIFIERS = new Set(['or', 'replace', 'temp', 'temporary', 'local', 'global', 'unlogged', 'unique', 'recursive', 'if', 'not', 'exists', 'persistent', 'secret']);

/** `CREATE [OR REPLACE] [TEMP] TABLE` → "TABLE"; `CREATE MATERIALIZED VIEW` → "MATERIALIZED VIEW". */
function objectKind(tokens: readonly Token[]): string {
  let i = 1;
  while (i < tokens.length && CREATE_MODIFIERS.has(tokens[i]!.value) && tokens[i]!.kind === 'keyword') i++;
  const w = tokens[i]?.value ?? '';
  if (w === 'materialized' || w === 'foreign') return `${w} ${tokens[i + 1]?.value ?? ''}`.toUpperCase();
  if (w === 'macro') return 'FUNCTION';
  return w.toUpperCase();
}

export function hasTopLevelKeyword(tokens: readonly Token[], word: string): boolean {
  let depth = 0;
  for (const t of tokens) {
    if (t.text === '(') depth++;
    else if (t.text === ')') depth--;
    else if (depth === 0 && t.kind === 'keyword' && t.value === word) return true;
  }
  return false;
}

/** Whether the statement's result is rows for the client (as opposed to a count or nothing). */
export function returnsRows(type: duckdb.StatementType, tokens: readonly Token[]): boolean {
  switch (type) {
    case ST.SELECT:
    case ST.EXPLAIN:
    case ST.PRAGMA:
    case ST.CALL:
    case ST.RELATION:
    case ST.LOGICAL_PLAN:
      return true;
    case ST.INSERT:
    case ST.UPDATE:
    case ST.DELETE:
      return hasTopLevelKeyword(tokens, 'returning');
    default:
      return false;
  }
}

/** The CommandComplete tag PostgreSQL would send for this statement. */
export function commandTag(type: duckdb.StatementType, tokens: readonly Token[], rows: number): string {
  if (tokens[0]?.value === 'truncate') return 'TRUNCATE TABLE';
  switch (type) {
    case ST.SELECT:
    case ST.PRAGMA:
    case ST.CALL:
    case ST.RELATION:
      return `SELECT ${rows}`;
    case ST.INSERT:
      return `INSERT 0 ${rows}`;
    case ST.UPDATE:
      return `UPDATE ${rows}`;
    case ST.DELETE:
      return `DELETE ${rows}`;
    case ST.EXPLAIN:
      return 'EXPLAIN';
    case ST.CREATE: {
      const kind = objectKind(tokens);
      if (kind === 'TABLE' && hasTopLevelKeyword(tokens, 'as')) return `SELECT ${rows}`;
      return `CREATE ${kind}`;
    }
    case ST.CREATE_FUNC:
      return 'CREATE FUNCTION';
    case ST.DROP:
      return `DROP ${objectKind(tokens)}`;
    case ST.ALTER:
      return `ALTER ${objectKind(tokens)}`;
    case ST.TRANSACTION:
      return (tokens[0]?.value ?? 'BEGIN').toUpperCase();
    case ST.ANALYZE:
      return 'ANALYZE';
    case ST.VACUUM:
      return 'VACUUM';
    case ST.COPY:
      return `COPY ${rows}`;
    default:
      return (tokens[0]?.value ?? '').toUpperCase();
  }
}
