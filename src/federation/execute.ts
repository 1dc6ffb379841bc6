import duckdb from '@duckdb/node-bindings';
import type { PreparedQuery } from '../engine/connection.js';
import type { StreamingResult } from '../engine/result.js';
import { PgError, SqlState } from '../errors.js';
import type { Portal, PreparedEntry } from '../session/portal-types.js';
import type { Session } from '../session/session.js';
import { deparseStatement, nodeType, walk, type AstNode } from '../sql/ast.js';
import type { DuckType } from '../types/duck-type.js';
import { bindParam } from '../types/param-decode.js';
import { Duck, duckTypeDdl } from './column-type.js';
import type { Connector, RemoteStatement } from './connectors/connector.js';
import type { Federation, RemoteQueryRecord } from './federation.js';
import { TempTableLoader, type LoadColumn } from './load/temp-table.js';
import { ScanCompiler, type OperandValues, type ScanSpec } from './plan/compile.js';
import type { ReadPlan, ScanPlan } from './plan/planner.js';
import type { Operand, Pred } from './plan/predicate.js';
import { sessionFederation, type SessionFederation } from './session-state.js';

/** A statement that reads remote tables, as Parse left it. */
export interface FederatedRead {
  kind: 'read';
  plan: ReadPlan;
}

export type FederatedStatement = FederatedRead;

/** Binds the client's parameters (as Bind sent them) to a DuckDB prepared statement with the same parameters. */
function bindAll(pq: PreparedQuery, entry: PreparedEntry, portal: Portal | null): void {
  for (let i = 0; i < pq.paramCount; i++) {
    bindParam(pq.ps, i + 1, portal?.params[i] ?? null, portal?.paramFormats[i] ?? 0, entry.paramOids[i] ?? 0, pq.paramTypes[i] ?? entry.query?.paramTypes[i] ?? null);
  }
}

function paramOperands(plan: ReadPlan): Operand[] {
  const out: Operand[] = [];
  const fromPred = (p: Pred): void => {
    switch (p.op) {
      case 'and':
      case 'or':
        p.args.forEach(fromPred);
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
  };
  for (const s of plan.scans) {
    s.filters.forEach((f) => fromPred(f.pred));
    if (s.limit && typeof s.limit.count === 'object') out.push(s.limit.count);
    if (s.limit?.offset && typeof s.limit.offset === 'object') out.push(s.limit.offset);
  }
  return out;
}

/** A PostgreSQL-AST type name DuckDB reads as this type (for casts in statements we build). */
function typeNameNode(d: DuckType): AstNode | null {
  const T = duckdb.Type;
  const intConst = (n: number): AstNode => ({ A_Const: { ival: { ival: n } } });
  switch (d.id) {
    case T.DECIMAL:
      return { names: [{ String: { sval: 'decimal' } }], typmods: [intConst(d.width!), intConst(d.scale!)], typemod: -1 };
    case T.LIST: {
      const inner = d.child ? typeNameNode(d.child) : null;
      return inner ? { ...inner, arrayBounds: [intConst(-1)] } : null;
    }
    case T.ENUM:
    case T.STRUCT:
    case T.MAP:
    case T.UNION:
    case T.ARRAY:
      return null;
    default: {
      const ddl = duckTypeDdl(d);
      return /^[A-Z_]+$/.test(ddl) ? { names: [{ String: { sval: ddl.toLowerCase() } }], typemod: -1 } : null;
    }
  }
}

/**
 * Runs a SELECT (a SelectStmt body, modified here) that may use the client
 * statement's parameters, and returns its rows as PostgreSQL text. The
 * parameters are renumbered to the ones it uses, and given the types DuckDB
 * inferred for them in the client's statement.
 */
async function selectWithParams(session: Session, select: AstNode, entry: PreparedEntry, portal: Portal | null): Promise<Record<string, string | null>[]> {
  const paramTypes = entry.query!.paramTypes;
  const used = new Map<number, number>();
  walk(select, (type, body, replace) => {
    if (type !== 'ParamRef') return;
    const n = body.number as number;
    if (!used.has(n)) used.set(n, used.size + 1);
    const k = used.get(n)!;
    const t = paramTypes[n - 1];
    // DuckDB cannot infer the type of a bare parameter here
    const typeName = t ? typeNameNode(t) : null;
    if (typeName) replace({ TypeCast: { arg: { ParamRef: { number: k } }, typeName } });
    else body.number = k;
  });
  const sql = deparseStatement({ SelectStmt: select });
  const pq = await session.engine.prepare(sql);
  try {
    for (const [orig, k] of used) {
      bindParam(pq.ps, k, portal?.params[orig - 1] ?? null, portal?.paramFormats[orig - 1] ?? 0, entry.paramOids[orig - 1] ?? 0, paramTypes[orig - 1] ?? null);
    }
    return await (await pq.execute()).collectRows();
  } finally {
    pq.destroy();
  }
}

/**
 * Values of parameter operands: DuckDB evaluates them with the client's
 * parameters bound (so they mean what they mean in the statement) and hands
 * them back as PostgreSQL text.
 */
async function evaluateOperands(session: Session, entry: PreparedEntry, portal: Portal | null, operands: Operand[]): Promise<OperandValues> {
  const values: OperandValues = new Map();
  if (operands.length === 0) return values;
  const targets: AstNode[] = operands.map((o, i) => ({ ResTarget: { name: `v${i}`, val: structuredClone((o as Extract<Operand, { kind: 'param' }>).node) } }));
  const rows = await selectWithParams(session, { targetList: targets, limitOption: 'LIMIT_OPTION_DEFAULT', op: 'SETOP_NONE' }, entry, portal);
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

interface ScanRun {
  scan: ScanPlan;
  temp: string;
  stmt: RemoteStatement;
  record: RemoteQueryRecord;
}

/** Streams one scan from its source into a temporary table. */
async function runScan(
  session: Session,
  fed: Federation,
  state: SessionFederation,
  scan: ScanPlan,
  values: OperandValues,
  fetch: boolean,
  entry: PreparedEntry,
  portal: Portal | null,
): Promise<ScanRun> {
  const connector = fed.connector(scan.table.source) as Connector;
  const spec = fed.sourceSpec(scan.table.source)!;
  const temp = state.tempName();
  const keys = scan.dynamic ? await collectKeys(session, scan, spec.dynamicFilterMaxKeys, entry, portal) : null;
  const filters = scan.filters.map((f) => f.pred);
  if (keys) filters.push(keys);
  const scanSpec: ScanSpec = { table: scan.table, columns: scan.columns, filters, orderBy: scan.limit ? scan.orderBy : [], limit: limitOf(scan, values) };
  const stmt = new ScanCompiler(scan.dialect, values).scan(scanSpec);
  const record: RemoteQueryRecord = {
    source: scan.table.source,
    table: `${scan.table.schema}.${scan.table.name}`,
    kind: 'scan',
    sql: stmt.sql,
    parameterCount: stmt.parameters.length,
    rows: 0,
    columns: scan.columns.length,
    ms: 0,
    sessionPid: session.identity.processId,
    at: new Date(),
  };
  const loader = await TempTableLoader.create(session.engine, temp, loadColumns(scan), connector.pgText);
  // later scans (dynamic filters) and the statement itself read the temporary table
  scan.leaf.body.relname = temp;
  if (!fetch) {
    loader.finish();
    return { scan, temp, stmt, record };
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
  return { scan, temp, stmt, record };
}

/**
 * Dynamic filtering: the distinct join keys of the other side, its own
 * filters applied, read in DuckDB. Null (no filter) when there are more
 * than the source's dynamic_filter_max_keys, or when the source's row
 * estimate says the table is smaller than the key list.
 */
async function collectKeys(session: Session, scan: ScanPlan, maxKeys: number, entry: PreparedEntry, portal: Portal | null): Promise<Pred | null> {
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
  const rows = await selectWithParams(session, select, entry, portal);
  if (rows.length > maxKeys) return null;
  if (scan.table.rowEstimate !== null && scan.table.rowEstimate > 0 && rows.length >= scan.table.rowEstimate) return null;
  return { op: 'keys', column: d.column, keys: rows.map((r) => r.k as string), family: d.family };
}

/** Points each remote reference at its temporary table and prints the statement. */
function finalSql(plan: ReadPlan, runs: ScanRun[]): string {
  for (const r of runs) r.scan.leaf.body.relname = r.temp;
  return deparseStatement(plan.ast);
}

/**
 * Executes a statement that reads remote tables: every remote table is
 * fetched (projection, filters and limit pushed to its source) into a
 * temporary table of the session, then DuckDB runs the statement over them
 * and the result streams to the client like any other.
 */
export async function executeFederated(session: Session, fed: Federation, entry: PreparedEntry, portal: Portal | null): Promise<StreamingResult> {
  const st = entry.federated!;
  const plan = st.plan;
  for (const p of plan.unavailable) {
    const err = await fed.unavailable(p.source);
    if (err) throw err;
  }
  const state = sessionFederation(session);
  await state.dropTemp();
  const values = await evaluateOperands(session, entry, portal, paramOperands(plan));
  const fetch = !plan.explain || plan.explain.analyze;
  const runs: ScanRun[] = [];
  for (const scan of plan.scans) {
    session.checkInterrupted();
    runs.push(await runScan(session, fed, state, scan, values, fetch, entry, portal));
  }
  state.lastRemote = runs.map((r) => r.record);
  const sql = finalSql(plan, runs);
  if (plan.explain) return explainResult(session, state, entry, portal, sql, runs, fetch);
  const pq = await session.engine.prepare(sql);
  try {
    bindAll(pq, entry, portal);
    return await pq.execute();
  } finally {
    pq.destroy();
  }
}

/** Lines describing one remote scan in EXPLAIN output. */
export function describeRemote(r: RemoteQueryRecord, fetched: boolean): string {
  const lines = [`Remote Scan on ${r.table ?? '(statement)'} (source "${r.source}")`, `  Remote SQL: ${r.sql}`];
  lines.push(fetched ? `  Rows Returned: ${r.rows}  Columns: ${r.columns}  Time: ${r.ms.toFixed(3)} ms` : `  Columns: ${r.columns}  (not executed: use EXPLAIN ANALYZE for rows returned)`);
  return lines.join('\n');
}

/**
 * EXPLAIN of a federated statement: DuckDB's plan of the statement over the
 * temporary tables, then one row per remote scan with the SQL sent and (with
 * ANALYZE) the rows returned. The same information is on `lastRemote` of the
 * session and in the federation's query history, as data.
 */
async function explainResult(
  session: Session,
  state: SessionFederation,
  entry: PreparedEntry,
  portal: Portal | null,
  sql: string,
  runs: ScanRun[],
  fetched: boolean,
): Promise<StreamingResult> {
  const pq = await session.engine.prepare(sql);
  let rows: Record<string, string | null>[];
  try {
    bindAll(pq, entry, portal);
    rows = await (await pq.execute()).collectRows();
  } finally {
    pq.destroy();
  }
  const columns = entry.query!.columns ?? [];
  const keyCol = columns[0]?.name ?? 'explain_key';
  const valueCol = columns[1]?.name ?? 'explain_value';
  for (const r of runs) rows.push({ [keyCol]: 'remote_scan', [valueCol]: describeRemote(r.record, fetched) });
  const temp = state.tempName('lakegate_explain');
  const loader = await TempTableLoader.create(
    session.engine,
    temp,
    [
      { name: 'ord', type: Duck.integer() },
      ...columns.map((c) => ({ name: c.name, type: Duck.varchar() })),
    ],
    false,
  );
  loader.append(rows.map((r, i) => [i, ...columns.map((c) => r[c.name] ?? null)]));
  loader.finish();
  const list = columns.map((c) => `"${c.name.replace(/"/g, '""')}"`).join(', ');
  return session.engine.query(`SELECT ${list} FROM temp.main."${temp}" ORDER BY ord`);
}

/** True when the statement's first node is a read (not a write to a remote table). */
export function isRead(stmt: AstNode): boolean {
  const t = nodeType(stmt);
  return t === 'SelectStmt' || t === 'ExplainStmt' || t === 'InsertStmt' || t === 'UpdateStmt' || t === 'DeleteStmt';
}

void duckdb;
