import type { PreparedQuery } from '../engine/connection.js';
import type { Authorized } from '../security/session-security.js';
import type { FederatedStatement } from '../federation/execute.js';
import type { Statement } from '../sql/statement.js';
import type { RowSource } from './row-source.js';

/** A statement after Parse (or one statement of a simple query). */
export interface PreparedEntry {
  name: string;
  text: string;
  statement: Statement;
  /** Parameter type OIDs: what the client named, else what we inferred. */
  paramOids: number[];
  /** DuckDB's prepared statement, for statements that run in DuckDB. */
  query: PreparedQuery | null;
  /** The statement as authorized for the session's user; `objects` is what it touches (for the audit log). */
  authorized?: Authorized;
  /** The rewritten statement reads per-session state in DuckDB (synced before it runs). */
  sessionState?: boolean;
  /** Set when the statement reads or writes remote tables. */
  federated?: FederatedStatement | null;
}

/** A bound statement: parameters and result formats, and where execution stands. */
export interface Portal {
  name: string;
  entry: PreparedEntry;
  params: (Buffer | null)[];
  paramFormats: number[];
  resultFormats: number[];
  source: RowSource | null;
  state: 'ready' | 'suspended' | 'done';
  /** Set for cursors made by DECLARE: closed at transaction end unless WITH HOLD. */
  cursor?: { hold: boolean; declaredInTransaction: boolean };
}
