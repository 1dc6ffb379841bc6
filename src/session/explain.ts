import { PgError, SqlState } from '../errors.js';
import type { FieldDescription } from '../protocol/backend/results.js';
import type { ExplainStatement } from '../sql/explain.js';
import { expandFormats } from '../types/encode/row-encoder.js';
import { PgTypes } from '../types/pg-types.js';
import { executeEntry } from '../federation/session-hooks.js';
import { scan } from '../sql/scanner.js';
import { prepareEntry } from './prepare.js';
import { StaticRows } from './row-source.js';
import type { Session } from './session.js';

/** What an annotator is told about the statement being explained. */
export interface ExplainContext {
  session: Session;
  /** The statement as the client wrote it (without EXPLAIN and its options). */
  text: string;
  /** What DuckDB runs after the compatibility rewrites. */
  sql: string;
  analyze: boolean;
  /** DuckDB's plan, one line per element. */
  plan: readonly string[];
}

/**
 * The extension point for EXPLAIN: each annotator returns lines appended after
 * DuckDB's plan (TEXT format). Federation adds one block per remote query, e.g.
 * `Remote SQL on crm (postgres): SELECT id, name FROM public.customers WHERE ...`.
 */
export type ExplainAnnotator = (ctx: ExplainContext) => readonly string[] | Promise<readonly string[]>;

const COLUMN = 'QUERY PLAN';

/** RowDescription of EXPLAIN: one column `QUERY PLAN`, text (or json for FORMAT JSON), as PostgreSQL. */
export function explainFields(st: ExplainStatement, formats: readonly number[]): FieldDescription[] {
  const type = st.format === 'json' ? PgTypes.json : PgTypes.text;
  return [{ name: COLUMN, tableOid: 0, columnAttr: 0, typeOid: type.oid, typeLen: -1, typeMod: -1, format: expandFormats(formats, 1)[0]! }];
}

function duckdbExplain(st: ExplainStatement, sql: string): string {
  if (st.format === 'json') return `EXPLAIN (${st.analyze ? 'ANALYZE, ' : ''}FORMAT json) ${sql}`;
  return `${st.analyze ? 'EXPLAIN ANALYZE' : 'EXPLAIN'} ${sql}`;
}

/** Splits DuckDB's plan text into lines, without the trailing blank ones. */
export function planLines(text: string): string[] {
  const lines = text.split('\n');
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
  return lines;
}

/**
 * EXPLAIN [ANALYZE]: DuckDB's plan for the rewritten statement, returned as
 * PostgreSQL does: one row per line in a column named `QUERY PLAN` (FORMAT
 * JSON: a single row). The statement goes through Parse's full path first,
 * so EXPLAIN sees exactly what the statement itself would run.
 */
export async function runExplain(session: Session, st: ExplainStatement, formats: number[], annotators: readonly ExplainAnnotator[]): Promise<StaticRows> {
  if (st.analyze && !session.security.admin) {
    throw new PgError(SqlState.InsufficientPrivilege, 'permission denied: EXPLAIN ANALYZE is reserved to administrators', { hint: 'Its output names the lake files a query read.' });
  }
  if (session.pipeline.federation?.mentions(st.queryTokens)) {
    const federated = await federatedExplain(session, st);
    if (federated) return new StaticRows([COLUMN], federated.map((l) => [l]), formats);
  }
  const entry = await prepareEntry(session, '', st.query, { kind: 'query', text: st.query, tokens: st.queryTokens }, []);
  let sql: string;
  try {
    const q = entry.query!;
    if (q.paramCount > 0) throw new PgError(SqlState.FeatureNotSupported, 'EXPLAIN of a statement with parameters is not supported');
    sql = q.sql;
  } finally {
    entry.query?.destroy();
  }
  const rows = await session.engine.rows(duckdbExplain(st, sql));
  session.checkInterrupted();
  const text = rows.map((r) => r.explain_value ?? '').join('\n');
  const typeOids = st.format === 'json' ? [PgTypes.json.oid] : [];
  if (st.format === 'json') return new StaticRows([COLUMN], [[text.trim()]], formats, typeOids);
  const plan = planLines(text);
  const lines = [...plan];
  for (const annotate of annotators) lines.push(...(await annotate({ session, text: st.query, sql, analyze: st.analyze, plan })));
  return new StaticRows(
    [COLUMN],
    lines.map((l) => [l]),
    formats,
  );
}

/**
 * EXPLAIN of a statement that reads attached databases: federation plans it
 * (EXPLAIN ANALYZE runs the remote queries) and adds, after DuckDB's plan, the
 * SQL sent to each source and the rows it returned. Null when the statement
 * turns out not to be federated.
 */
async function federatedExplain(session: Session, st: ExplainStatement): Promise<string[] | null> {
  const full = `${st.analyze ? 'EXPLAIN ANALYZE' : 'EXPLAIN'} ${st.query}`;
  const entry = await prepareEntry(session, '', full, { kind: 'query', text: full, tokens: scan(full) }, []);
  try {
    if (!entry.federated) return null;
    if (entry.query!.paramCount > 0) throw new PgError(SqlState.FeatureNotSupported, 'EXPLAIN of a statement with parameters is not supported');
    const rows = await (await executeEntry(session, entry, null)).collectRows();
    session.checkInterrupted();
    return planLines(rows.map((r) => r.explain_value ?? '').join('\n'));
  } finally {
    entry.query?.destroy();
  }
}
