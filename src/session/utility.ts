import { PgError, SqlState } from '../errors.js';
import { RESERVED_PREFIX } from '../security/sandbox.js';
import type { Statement } from '../sql/statement.js';
import { RowStream, DiscardSink, type RowSink } from './portal.js';
import type { Portal } from './portal-types.js';
import { StaticRows, StreamRowSource, type RowSource } from './row-source.js';
import type { Session } from './session.js';
import { runCopyOut } from './copy-out.js';
import { prepareEntry } from './prepare.js';
import { PgTypes } from '../types/pg-types.js';
import { endSourceTransactions, executeEntry } from '../federation/session-hooks.js';
import { runExplain } from './explain.js';

export type UtilityOutcome = { tag: string } | { rows: RowSource };

const WARNING = 'WARNING' as const;

// --- transactions ---------------------------------------------------------------

async function begin(session: Session, st: Extract<Statement, { kind: 'begin' }>): Promise<UtilityOutcome> {
  const tag = st.start ? 'START TRANSACTION' : 'BEGIN';
  if (session.txStatus !== 'I') {
    session.notice({ severity: WARNING, code: SqlState.ActiveSqlTransaction, message: 'there is already a transaction in progress' });
    return { tag };
  }
  await session.engine.run('BEGIN TRANSACTION');
  session.txStatus = 'T';
  session.savepoints = [];
  session.settings.beginTransaction();
  if (st.isolation) session.settings.set('transaction_isolation', st.isolation, true);
  if (st.readOnly !== undefined) session.settings.set('transaction_read_only', st.readOnly ? 'on' : 'off', true);
  return { tag };
}

/** Ends the transaction in DuckDB and in the session: cursors, settings, savepoints. */
async function endTransaction(session: Session, commit: boolean): Promise<void> {
  try {
    try {
      // sources written in this transaction commit (or roll back) first
      await endSourceTransactions(session, commit);
    } catch (e) {
      await session.engine.run('ROLLBACK').catch(() => undefined);
      throw e;
    }
    await session.engine.run(commit ? 'COMMIT' : 'ROLLBACK');
  } finally {
    session.txStatus = 'I';
    session.savepoints = [];
    if (commit) session.settings.commitTransaction();
    else session.settings.rollbackTransaction();
    for (const [name, c] of session.cursors) {
      if (!c.cursor?.hold || (!commit && c.cursor.declaredInTransaction)) {
        c.source?.close();
        session.cursors.delete(name);
      } else if (c.cursor) {
        c.cursor.declaredInTransaction = false;
      }
    }
  }
}

async function commit(session: Session, st: Extract<Statement, { kind: 'commit' }>): Promise<UtilityOutcome> {
  if (session.txStatus === 'I') {
    session.notice({ severity: WARNING, code: SqlState.NoActiveSqlTransaction, message: 'there is no transaction in progress' });
    return { tag: 'COMMIT' };
  }
  const failed = session.txStatus === 'E';
  await endTransaction(session, !failed);
  if (st.chain) await begin(session, { kind: 'begin' });
  return { tag: failed ? 'ROLLBACK' : 'COMMIT' };
}

async function rollback(session: Session, st: Extract<Statement, { kind: 'rollback' }>): Promise<UtilityOutcome> {
  if (session.txStatus === 'I') {
    session.notice({ severity: WARNING, code: SqlState.NoActiveSqlTransaction, message: 'there is no transaction in progress' });
    return { tag: 'ROLLBACK' };
  }
  await endTransaction(session, false);
  if (st.chain) await begin(session, { kind: 'begin' });
  return { tag: 'ROLLBACK' };
}

function requireTransaction(session: Session, what: string): void {
  if (session.txStatus === 'I') throw new PgError(SqlState.NoActiveSqlTransaction, `${what} can only be used in transaction blocks`);
}

function findSavepoint(session: Session, name: string): number {
  const i = session.savepoints.lastIndexOf(name);
  if (i < 0) throw new PgError('3B001', `savepoint "${name}" does not exist`);
  return i;
}

/**
 * Savepoints are emulated: DuckDB has none. ROLLBACK TO after an error makes
 * the transaction usable again (DuckDB's transaction is restarted, because a
 * failed DuckDB statement aborts it); writes to temporary tables made earlier
 * in that transaction are not kept in that case.
 */
async function rollbackTo(session: Session, name: string): Promise<UtilityOutcome> {
  requireTransaction(session, 'ROLLBACK TO SAVEPOINT');
  const i = findSavepoint(session, name);
  session.savepoints.length = i + 1;
  if (session.txStatus === 'E') {
    await session.engine.run('ROLLBACK').catch(() => undefined);
    await session.engine.run('BEGIN TRANSACTION');
    session.txStatus = 'T';
  }
  return { tag: 'ROLLBACK' };
}

// --- settings -------------------------------------------------------------------------

function show(session: Session, name: string, formats: number[]): UtilityOutcome {
  if (name === 'all') {
    return { rows: new StaticRows(['name', 'setting', 'description'], session.settings.all().map((r) => [r.name, r.setting, r.description]), formats) };
  }
  const value = session.settings.get(name);
  if (value === undefined) throw new PgError(SqlState.UndefinedObject, `unrecognized configuration parameter "${name}"`);
  return { rows: new StaticRows([session.settings.canonicalName(name)], [[value]], formats) };
}

function set(session: Session, st: Extract<Statement, { kind: 'set' }>): UtilityOutcome {
  if (st.local && session.txStatus === 'I') {
    session.notice({ severity: WARNING, code: SqlState.NoActiveSqlTransaction, message: 'SET LOCAL can only be used in transaction blocks' });
    return { tag: 'SET' };
  }
  if ((st.name === 'role' || st.name === 'session_authorization') && st.value !== null) {
    // a session cannot take another user's grants
    const target = st.value.replace(/^"(.*)"$/, '$1').replace(/^'(.*)'$/, '$1');
    if (!['none', 'default', session.identity.user].includes(target)) {
      throw new PgError(SqlState.InsufficientPrivilege, st.name === 'role' ? `permission denied to set role "${target}"` : 'permission denied to set session authorization');
    }
  }
  if (st.name === 'statement_timeout' && st.value !== null) {
    session.settings.set(st.name, st.value, st.local);
    return { tag: 'SET' };
  }
  session.settings.set(st.name, st.value, st.local);
  return { tag: 'SET' };
}

// --- cursors ----------------------------------------------------------------------------

async function declare(session: Session, st: Extract<Statement, { kind: 'declare' }>): Promise<UtilityOutcome> {
  if (!st.hold && session.txStatus === 'I') throw new PgError(SqlState.NoActiveSqlTransaction, 'DECLARE CURSOR can only be used in transaction blocks');
  if (session.cursors.has(st.name)) throw new PgError(SqlState.DuplicateCursor, `cursor "${st.name}" already exists`);
  const entry = await prepareEntry(session, st.name, st.query, { kind: 'query', text: st.query, tokens: st.queryTokens }, []);
  try {
    const result = await executeEntry(session, entry, null);
    const stream = RowStream.create(result, st.binary ? [1] : [], session.encodeContext());
    session.cursors.set(st.name, {
      name: st.name,
      entry,
      params: [],
      paramFormats: [],
      resultFormats: st.binary ? [1] : [],
      source: new StreamRowSource(stream),
      state: 'suspended',
      cursor: { hold: st.hold, declaredInTransaction: session.txStatus !== 'I' },
    });
  } finally {
    entry.query!.destroy();
  }
  return { tag: 'DECLARE CURSOR' };
}

/** FETCH/MOVE: a window of `count` rows over the cursor's own row source. */
class CursorWindow implements RowSource {
  rowsSent = 0;
  constructor(
    private readonly cursor: Portal,
    private readonly count: number | 'all',
    private readonly discard: boolean,
  ) {}
  fields() {
    return this.cursor.source!.fields();
  }
  async send(sink: RowSink, maxRows: number): Promise<boolean> {
    const src = this.cursor.source!;
    const remaining = this.count === 'all' ? 0 : this.count - this.rowsSent;
    if (this.count !== 'all' && remaining <= 0) return true;
    const limit = maxRows === 0 ? remaining : remaining === 0 ? maxRows : Math.min(maxRows, remaining);
    const before = src.rowsSent;
    const exhausted = await src.send(this.discard ? new DiscardSink(sink) : sink, limit);
    this.rowsSent += src.rowsSent - before;
    if (exhausted) this.cursor.state = 'done';
    return exhausted || (this.count !== 'all' && this.rowsSent >= this.count);
  }
  close(): void {
    /* the cursor stays open */
  }
}

function fetch(session: Session, st: Extract<Statement, { kind: 'fetch' }>): UtilityOutcome {
  const cursor = session.cursors.get(st.name);
  if (!cursor) throw new PgError(SqlState.InvalidCursorName, `cursor "${st.name}" does not exist`);
  let count: number | 'all';
  const d = st.direction;
  if (d.kind === 'forward') count = d.count;
  else if (d.kind === 'relative' && d.offset >= 0) count = d.offset;
  else {
    throw new PgError(SqlState.ObjectNotInPrerequisiteState, 'cursor can only scan forward', {
      hint: 'lakegate cursors are forward-only (NO SCROLL).',
    });
  }
  if (count === 0 || cursor.state === 'done') {
    const empty = new CursorWindow(cursor, 0, st.move);
    return { rows: empty };
  }
  return { rows: new CursorWindow(cursor, count, st.move) };
}

function closeCursor(session: Session, name: string | null): UtilityOutcome {
  if (name === null) {
    for (const c of session.cursors.values()) c.source?.close();
    session.cursors.clear();
  } else {
    const c = session.cursors.get(name);
    if (!c) throw new PgError(SqlState.InvalidCursorName, `cursor "${name}" does not exist`);
    c.source?.close();
    session.cursors.delete(name);
  }
  return { tag: 'CLOSE CURSOR' };
}

// --- the rest ----------------------------------------------------------------------------

async function discard(session: Session, what: 'all' | 'plans' | 'temp' | 'sequences'): Promise<UtilityOutcome> {
  if (what === 'all') {
    if (session.txStatus !== 'I') throw new PgError(SqlState.ActiveSqlTransaction, 'DISCARD ALL cannot run inside a transaction block');
    closeCursor(session, null);
    for (const [name, p] of session.portals) if (name !== '') session.closePortal(p.name);
    for (const s of session.statements.values()) s.query?.destroy();
    session.statements.clear();
    session.settings.reset('all');
    await dropTempTables(session);
    return { tag: 'DISCARD ALL' };
  }
  if (what === 'temp') await dropTempTables(session);
  return { tag: `DISCARD ${what === 'temp' ? 'TEMP' : what.toUpperCase()}` };
}

async function dropTempTables(session: Session): Promise<void> {
  // the gateway's own per-session tables (lakegate_*) stay
  const rows = await session.engine.rows("SELECT table_name, table_type FROM information_schema.tables WHERE table_catalog = 'temp' AND table_name NOT LIKE 'lakegate\\_%' ESCAPE '\\'");
  for (const r of rows) {
    if (String(r.table_name).startsWith(RESERVED_PREFIX)) continue; // the gateway's own per-session tables
    const name = String(r.table_name).replace(/"/g, '""');
    await session.engine.run(`DROP ${r.table_type === 'VIEW' ? 'VIEW' : 'TABLE'} IF EXISTS temp."${name}"`);
  }
}

function deallocate(session: Session, name: string | null): UtilityOutcome {
  if (name === null) {
    for (const s of session.statements.values()) s.query?.destroy();
    session.statements.clear();
    return { tag: 'DEALLOCATE ALL' };
  }
  const s = session.statements.get(name);
  if (!s) throw new PgError(SqlState.InvalidSqlStatementName, `prepared statement "${name}" does not exist`);
  s.query?.destroy();
  session.statements.delete(name);
  return { tag: 'DEALLOCATE' };
}

/** Runs a statement that is not plain SQL for DuckDB. */
export async function runUtility(session: Session, portal: Portal, st: Statement): Promise<UtilityOutcome> {
  const formats = portal.resultFormats;
  switch (st.kind) {
    case 'begin':
      return begin(session, st);
    case 'commit':
      return commit(session, st);
    case 'rollback':
      return rollback(session, st);
    case 'savepoint':
      requireTransaction(session, 'SAVEPOINT');
      session.savepoints.push(st.name);
      return { tag: 'SAVEPOINT' };
    case 'release': {
      requireTransaction(session, 'RELEASE SAVEPOINT');
      session.savepoints.length = findSavepoint(session, st.name);
      return { tag: 'RELEASE' };
    }
    case 'rollback_to':
      return rollbackTo(session, st.name);
    case 'set':
      return set(session, st);
    case 'set_transaction':
      if (st.isolation) session.settings.set(st.session ? 'default_transaction_isolation' : 'transaction_isolation', st.isolation, !st.session);
      if (st.readOnly !== undefined) session.settings.set(st.session ? 'default_transaction_read_only' : 'transaction_read_only', st.readOnly ? 'on' : 'off', !st.session);
      return { tag: 'SET' };
    case 'show':
      return show(session, st.name, formats);
    case 'reset':
      session.settings.reset(st.name);
      return { tag: 'RESET' };
    case 'discard':
      return discard(session, st.what);
    case 'declare':
      return declare(session, st);
    case 'fetch':
      return fetch(session, st);
    case 'close_cursor':
      return closeCursor(session, st.name);
    case 'deallocate':
      return deallocate(session, st.name);
    case 'copy_out':
      return { tag: await runCopyOut(session, st) };
    case 'explain':
      return { rows: await runExplain(session, st, formats, session.services.explainAnnotators) };
    case 'copy_in':
      throw new PgError(SqlState.FeatureNotSupported, 'COPY FROM STDIN is not supported: lakegate tables are read-only');
    case 'sleep':
      await session.sleep(st.seconds * 1000);
      return { rows: new StaticRows([st.column], [['']], formats, [PgTypes.void.oid]) };
    case 'set_config': {
      if (st.local && session.txStatus === 'I') {
        // PostgreSQL ignores a transaction-local setting outside a transaction, after a warning
        session.notice({ severity: WARNING, code: SqlState.NoActiveSqlTransaction, message: 'SET LOCAL can only be used in transaction blocks' });
      } else session.settings.set(st.name, st.value, st.local);
      return { rows: new StaticRows([st.column], [[session.settings.get(st.name) ?? st.value]], formats) };
    }
    case 'noop':
      return { tag: st.tag };
    case 'refuse':
      throw new PgError(st.code, st.message);
    case 'query':
      throw new Error('query statements run in DuckDB');
  }
}
