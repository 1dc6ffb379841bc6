import type { PreparedQuery } from '../engine/connection.js';
import type { StreamingResult } from '../engine/result.js';
import { PgError, SqlState } from '../errors.js';
import type { Portal, PreparedEntry } from '../session/portal-types.js';
import type { Session } from '../session/session.js';
import { parseSql, type AstNode } from '../sql/ast.js';
import type { Token } from '../sql/scanner.js';
import { executeFederated, type FederatedStatement } from './execute.js';
import type { Federation } from './federation.js';
import { planRead } from './plan/planner.js';
import { statementRelations } from './plan/relations.js';
import { resolveRangeVar } from './plan/resolve.js';
import { existingSessionFederation } from './session-state.js';

/**
 * The session's entry points into federation, kept here so the session code
 * only calls a function at each step: before DuckDB prepares a statement,
 * after it did (planning), when a portal executes, and at transaction end.
 */

function federationOf(session: Session): Federation | null {
  return session.pipeline.federation ?? null;
}

function parseOne(sql: string): AstNode | null {
  try {
    const parsed = parseSql(sql);
    return parsed.stmts?.length === 1 ? (parsed.stmts[0]!.stmt as AstNode) : null;
  } catch {
    return null;
  }
}

function searchPath(session: Session): string {
  return session.settings.get('search_path') ?? '"$user", public';
}

/**
 * Before DuckDB prepares a statement that may name remote tables: a table
 * whose source is down answers with a class-08 error (after one more try to
 * reach the source). Returns whether the statement needs federation planning.
 */
export async function beforePrepare(session: Session, sql: string, tokens: readonly Token[]): Promise<boolean> {
  const fed = federationOf(session);
  if (!fed?.mentions(tokens)) return false;
  const stmt = parseOne(sql);
  if (!stmt) {
    throw new PgError(SqlState.FeatureNotSupported, 'this statement names a remote table but is not PostgreSQL syntax that lakegate can plan', {
      hint: 'Statements over remote tables must parse as PostgreSQL SQL.',
    });
  }
  const names = fed.nameContext(searchPath(session), session.identity.user);
  for (const leaf of statementRelations(stmt).leaves) {
    if (leaf.kind !== 'relation') continue;
    const r = resolveRangeVar(leaf.body, names);
    const source = r ? fed.lookup(r.schema, r.name)?.source : leaf.body.schemaname ? fed.pendingImportSource(String(leaf.body.schemaname)) : null;
    if (!source) continue;
    const err = await fed.unavailable(source);
    if (err) throw err;
  }
  return true;
}

/** After DuckDB prepared the statement over the stubs: the federation plan, or null when it reads no remote table. */
export async function planPrepared(session: Session, q: PreparedQuery): Promise<FederatedStatement | null> {
  const fed = federationOf(session);
  if (!fed) return null;
  const stmt = parseOne(q.sql);
  if (!stmt) return null;
  const ctx = await fed.planContext(searchPath(session), session.identity.user, q.paramTypes);
  const plan = planRead(stmt, ctx);
  return plan ? { kind: 'read', plan } : null;
}

/** Runs a prepared statement: federated statements fetch remote data first. Parameters are already bound to `entry.query`. */
export function executeEntry(session: Session, entry: PreparedEntry, portal: Portal | null): Promise<StreamingResult> {
  const fed = federationOf(session);
  if (entry.federated && fed) return executeFederated(session, fed, entry, portal);
  return entry.query!.execute();
}

/** COMMIT or ROLLBACK of the client transaction: ends the source transactions opened by writes. */
export async function endSourceTransactions(session: Session, commit: boolean): Promise<void> {
  await existingSessionFederation(session)?.endTransactions(commit);
}
