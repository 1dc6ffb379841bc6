import { quoteIdent } from '../catalog/install.js';
import type { Session } from '../session/session.js';
import type { Connector, SourceTransaction } from './connectors/connector.js';
import type { RemoteQueryRecord } from './federation.js';

/** An open transaction on a source, bound to a client transaction. */
export interface OpenSourceTransaction {
  tx: SourceTransaction;
  connector: Connector;
}

/**
 * Federation state of one client session: the temporary tables its
 * statements loaded (dropped lazily, before the next federated statement),
 * source transactions opened by writes inside a client transaction, and what
 * the last federated statement sent to sources.
 */
export class SessionFederation {
  private seq = 0;
  private temp: string[] = [];
  readonly transactions = new Map<string, OpenSourceTransaction>();
  /** The source written in the current client transaction. */
  writtenSource: string | null = null;
  /** Remote statements of the most recent federated statement. */
  lastRemote: RemoteQueryRecord[] = [];

  constructor(readonly session: Session) {}

  /** A fresh temporary table name, remembered for cleanup. */
  tempName(prefix = 'lakegate_remote'): string {
    const name = `${prefix}_${++this.seq}`;
    this.temp.push(name);
    return name;
  }

  /**
   * Drops the temporary tables of earlier statements. A result still
   * streaming from them is read into memory first by the engine connection.
   */
  async dropTemp(): Promise<void> {
    const names = this.temp;
    if (names.length === 0) return;
    this.temp = [];
    for (const n of names) await this.session.engine.run(`DROP TABLE IF EXISTS temp.main.${quoteIdent(n)}`).catch(() => undefined);
  }

  /** Ends every source transaction (client COMMIT/ROLLBACK, or the connection going away). */
  async endTransactions(commit: boolean): Promise<void> {
    const open = [...this.transactions.values()];
    this.transactions.clear();
    this.writtenSource = null;
    let failure: unknown = null;
    for (const t of open) {
      try {
        if (commit) await t.connector.commit(t.tx);
        else await t.connector.rollback(t.tx);
      } catch (e) {
        failure ??= e;
      }
    }
    if (failure) throw failure;
  }
}

const states = new WeakMap<Session, SessionFederation>();

export function sessionFederation(session: Session): SessionFederation {
  let s = states.get(session);
  if (!s) {
    const created = new SessionFederation(session);
    s = created;
    states.set(session, s);
    // a client that goes away mid-transaction must not keep source connections
    session.conn.onClosed(() => void created.endTransactions(false).catch(() => undefined));
  }
  return s;
}

/** The session's federation state if it has one (no allocation for sessions that never federate). */
export function existingSessionFederation(session: Session): SessionFederation | undefined {
  return states.get(session);
}
