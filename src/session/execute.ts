import duckdb from '@duckdb/node-bindings';
import { PgError, SqlState } from '../errors.js';
import { commandComplete, portalSuspended } from '../protocol/backend/results.js';
import { rowDescription } from '../protocol/backend/results.js';
import { executeEntry } from '../federation/session-hooks.js';
import { bindParam } from '../types/param-decode.js';
import { commandTag, returnsRows } from './command-tag.js';
import { RowStream } from './portal.js';
import type { Portal } from './portal-types.js';
import { StreamRowSource, type RowSource } from './row-source.js';
import type { Session } from './session.js';
import { runUtility } from './utility.js';

export interface ExecuteOptions {
  /** Simple query: RowDescription is sent before the rows. */
  sendRowDescription: boolean;
  maxRows: number;
}

/** Statements allowed while the transaction is aborted. */
function allowedInFailedTransaction(portal: Portal): boolean {
  const k = portal.entry.statement.kind;
  return k === 'rollback' || k === 'commit' || k === 'rollback_to';
}

export function failedTransactionError(): PgError {
  return new PgError(SqlState.InFailedSqlTransaction, 'current transaction is aborted, commands ignored until end of transaction block');
}

/**
 * Runs (or continues) a portal: sends its rows up to `maxRows` and then
 * CommandComplete, or PortalSuspended when rows remain.
 */
export async function executePortal(session: Session, portal: Portal, opts: ExecuteOptions): Promise<void> {
  if (session.txStatus === 'E' && !allowedInFailedTransaction(portal)) throw failedTransactionError();
  if (portal.state === 'done') {
    // PostgreSQL answers a second Execute of a finished portal with an empty completion
    commandComplete(session.conn.writer, completionTag(portal, 0));
    return;
  }
  if (portal.state === 'ready') {
    const started = await startPortal(session, portal, opts);
    if (started === 'done') return;
  }
  const source = portal.source!;
  const before = source.rowsSent;
  let finished: boolean;
  try {
    finished = await source.send(session, opts.maxRows);
  } finally {
    session.recordRows(source.rowsSent - before);
  }
  if (finished) {
    commandComplete(session.conn.writer, completionTag(portal, source.rowsSent));
    portal.state = 'done';
    source.close();
  } else {
    portal.state = 'suspended';
    portalSuspended(session.conn.writer);
  }
}

function completionTag(portal: Portal, rows: number): string {
  const st = portal.entry.statement;
  if (st.kind === 'query') return commandTag(portal.entry.query!.statementType, st.tokens, rows);
  if (st.kind === 'fetch') return `${st.move ? 'MOVE' : 'FETCH'} ${rows}`;
  if (st.kind === 'show') return 'SHOW';
  if (st.kind === 'sleep' || st.kind === 'set_config') return 'SELECT 1';
  if (st.kind === 'explain') return 'EXPLAIN';
  return 'SELECT ' + rows;
}

/** Starts execution; returns 'done' when the statement completed without a row source. */
async function startPortal(session: Session, portal: Portal, opts: ExecuteOptions): Promise<'rows' | 'done'> {
  const entry = portal.entry;
  const st = entry.statement;
  let source: RowSource | null;
  if (st.kind === 'query') {
    await session.security.recheck(entry);
    if (entry.authorized) session.recordObjects(entry.authorized.objects);
    const q = entry.query!;
    if (entry.sessionState) await session.pgState.sync(session.txStatus !== 'I');
    for (let i = 0; i < q.paramCount; i++) {
      bindParam(q.ps, i + 1, portal.params[i] ?? null, portal.paramFormats[i] ?? 0, entry.paramOids[i] ?? 0, q.paramTypes[i] ?? null);
    }
    const result = await executeEntry(session, entry, portal);
    session.checkInterrupted();
    if (!returnsRows(q.statementType, st.tokens)) {
      const n = await affectedRows(session, result);
      session.recordRows(n);
      commandComplete(session.conn.writer, commandTag(q.statementType, st.tokens, n));
      portal.state = 'done';
      return 'done';
    }
    source = new StreamRowSource(RowStream.create(result, portal.resultFormats, session.encodeContext()));
  } else {
    const outcome = await runUtility(session, portal, st);
    if ('tag' in outcome) {
      commandComplete(session.conn.writer, outcome.tag);
      portal.state = 'done';
      return 'done';
    }
    source = outcome.rows;
  }
  portal.source = source;
  if (opts.sendRowDescription) rowDescription(session.conn.writer, source.fields());
  return 'rows';
}

/** The row count DuckDB reports for INSERT/UPDATE/DELETE/CREATE TABLE AS (its "Count" column). */
async function affectedRows(session: Session, result: import('../engine/result.js').StreamingResult): Promise<number> {
  if (result.columns.length === 1 && result.columns[0]!.name === 'Count' && result.columns[0]!.type.id === duckdb.Type.BIGINT) {
    const rows = await result.collectRows();
    session.checkInterrupted();
    return Number(rows[0]?.Count ?? 0);
  }
  for (let c = await result.next(); c; c = await result.next()) {
    /* drain */
  }
  session.checkInterrupted();
  return 0;
}
