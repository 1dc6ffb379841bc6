import type { PreparedQuery } from '../engine/connection.js';
import type { StreamingResult } from '../engine/result.js';
import { PgError, SqlState } from '../errors.js';
import type { Portal, PreparedEntry } from '../session/portal-types.js';
import type { Session } from '../session/session.js';
import { deparseStatement, parseSql, walk, type AstNode } from '../sql/ast.js';
import { bindParam } from '../types/param-decode.js';
import { Duck, duckTypeNameAst } from './column-type.js';
import type { Connector, RemoteStatement } from './connectors/connector.js';
import type { Federation, RemoteQueryRecord } from './federation.js';
import { TempTableLoader, type LoadColumn } from './load/temp-table.js';
import { ScanCompiler, type OperandValues, type ScanSpec } from './plan/compile.js';
import type { ReadPlan, ScanPlan } from './plan/planner.js';
import type { Operand, Pred } from './plan/predicate.js';
import type { StatementPlan } from './plan/statement.js';
import type { WritePlan } from './plan/write.js';
import { compilerFor } from './dialect.js';
import { sessionFederation, type SessionFederation } from './session-state.js';

/** A statement that reads remote tables, as Parse left it. */
export interface FederatedRead {
  kind: 'read';
  plan: ReadPlan;
}

/** A statement sent whole to the one source all its tables live on; the per-table plan is kept as fallback. */
export interface FederatedPushdown {
  kind: 'statement';
  plan: StatementPlan;
  fallback: ReadPlan;
}

/** A statement that writes a remote table. */
export interface FederatedWrite {
  kind: 'write';
  plan: WritePlan;
}

export type FederatedStatement = FederatedRead | FederatedPushdown | FederatedWrite;

/** The client's statement and its bound parameters: what statements built from it bind again. */
export interface ClientParams {
  entry: PreparedEntry;
  portal: Portal | null;
}

/**
 * Prepares a statement built from the client's (it may use the client's
 * parameters) and binds the parameters as Bind sent them. Parameters are
 * renumbered to the ones the statement uses, and bare ones get the type DuckDB
 * inferred for them in the client's statement.
 */
export async function prepareBound(session: Session, stmt: AstNode, params: ClientParams): Promise<PreparedQuery> {
  const { entry, portal } = params;
  const paramTypes = entry.query!.paramTypes;
  const used = new Map<number, number>();
  const copy = structuredClone(stmt);
  walk(copy, (type, body, replace) => {
    if (type !== 'ParamRef') return;
    const n = body.number as number;
    if (!used.has(n)) used.set(n, used.size + 1);
    const k = used.get(n)!;
    const t = paramTypes[n - 1];
    const typeName = t ? duckTypeNameAst(t) : null;
    if (typeName) replace({ TypeCast: { arg: { ParamRef: { number: k } }, typeName } });
    else body.number = k;
  });
  const pq = await session.engine.prepare(deparseStatement(copy));
  try {
    for (const [orig, k] of used) {
      bindParam(pq.ps, k, portal?.params[orig - 1] ?? null, portal?.paramFormats[orig - 1] ?? 0, entry.paramOids[orig - 1] ?? 0, paramTypes[orig - 1] ?? null);
    }
  } catch (e) {
    pq.destroy();
    throw e;
  }
  return pq;
}

/** Runs a SELECT body built from the client's statement and returns its rows as PostgreSQL text. */
export async function selectRows(session: Session, select: AstNode, params: ClientParams): Promise<Record<string, string | null>[]> {
  const pq = await prepareBound(session, { SelectStmt: select }, params);
  try {
    return await (await pq.execute()).collectRows();
  } finally {
    pq.destroy();
  }
}

function predOperands(p: Pred, out: Operand[]): void {
  switch (p.op) {
    case 'and':
    case 'or':
      for (const a of p.args) predOperands(a, out);
      return;
    case 'cmp':
      if (p.value.kind === 'param') out.push(p.value);
      return;
    case 'in':
      for (const v of p.values) if (v.kind === 'param') out.push(v);
      return;
    case 'like':
      if (p.pattern.kind === 'param') out.push(p.pattern);
      return;
    default:
      return;
  }
}

/** Parameter operands of filters (and LIMITs) that need a value before the remote SQL is compiled. */
export function paramOperands(preds: Pred[], limits: (number | Operand | null)[] = []): Operand[] {
  const out: Operand[] = [];
  for (const p of preds) predOperands(p, out);
  for (const l of limits) if (l !== null && typeof l === 'object') out.push(l);
  return out;
}

/**
 * Values of parameter operands: DuckDB evaluates them with the client's
 * parameters bound (so they mean what they mean in the statement) and hands
 * them back as PostgreSQL text.
 */
export async function evaluateOperands(session: Session, params: ClientParams, operands: Operand[]): Promise<OperandValues> {
  const values: OperandValues = new Map();
  if (operands.length === 0) return values;
  const targets: AstNode[] = operands.map((o, i) => ({ ResTarget: { name: `v${i}`, val: structuredClone((o as Extract<Operand, { kind: 'param' }>).node) } }));
  const rows = await selectRows(session, { targetList: targets, limitOption: 'LIMIT_OPTION_DEFAULT', op: 'SETOP_NONE' }, params);
  operands.forEach((o, i) => values.set(o, rows[0]?.[`v${i}`] ?? null));
  return values;
}

function limitOf(s: ScanPlan, values: OperandValues): number | null {
  if (!s.limit) return null;
  const num = (v: number | Operand | null): number | null => {
    if (v === null) return 0;
    if (typeof v === 'number') return v;
    const t = values.get(v);
    return t === null || t === undefined ? null : Number(t);
  };
  const count = num(s.limit.count);
  const offset = num(s.limit.offset);
  if (count === null || offset === null || !Number.isSafeInteger(count + offset) || count < 0 || offset < 0) return null;
  return count + offset;
}

function loadColumns(s: ScanPlan): LoadColumn[] {
  if (s.columns.length === 0) return [{ name: 'lakegate_row', type: Duck.integer() }];
  return s.columns.map((c) => ({ name: c.name, type: c.type }));
}

function newRecord(session: Session, source: string, table: string | null, kind: RemoteQueryRecord['kind'], stmt: RemoteStatement, columns: number): RemoteQueryRecord {
  return {
    source,
    table,
    kind,
    sql: stmt.sql,
    parameterCount: stmt.parameters.length,
    rows: 0,
    columns,
    ms: 0,
    sessionPid: session.identity.processId,
    at: new Date(),
  };
}

/** Connector and settings of a source. */
export function sourceOf(fed: Federation, source: string): { connector: Connector; spec: NonNullable<ReturnType<Federation['sourceSpec']>> } {
  const connector = fed.connector(source);
  const spec = fed.sourceSpec(source);
  if (!connector || !spec) throw new PgError(SqlState.UndefinedObject, `source "${source}" is not defined`);
  return { connector, spec };
}

/** Streams one scan from its source into a temporary table; later statements of this execution read it. */
async function runScan(session: Session, fed: Federation, state: SessionFederation, scan: ScanPlan, values: OperandValues, fetch: boolean, params: ClientParams): Promise<RemoteQueryRecord> {
  const { connector, spec } = sourceOf(fed, scan.table.source);
  const temp = state.tempName();
  const keys = scan.dynamic && fetch ? await collectKeys(session, scan, spec.dynamicFilterMaxKeys, params) : null;
  const filters = scan.filters.map((f) => f.pred);
  if (keys) filters.push(keys);
  const scanSpec: ScanSpec = { table: scan.table, columns: scan.columns, filters, orderBy: scan.limit ? scan.orderBy : [], limit: limitOf(scan, values) };
  const stmt = new ScanCompiler(scan.dialect, values).scan(scanSpec);
  const record = newRecord(session, scan.table.source, `${scan.table.schema}.${scan.table.name}`, 'scan', stmt, scan.columns.length);
  const loader = await TempTableLoader.create(session.engine, temp, loadColumns(scan), connector.pgText);
  scan.leaf.body.relname = temp;
  if (!fetch) {
    loader.finish();
    return record;
  }
  const t0 = performance.now();
  try {
    record.rows = await connector.query(stmt, (batch) => loader.append(batch), {
      signal: session.signal,
      timeoutMs: spec.queryTimeoutMs,
      batchRows: spec.batchRows,
      transaction: state.transactions.get(scan.table.source)?.tx,
    });
    loader.finish();
  } catch (e) {
    loader.abandon();
    record.error = e instanceof Error ? e.message : String(e);
    throw e instanceof PgError ? e : new PgError(SqlState.DataException, `source "${scan.table.source}", table ${record.table}: ${record.error}`);
  } finally {
    record.ms = performance.now() - t0;
    fed.record(record);
  }
  return record;
}

/**
 * Dynamic filtering: the distinct join keys of the other side, its own
 * filters applied, read in DuckDB. Null (no filter) when there are more
 * than the source's dynamic_filter_max_keys, or when the source's row
 * estimate says the table is smaller than the key list.
 */
async function collectKeys(session: Session, scan: ScanPlan, maxKeys: number, params: ClientParams): Promise<Pred | null> {
  const d = scan.dynamic!;
  if (maxKeys <= 0) return null;
  const notNull: AstNode = { NullTest: { arg: structuredClone(d.keyExpr), nulltesttype: 'IS_NOT_NULL' } };
  const conds = [...d.conditions.map((c) => structuredClone(c)), notNull];
  const select: AstNode = {
    distinctClause: [{}],
    targetList: [{ ResTarget: { name: 'k', val: structuredClone(d.keyExpr) } }],
    fromClause: [structuredClone(d.provider.node)],
    whereClause: conds.length === 1 ? conds[0] : { BoolExpr: { boolop: 'AND_EXPR', args: conds } },
    limitCount: { A_Const: { ival: { ival: maxKeys + 1 } } },
    limitOption: 'LIMIT_OPTION_COUNT',
    op: 'SETOP_NONE',
  };
  const rows = await selectRows(session, select, params);
  if (rows.length > maxKeys) return null;
  if (scan.table.rowEstimate !== null && scan.table.rowEstimate > 0 && rows.length >= scan.table.rowEstimate) return null;
  return { op: 'keys', column: d.column, keys: rows.map((r) => r.k as string), family: d.family };
}

/**
 * Loads every remote table a read plan needs into temporary tables (the plan's
 * statement then refers to them). With `fetch` false (plain EXPLAIN) the
 * tables are created empty and nothing is sent to the sources.
 */
export async function loadScans(session: Session, fed: Federation, plan: ReadPlan, params: ClientParams, fetch = true): Promise<RemoteQueryRecord[]> {
  for (const p of plan.unavailable) {
    const err = await fed.unavailable(p.source);
    if (err) throw err;
  }
  const state = sessionFederation(session);
  const limits = plan.scans.flatMap((s) => (s.limit ? [s.limit.count, s.limit.offset] : []));
  const values = await evaluateOperands(session, params, paramOperands(plan.scans.flatMap((s) => s.filters.map((f) => f.pred)), limits));
  const records: RemoteQueryRecord[] = [];
  for (const scan of plan.scans) {
    session.checkInterrupted();
    records.push(await runScan(session, fed, state, scan, values, fetch, params));
  }
  return records;
}

/** Runs a read plan: remote tables loaded, then the statement in DuckDB. */
export async function runRead(session: Session, fed: Federation, plan: ReadPlan, params: ClientParams): Promise<StreamingResult> {
  const records = await loadScans(session, fed, plan, params);
  sessionFederation(session).lastRemote = records;
  const pq = await prepareBound(session, plan.ast, params);
  try {
    return await pq.execute();
  } finally {
    pq.destroy();
  }
}

/**
 * Executes a statement that reads remote tables: every remote table is
 * fetched (projection, filters and limit pushed to its source) into a
 * temporary table of the session, then DuckDB runs the statement over them
 * and the result streams to the client like any other.
 */
export async function executeRead(session: Session, fed: Federation, plan: ReadPlan, params: ClientParams): Promise<StreamingResult> {
  if (!plan.explain) return runRead(session, fed, plan, params);
  const fetched = plan.explain.analyze;
  const records = await loadScans(session, fed, plan, params, fetched);
  sessionFederation(session).lastRemote = records;
  return explainResult(session, params, plan.ast, records, fetched);
}

/** Lines describing one remote statement in EXPLAIN output. */
export function describeRemote(r: RemoteQueryRecord, fetched: boolean): string {
  const head = r.kind === 'statement' ? `Remote Statement (source "${r.source}")` : `Remote Scan on ${r.table} (source "${r.source}")`;
  const lines = [head, `  Remote SQL: ${r.sql}`];
  lines.push(fetched ? `  Rows Returned: ${r.rows}  Columns: ${r.columns}  Time: ${r.ms.toFixed(3)} ms` : `  Columns: ${r.columns}  (not executed: use EXPLAIN ANALYZE for rows returned)`);
  return lines.join('\n');
}

/**
 * EXPLAIN of a federated statement: DuckDB's plan of the statement over the
 * temporary tables, then one row per remote scan with the SQL sent and (with
 * ANALYZE) the rows returned. The same information is on `lastRemote` of the
 * session and in the federation's query history, as data.
 */
async function explainResult(session: Session, params: ClientParams, explain: AstNode, records: RemoteQueryRecord[], fetched: boolean): Promise<StreamingResult> {
  const pq = await prepareBound(session, explain, params);
  let rows: Record<string, string | null>[];
  try {
    rows = await (await pq.execute()).collectRows();
  } finally {
    pq.destroy();
  }
  const columns = params.entry.query!.columns ?? [];
  const keyCol = columns[0]?.name ?? 'explain_key';
  const valueCol = columns[1]?.name ?? 'explain_value';
  for (const r of records) rows.push({ [keyCol]: r.kind === 'statement' ? 'remote_statement' : 'remote_scan', [valueCol]: describeRemote(r, fetched) });
  const temp = sessionFederation(session).tempName('lakegate_explain');
  const loader = await TempTableLoader.create(session.engine, temp, [{ name: 'ord', type: Duck.integer() }, ...columns.map((c) => ({ name: c.name, type: Duck.varchar() }))], false);
  loader.append(rows.map((r, i) => [i, ...columns.map((c) => r[c.name] ?? null)]));
  loader.finish();
  const list = columns.map((c) => `"${c.name.replace(/"/g, '""')}"`).join(', ');
  return session.engine.query(`SELECT ${list} FROM temp.main."${temp}" ORDER BY ord`);
}

/**
 * Whole-statement pushdown: the source runs the statement and its answer is
 * loaded into a temporary table typed as DuckDB described the result at
 * Parse, then streamed from DuckDB (so encoding, formats and portals work as
 * for any result). Falls back to the per-table plan when a parameter value
 * cannot be sent exactly.
 */
export async function executePushdown(session: Session, fed: Federation, st: FederatedPushdown, params: ClientParams): Promise<StreamingResult> {
  const plan = st.plan;
  const err = await fed.unavailable(plan.source);
  if (err) throw err;
  const values = await evaluateOperands(session, params, plan.operands.filter((o) => o.kind === 'param'));
  const built = plan.build(values);
  if (!built) return executeRead(session, fed, st.fallback, params);
  const compiled = built.compile(compilerFor(plan.dialect));
  const stmt: RemoteStatement = { sql: compiled.sql, parameters: compiled.parameters };
  const { connector, spec } = sourceOf(fed, plan.source);
  const state = sessionFederation(session);
  const temp = state.tempName('lakegate_statement');
  const loader = await TempTableLoader.create(
    session.engine,
    temp,
    plan.columns.map((c, i) => ({ name: `c${i}`, type: c.type })),
    connector.pgText,
  );
  const record = newRecord(session, plan.source, null, 'statement', stmt, plan.columns.length);
  const list = plan.columns.map((c, i) => `"c${i}" AS "${c.name.replace(/"/g, '""')}"`).join(', ');
  const final = `SELECT ${list} FROM temp.main."${temp}"`;
  if (plan.explain && !plan.explain.analyze) {
    loader.finish();
    state.lastRemote = [record];
    return explainResult(session, params, explainOf(final, false), [record], false);
  }
  const t0 = performance.now();
  try {
    record.rows = await connector.query(stmt, (batch) => loader.append(batch), {
      signal: session.signal,
      timeoutMs: spec.queryTimeoutMs,
      batchRows: spec.batchRows,
      transaction: state.transactions.get(plan.source)?.tx,
    });
    loader.finish();
  } catch (e) {
    loader.abandon();
    record.error = e instanceof Error ? e.message : String(e);
    throw e instanceof PgError ? e : new PgError(SqlState.DataException, `source "${plan.source}": ${record.error}`);
  } finally {
    record.ms = performance.now() - t0;
    fed.record(record);
  }
  state.lastRemote = [record];
  if (plan.explain) return explainResult(session, params, explainOf(final, true), [record], true);
  return session.engine.query(final);
}

/** The EXPLAIN statement (as an AST) of a SELECT lakegate built. */
function explainOf(select: string, analyze: boolean): AstNode {
  const stmt = parseSql(select).stmts![0]!.stmt as AstNode;
  return { ExplainStmt: { query: stmt, options: analyze ? [{ DefElem: { defname: 'analyze', defaction: 'DEFELEM_UNSPEC' } }] : [] } };
}
