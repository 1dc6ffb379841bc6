import { PgError, SqlState } from '../errors.js';
import {
  bindComplete,
  closeComplete,
  emptyQueryResponse,
  noData,
  parameterDescription,
  parseComplete,
  rowDescription,
} from '../protocol/backend/results.js';
import type { Frame } from '../protocol/frontend/framer.js';
import { decodeBind, decodeDescribeOrClose, decodeExecute, decodeParse, FrontendCode } from '../protocol/frontend/messages.js';
import { ProtocolViolation } from '../protocol/errors.js';
import { ClientGone } from '../server/client-connection.js';
import { splitStatements } from '../sql/scanner.js';
import { classify } from '../sql/classify.js';
import type { Statement } from '../sql/statement.js';
import { describeEntry } from './describe.js';
import { executePortal, failedTransactionError } from './execute.js';
import type { Portal } from './portal-types.js';
import { prepareEntry } from './prepare.js';
import type { Session } from './session.js';

const TRANSACTION_CONTROL = new Set(['rollback', 'commit', 'rollback_to']);
const EMPTY: Statement = { kind: 'noop', tag: '' };

function isEmpty(st: Statement): boolean {
  return st.kind === 'noop' && st.tag === '';
}

async function parse(session: Session, body: Buffer): Promise<void> {
  const msg = decodeParse(body);
  try {
    await parseMessage(session, msg);
  } catch (e) {
    // a statement that cannot even be prepared still counts (logs, metrics, history)
    session.recordFailedStatement(msg.query, e);
    throw e;
  }
}

async function parseMessage(session: Session, msg: ReturnType<typeof decodeParse>): Promise<void> {
  if (msg.statement !== '' && session.statements.has(msg.statement)) {
    throw new PgError(SqlState.DuplicatePreparedStatement, `prepared statement "${msg.statement}" already exists`);
  }
  const parts = splitStatements(msg.query);
  if (parts.length > 1) throw new PgError(SqlState.SyntaxError, 'cannot insert multiple commands into a prepared statement');
  const statement = parts.length === 0 ? EMPTY : classify(parts[0]!.text, parts[0]!.tokens);
  if (session.txStatus === 'E' && !TRANSACTION_CONTROL.has(statement.kind)) throw failedTransactionError();
  if (msg.statement === '') {
    session.statements.get('')?.query?.destroy();
    session.statements.delete('');
  }
  const entry = await prepareEntry(session, msg.statement, msg.query, statement, msg.paramTypes);
  session.statements.set(msg.statement, entry);
  parseComplete(session.conn.writer);
}

function bind(session: Session, body: Buffer): void {
  const msg = decodeBind(body);
  const entry = session.statements.get(msg.statement);
  if (!entry) {
    throw new PgError(
      SqlState.InvalidSqlStatementName,
      msg.statement === '' ? 'unnamed prepared statement does not exist' : `prepared statement "${msg.statement}" does not exist`,
    );
  }
  const expected = entry.query ? entry.query.paramCount : entry.paramOids.length;
  if (msg.params.length < expected || (entry.query === null && msg.params.length !== expected)) {
    throw new PgError(
      SqlState.ProtocolViolation,
      `bind message supplies ${msg.params.length} parameters, but prepared statement "${msg.statement}" requires ${expected}`,
    );
  }
  if (session.txStatus === 'E' && !TRANSACTION_CONTROL.has(entry.statement.kind)) throw failedTransactionError();
  const fields = describeEntry(session, entry, []);
  const ncols = fields?.length ?? 0;
  if (msg.resultFormats.length > 1 && msg.resultFormats.length !== ncols) {
    throw new PgError(SqlState.ProtocolViolation, `bind message has ${msg.resultFormats.length} result formats but query has ${ncols} columns`);
  }
  if (msg.portal === '') session.closePortal('');
  else if (session.portals.has(msg.portal)) throw new PgError(SqlState.DuplicateCursor, `cursor "${msg.portal}" already exists`);
  const portal: Portal = {
    name: msg.portal,
    entry,
    params: msg.params,
    paramFormats: msg.paramFormats,
    resultFormats: msg.resultFormats,
    source: null,
    state: 'ready',
  };
  session.portals.set(msg.portal, portal);
  bindComplete(session.conn.writer);
}

function describe(session: Session, body: Buffer): void {
  const msg = decodeDescribeOrClose(body);
  const w = session.conn.writer;
  if (msg.target === 'S') {
    const entry = session.statements.get(msg.name);
    if (!entry) {
      throw new PgError(SqlState.InvalidSqlStatementName, msg.name === '' ? 'unnamed prepared statement does not exist' : `prepared statement "${msg.name}" does not exist`);
    }
    parameterDescription(w, entry.paramOids);
    const fields = describeEntry(session, entry, []);
    if (fields) rowDescription(w, fields);
    else noData(w);
    return;
  }
  const portal = session.portals.get(msg.name);
  if (!portal) throw new PgError(SqlState.InvalidCursorName, `portal "${msg.name}" does not exist`);
  const fields = portal.source ? portal.source.fields() : describeEntry(session, portal.entry, portal.resultFormats);
  if (fields) rowDescription(w, fields);
  else noData(w);
}

async function execute(session: Session, body: Buffer): Promise<void> {
  const msg = decodeExecute(body);
  const portal = session.portals.get(msg.portal);
  if (!portal) throw new PgError(SqlState.InvalidCursorName, `portal "${msg.portal}" does not exist`);
  if (isEmpty(portal.entry.statement)) {
    emptyQueryResponse(session.conn.writer);
    return;
  }
  session.beginStatement(portal.entry.text);
  let failure: PgError | null = null;
  try {
    await executePortal(session, portal, { sendRowDescription: false, maxRows: msg.maxRows });
  } catch (e) {
    portal.source?.close();
    portal.state = 'done';
    // decided while the interrupt reason (cancel, timeout, shutdown) is still known
    failure = session.failureOf(e);
    throw e instanceof ClientGone ? e : failure;
  } finally {
    session.endStatement(failure);
  }
}

function close(session: Session, body: Buffer): void {
  const msg = decodeDescribeOrClose(body);
  if (msg.target === 'S') {
    const entry = session.statements.get(msg.name);
    if (entry) {
      entry.query?.destroy();
      session.statements.delete(msg.name);
    }
  } else {
    session.closePortal(msg.name);
  }
  closeComplete(session.conn.writer);
}

function sync(session: Session): void {
  session.skipTillSync = false;
  // outside a transaction block, Sync ends the implicit transaction and its portals
  if (session.txStatus === 'I') {
    for (const name of [...session.portals.keys()]) session.closePortal(name);
  }
  session.sendReady();
}

/** The extended query protocol; after an error, everything up to Sync is skipped. */
export async function handleExtendedMessage(session: Session, frame: Frame): Promise<void> {
  if (frame.type === FrontendCode.Sync) return sync(session);
  if (frame.type === FrontendCode.Flush) {
    session.conn.flush();
    return;
  }
  if (session.skipTillSync) return;
  try {
    switch (frame.type) {
      case FrontendCode.Parse:
        return await parse(session, frame.body);
      case FrontendCode.Bind:
        return bind(session, frame.body);
      case FrontendCode.Describe:
        return describe(session, frame.body);
      case FrontendCode.Execute:
        return await execute(session, frame.body);
      case FrontendCode.Close:
        return close(session, frame.body);
      default:
        throw new ProtocolViolation(`unexpected message type ${frame.type}`);
    }
  } catch (e) {
    session.sendError(e);
    session.skipTillSync = true;
  }
}
