import type { PreparedQuery } from '../engine/connection.js';
import type { StreamingResult } from '../engine/result.js';
import { PgError, SqlState } from '../errors.js';
import type { Portal, PreparedEntry } from '../session/portal-types.js';
import type { Session } from '../session/session.js';
import { deparseStatement, parseSql, type AstNode } from '../sql/ast.js';
import type { Token } from '../sql/scanner.js';
import { executePushdown, executeRead, type FederatedStatement } from './execute.js';
import { executeWrite } from './execute-write.js';
import type { Federation } from './federation.js';
import { planRead } from './plan/planner.js';
import { planStatement, type StatementPlan } from './plan/statement.js';
import { planWrite } from './plan/write.js';
import type { FederatedTable } from './table.js';
import { statementRelations } from './plan/relations.js';
import { resolveRangeVar } from './plan/resolve.js';
import { existingSessionFederation, sessionFederation } from './session-state.js';

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
  if (!fed) return false;
  const mentions = fed.mentions(tokens);
  const writes = WRITE_VERBS.has(tokens[0]?.value ?? '') || (tokens[0]?.value === 'with' && tokens.some((t) => t.kind === 'keyword' && WRITE_VERBS.has(t.value)));
  if (!mentions && !writes) return false;
  const stmt = parseOne(sql);
  if (!stmt) {
    if (!mentions) return false;
    throw new PgError(SqlState.FeatureNotSupported, 'this statement names a remote table but is not PostgreSQL syntax that lakegate can plan', {
      hint: 'Statements over remote tables must parse as PostgreSQL SQL.',
    });
  }
  const names = fed.nameContext(searchPath(session), session.identity.user);
  const rel = statementRelations(stmt);
  if (rel.target) {
    const r = resolveRangeVar(rel.target.body, names);
    const kind = r ? fed.localObjectKind(r.schema, r.name) : null;
    if (r && kind) {
      const what = kind === 'lake' ? 'lake table' : kind === 'duckdb' ? 'table of a duckdb file' : 'view';
      throw new PgError(SqlState.ReadOnlySqlTransaction, `cannot execute ${rel.target.statement.toUpperCase()} on ${what} "${r.schema}.${r.name}"`, {
        detail: 'Lake tables, catalog views and duckdb files are read-only.',
      });
    }
    if (r && rel.explain && rel.explain.options.includes('analyze') && fed.lookup(r.schema, r.name)) {
      throw new PgError(SqlState.FeatureNotSupported, 'EXPLAIN ANALYZE of a write to a remote table is not supported');
    }
  }
  if (!mentions) return false;
  const relations = [...rel.leaves.filter((l) => l.kind === 'relation').map((l) => l.body), ...(rel.target ? [rel.target.body] : [])];
  for (const rv of relations) {
    const r = resolveRangeVar(rv, names);
    const source = r ? fed.lookup(r.schema, r.name)?.source : rv.schemaname ? fed.pendingImportSource(String(rv.schemaname)) : null;
    if (!source) continue;
    const err = await fed.unavailable(source);
    if (err) throw err;
  }
  return true;
}

const WRITE_VERBS = new Set(['insert', 'update', 'delete']);

/** After DuckDB prepared the statement over the stubs: the federation plan, or null when it reads no remote table. */
export async function planPrepared(session: Session, q: PreparedQuery): Promise<FederatedStatement | null> {
  const fed = federationOf(session);
  if (!fed) return null;
  const stmt = parseOne(q.sql);
  if (!stmt) return null;
  const ctx = await fed.planContext(searchPath(session), session.identity.user, q.paramTypes);
  const rel = statementRelations(stmt);
  if (rel.target && !rel.explain) {
    const r = resolveRangeVar(rel.target.body, ctx.names);
    const table = r ? fed.lookup(r.schema, r.name) : null;
    if (table && 'columns' in table) return { kind: 'write', plan: planWrite(rel.target, table as FederatedTable, ctx) };
  }
  // the whole statement to one source when it can run it; planned before planRead rewrites the references
  const whole = rel.target ? null : rel.explain ? await explainedStatement(session, rel.explain, ctx) : planStatement(stmt, ctx, q.columns);
  const plan = planRead(stmt, ctx);
  if (!plan) return null;
  return whole ? { kind: 'statement', plan: whole, fallback: plan } : { kind: 'read', plan };
}

/** Whole-statement pushdown of the SELECT inside an EXPLAIN (its result columns come from preparing it alone). */
async function explainedStatement(session: Session, explain: { options: string[]; inner: AstNode }, ctx: Awaited<ReturnType<Federation['planContext']>>): Promise<StatementPlan | null> {
  if (!explain.inner.SelectStmt) return null;
  let columns;
  try {
    const pq = await session.engine.prepare(deparseStatement(explain.inner));
    columns = pq.columns;
    pq.destroy();
  } catch {
    return null;
  }
  const plan = planStatement(explain.inner, ctx, columns);
  return plan ? { ...plan, explain: { analyze: explain.options.includes('analyze') } } : null;
}

/**
 * Runs a prepared statement. Federated reads fetch remote data first, writes
 * go to their source; everything else is DuckDB's prepared statement, whose
 * parameters are already bound.
 */
export async function executeEntry(session: Session, entry: PreparedEntry, portal: Portal | null): Promise<StreamingResult> {
  const fed = federationOf(session);
  const st = entry.federated;
  if (!st || !fed) return entry.query!.execute();
  await sessionFederation(session).dropTemp();
  const params = { entry, portal };
  switch (st.kind) {
    case 'write':
      return executeWrite(session, fed, st.plan, params);
    case 'statement':
      return executePushdown(session, fed, st, params);
    case 'read':
      return executeRead(session, fed, st.plan, params);
  }
}

/** COMMIT or ROLLBACK of the client transaction: ends the source transactions opened by writes. */
export async function endSourceTransactions(session: Session, commit: boolean): Promise<void> {
  await existingSessionFederation(session)?.endTransactions(commit);
}
