import type { PgError } from '../errors.js';
import { emptyQueryResponse } from '../protocol/backend/results.js';
import { decodeQuery } from '../protocol/frontend/messages.js';
import type { Statement } from '../sql/statement.js';
import { ClientGone } from '../server/client-connection.js';
import { executePortal, failedTransactionError } from './execute.js';
import type { Portal, PreparedEntry } from './portal-types.js';
import { prepareEntry } from './prepare.js';
import type { Session } from './session.js';

function statementText(st: Statement): string {
  return st.kind === 'query' ? st.text : '';
}

const TRANSACTION_CONTROL = new Set(['rollback', 'commit', 'rollback_to']);

/** The simple query protocol: every statement of the message in turn, then ReadyForQuery. */
export async function runSimpleQuery(session: Session, body: Buffer): Promise<void> {
  if (session.skipTillSync) return;
  let statements: Statement[];
  let texts: string[];
  let sql = '';
  try {
    sql = decodeQuery(body);
    statements = session.pipeline.statements(sql);
    texts = session.pipeline.statementTexts(sql);
  } catch (e) {
    session.recordFailedStatement(sql, session.sendError(e, sql));
    session.sendReady();
    return;
  }
  if (statements.length === 0) {
    emptyQueryResponse(session.conn.writer);
    session.sendReady();
    return;
  }
  for (let i = 0; i < statements.length; i++) {
    const st = statements[i]!;
    let entry: PreparedEntry | null = null;
    let portal: Portal | null = null;
    let failure: PgError | null = null;
    session.beginStatement(statements.length === 1 ? sql : texts[i]);
    try {
      if (session.txStatus === 'E' && !TRANSACTION_CONTROL.has(st.kind)) throw failedTransactionError();
      entry = await prepareEntry(session, '', statementText(st), st, []);
      portal = { name: '', entry, params: [], paramFormats: [], resultFormats: [], source: null, state: 'ready' };
      await executePortal(session, portal, { sendRowDescription: true, maxRows: 0 });
    } catch (e) {
      failure = e instanceof ClientGone ? session.failureOf(e) : session.sendError(e, statements.length === 1 ? sql : statementText(st));
      break;
    } finally {
      portal?.source?.close();
      entry?.query?.destroy();
      session.endStatement(failure);
    }
    if (session.isClosed) return;
  }
  session.sendReady();
}
