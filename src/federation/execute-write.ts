import duckdb from '@duckdb/node-bindings';
import { sql, type Expression, type RawBuilder, type SqlBool } from 'kysely';
import type { StreamingResult } from '../engine/result.js';
import { PgError, SqlState } from '../errors.js';
import type { Session } from '../session/session.js';
import type { AstNode } from '../sql/ast.js';
import { typeFamily } from './column-type.js';
import type { Connector, RemoteStatement, SourceTransaction } from './connectors/connector.js';
import { compilerFor, type Dialect } from './dialect.js';
import { evaluateOperands, paramOperands, prepareBound, runRead, selectRows, sourceOf, type ClientParams } from './execute.js';
import type { Federation, RemoteQueryRecord } from './federation.js';
import { parseByteaHex, parseTimestamp } from './load/parse.js';
import { TempTableLoader } from './load/temp-table.js';
import { ScanCompiler } from './plan/compile.js';
import type { Pred, ValueFamily } from './plan/predicate.js';
import { castTo, type EvalPlan, type RemoteSet, type WritePlan } from './plan/write.js';
import { forEachTextRows } from './rows.js';
import { sessionFederation } from './session-state.js';
import type { FederatedColumn, FederatedTable } from './table.js';

const T = duckdb.Type;

/** Largest number of bound values in one statement (SQLite's default limit is 32766). */
const MAX_PARAMS = 30_000;
const MAX_ROWS_PER_INSERT = 1000;

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

/**
 * A value (PostgreSQL text, as DuckDB computed it) in the form the source's
 * driver binds for this column: PostgreSQL reads the text as is, MySQL and
 * SQLite get numbers, byte buffers, 1/0 and zone-less UTC timestamps.
 */
export function remoteValue(dialect: Dialect, c: FederatedColumn, text: string | null): unknown {
  if (text === null) return null;
  const d = c.type;
  if (d.id === T.BLOB) return parseByteaHex(text);
  if (dialect === 'postgres') return text;
  switch (d.id) {
    case T.BOOLEAN:
      return text === 't' ? 1 : 0;
    case T.TIMESTAMP_TZ: {
      const micros = parseTimestamp(text, true);
      if (typeof micros === 'bigint') throw new PgError(SqlState.DatetimeFieldOverflow, `timestamp out of range for source: "${text}"`);
      const dt = new Date(Math.floor(micros / 1000));
      const frac = micros - Math.floor(micros / 1_000_000) * 1_000_000;
      return `${pad(dt.getUTCFullYear(), 4)}-${pad(dt.getUTCMonth() + 1)}-${pad(dt.getUTCDate())} ${pad(dt.getUTCHours())}:${pad(dt.getUTCMinutes())}:${pad(dt.getUTCSeconds())}.${pad(frac, 6)}`;
    }
    default:
      break;
  }
  if (dialect === 'sqlite') {
    const f = typeFamily(d);
    if (f === 'int') return Number.isSafeInteger(Number(text)) ? Number(text) : BigInt(text);
    if (f === 'float' || f === 'decimal') return Number(text);
  }
  return text;
}

function tableId(t: FederatedTable): RawBuilder<unknown> {
  return sql`${sql.id(t.remoteSchema, t.remoteTable)}`;
}

function compile(dialect: Dialect, q: RawBuilder<unknown>): RemoteStatement {
  const c = q.compile(compilerFor(dialect));
  return { sql: c.sql, parameters: c.parameters };
}

function returningClause(columns: FederatedColumn[] | null): RawBuilder<unknown> {
  if (!columns) return sql``;
  return sql` RETURNING ${sql.join(columns.map((c) => sql.id(c.remoteName)))}`;
}

/** Where a write runs: the client transaction's connection to the source, or a transaction of its own. */
interface WriteContext {
  session: Session;
  fed: Federation;
  plan: WritePlan;
  connector: Connector;
  tx: SourceTransaction;
  timeoutMs: number;
  /** Rows of RETURNING (remote column values, in `plan.returning.columns` order). */
  returned: unknown[][];
  records: RemoteQueryRecord[];
}

async function send(ctx: WriteContext, stmt: RemoteStatement, wantRows: boolean): Promise<number> {
  const { fed, plan, session } = ctx;
  const record: RemoteQueryRecord = {
    source: plan.table.source,
    table: `${plan.table.schema}.${plan.table.name}`,
    kind: 'write',
    sql: stmt.sql,
    parameterCount: stmt.parameters.length,
    rows: 0,
    columns: 0,
    ms: 0,
    sessionPid: session.identity.processId,
    at: new Date(),
  };
  const t0 = performance.now();
  try {
    const r = await ctx.connector.write(
      stmt,
      wantRows
        ? (rows) => {
            for (const row of rows) ctx.returned.push(row);
          }
        : null,
      { signal: session.signal, timeoutMs: ctx.timeoutMs, batchRows: 10_000, transaction: ctx.tx },
    );
    record.rows = r.affected;
    return r.affected;
  } catch (e) {
    record.error = e instanceof Error ? e.message : String(e);
    throw e;
  } finally {
    record.ms = performance.now() - t0;
    fed.record(record);
    ctx.records.push(record);
  }
}

/** Rows of a statement evaluated in DuckDB (reading remote tables when it must), chunk by chunk as text. */
async function evalRows(session: Session, fed: Federation, ev: EvalPlan, params: ClientParams, onRows: (rows: (string | null)[][]) => Promise<void>): Promise<void> {
  const result: StreamingResult = ev.read ? await runRead(session, fed, ev.read, params) : await runLocal(session, ev.ast, params);
  await forEachTextRows(result, onRows);
}

async function runLocal(session: Session, ast: AstNode, params: ClientParams): Promise<StreamingResult> {
  const pq = await prepareBound(session, ast, params);
  try {
    return await pq.execute();
  } finally {
    pq.destroy();
  }
}

async function runInsert(ctx: WriteContext, params: ClientParams): Promise<number> {
  const { plan, session, fed } = ctx;
  const returning = plan.returning?.columns ?? null;
  let affected = 0;
  for (const group of plan.insert!.groups) {
    const cols = group.columns;
    if (cols.length === 0) {
      // every column defaulted: one statement per row
      await evalRows(session, fed, group.eval, params, async (rows) => {
        for (let i = 0; i < rows.length; i++) {
          const values = plan.dialect === 'mysql' ? sql` () VALUES ()` : sql` DEFAULT VALUES`;
          affected += await send(ctx, compile(plan.dialect, sql`INSERT INTO ${tableId(plan.table)}${values}${returningClause(returning)}`), returning !== null);
        }
      });
      continue;
    }
    const perStatement = Math.max(1, Math.min(MAX_ROWS_PER_INSERT, Math.floor(MAX_PARAMS / cols.length)));
    await evalRows(session, fed, group.eval, params, async (rows) => {
      for (let start = 0; start < rows.length; start += perStatement) {
        const batch = rows.slice(start, start + perStatement);
        const tuples = batch.map((r) => sql`(${sql.join(r.map((v, i) => sql`${remoteValue(plan.dialect, cols[i]!, v)}`))})`);
        const q = sql`INSERT INTO ${tableId(plan.table)} (${sql.join(cols.map((c) => sql.id(c.remoteName)))}) VALUES ${sql.join(tuples)}${returningClause(returning)}`;
        affected += await send(ctx, compile(plan.dialect, q), returning !== null);
      }
    });
  }
  return affected;
}

/** SET values computed once in DuckDB (constants and parameters), as text. */
async function setValues(ctx: WriteContext, sets: RemoteSet[], params: ClientParams): Promise<Map<RemoteSet, string | null>> {
  const out = new Map<RemoteSet, string | null>();
  const withExpr = sets.filter((s) => s.kind !== 'default') as Exclude<RemoteSet, { kind: 'default' }>[];
  if (withExpr.length === 0) return out;
  const targets = withExpr.map((s, i) => ({ ResTarget: { name: `v${i}`, val: s.kind === 'value' ? castTo(structuredClone(s.expr), s.column) : structuredClone(s.expr) } }));
  const rows = await selectRows(ctx.session, { targetList: targets, limitOption: 'LIMIT_OPTION_DEFAULT', op: 'SETOP_NONE' }, params);
  withExpr.forEach((s, i) => out.set(s, rows[0]?.[`v${i}`] ?? null));
  return out;
}

function exactPreds(compiler: ScanCompiler, preds: Pred[]): Expression<SqlBool>[] {
  return preds.map((p) => {
    const e = compiler.pred(p);
    // a write filter must mean exactly what the client wrote: no dropping
    if (!e) throw new PgError(SqlState.FeatureNotSupported, 'a filter value of this statement cannot be sent to the source exactly');
    return e;
  });
}

const NUMERIC_CAST: Record<Dialect, (v: unknown) => RawBuilder<unknown>> = {
  postgres: (v) => sql`CAST(${v} AS numeric)`,
  mysql: (v) => sql`${v}`,
  sqlite: (v) => sql`${Number(v)}`,
};

async function runDirect(ctx: WriteContext, params: ClientParams): Promise<number> {
  const { plan } = ctx;
  const direct = plan.direct!;
  const values = await evaluateOperands(ctx.session, params, paramOperands(direct.where));
  const compiler = new ScanCompiler(plan.dialect, values, true);
  const where = exactPreds(compiler, direct.where);
  const whereSql = where.length > 0 ? sql` WHERE ${sql.join(where, sql` AND `)}` : sql``;
  const returning = plan.returning?.columns ?? null;
  if (plan.statement === 'delete') {
    return send(ctx, compile(plan.dialect, sql`DELETE FROM ${tableId(plan.table)}${whereSql}${returningClause(returning)}`), returning !== null);
  }
  const computed = await setValues(ctx, direct.sets, params);
  const assignments = direct.sets.map((s) => {
    const col = sql.id(s.column.remoteName);
    if (s.kind === 'default') return sql`${col} = DEFAULT`;
    const text = computed.get(s) ?? null;
    if (s.kind === 'value') return sql`${col} = ${remoteValue(plan.dialect, s.column, text)}`;
    if (text === null || !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) {
      throw new PgError(SqlState.FeatureNotSupported, 'this SET expression cannot be computed on the source exactly');
    }
    const v = NUMERIC_CAST[plan.dialect](text);
    const src = sql.id(s.source.remoteName);
    return s.constantFirst ? sql`${col} = ${v} ${sql.raw(s.op)} ${src}` : sql`${col} = ${src} ${sql.raw(s.op)} ${v}`;
  });
  return send(ctx, compile(plan.dialect, sql`UPDATE ${tableId(plan.table)} SET ${sql.join(assignments)}${whereSql}${returningClause(returning)}`), returning !== null);
}

/** `key IN (...)` (or OR of ANDs for a composite key), compared exactly. */
function keyFilter(compiler: ScanCompiler, key: FederatedColumn[], rows: (string | null)[][]): Expression<SqlBool> {
  const family = (c: FederatedColumn): ValueFamily => {
    const f = typeFamily(c.type);
    return (f === 'other' || f === 'blob' ? 'string' : f) as ValueFamily;
  };
  if (key.length === 1) {
    const k = key[0]!;
    return compiler.pred({ op: 'in', column: k, values: rows.map((r) => ({ kind: 'const', family: family(k), text: r[0]! })) })!;
  }
  const terms = rows.map((r) => compiler.pred({ op: 'and', args: key.map((k, i) => ({ op: 'cmp', column: k, cmp: '=', value: { kind: 'const', family: family(k), text: r[i]! } })) })!);
  return sql<SqlBool>`(${sql.join(terms, sql` OR `)})`;
}

async function runKeyed(ctx: WriteContext, params: ClientParams): Promise<number> {
  const { plan, session, fed } = ctx;
  const keyed = plan.keyed!;
  const compiler = new ScanCompiler(plan.dialect, new Map(), true);
  const returning = plan.returning?.columns ?? null;
  const nk = keyed.key.length;
  let affected = 0;
  const selectReturning = async (rows: (string | null)[][]): Promise<void> => {
    if (!returning) return;
    const q = sql`SELECT ${sql.join(returning.map((c) => sql.id(c.remoteName)))} FROM ${tableId(plan.table)} WHERE ${keyFilter(compiler, keyed.key, rows)}`;
    await send(ctx, compile(plan.dialect, q), true);
  };
  await evalRows(session, fed, keyed.eval, params, async (rows) => {
    const batches: (string | null)[][][] = [];
    const perStatement = Math.max(1, Math.floor(MAX_PARAMS / (nk + keyed.sets.length)));
    for (let i = 0; i < rows.length; i += Math.min(perStatement, MAX_ROWS_PER_INSERT)) batches.push(rows.slice(i, i + Math.min(perStatement, MAX_ROWS_PER_INSERT)));
    for (const batch of batches) {
      if (plan.statement === 'delete') {
        if (returning) await selectReturning(batch);
        affected += await send(ctx, compile(plan.dialect, sql`DELETE FROM ${tableId(plan.table)} WHERE ${keyFilter(compiler, keyed.key, batch)}`), false);
        continue;
      }
      // rows with the same new values share one UPDATE
      const byValues = new Map<string, (string | null)[][]>();
      for (const r of batch) {
        const k = JSON.stringify(r.slice(nk));
        byValues.set(k, [...(byValues.get(k) ?? []), r]);
      }
      for (const group of byValues.values()) {
        const newValues = group[0]!.slice(nk);
        const assignments = keyed.sets.map((c, i) => sql`${sql.id(c.remoteName)} = ${remoteValue(plan.dialect, c, newValues[i] ?? null)}`);
        affected += await send(ctx, compile(plan.dialect, sql`UPDATE ${tableId(plan.table)} SET ${sql.join(assignments)} WHERE ${keyFilter(compiler, keyed.key, group)}`), false);
      }
      if (returning) await selectReturning(batch);
    }
  });
  return affected;
}

/** 25006/0A000 checks before anything is written. */
function checkWritable(session: Session, fed: Federation, plan: WritePlan): void {
  const verb = plan.statement.toUpperCase();
  const spec = fed.sourceSpec(plan.table.source)!;
  if (spec.readOnly) {
    throw new PgError(SqlState.ReadOnlySqlTransaction, `cannot execute ${verb} in a read-only transaction`, {
      detail: `Source "${spec.name}" (table ${plan.table.schema}.${plan.table.name}) is read-only; set read_only: false in the catalog to allow writes.`,
    });
  }
  if (session.settings.get('transaction_read_only') === 'on') throw new PgError(SqlState.ReadOnlySqlTransaction, `cannot execute ${verb} in a read-only transaction`);
  const state = sessionFederation(session);
  if (session.txStatus === 'T' && state.writtenSource && state.writtenSource !== plan.table.source) {
    throw new PgError(SqlState.FeatureNotSupported, `a transaction cannot write to more than one source (it already wrote to "${state.writtenSource}", this writes to "${plan.table.source}")`, {
      hint: 'Write to one source per transaction; nothing of this transaction will be committed.',
    });
  }
}

/**
 * Executes INSERT/UPDATE/DELETE on a remote table. Inside a client
 * transaction the source's transaction is opened at the first write and ends
 * with the client's COMMIT or ROLLBACK; outside one, the statement runs in a
 * transaction of its own on the source. RETURNING rows come back from the
 * source and DuckDB evaluates the RETURNING list over them.
 */
export async function executeWrite(session: Session, fed: Federation, plan: WritePlan, params: ClientParams): Promise<StreamingResult> {
  const err = await fed.unavailable(plan.table.source);
  if (err) throw err;
  checkWritable(session, fed, plan);
  const { connector, spec } = sourceOf(fed, plan.table.source);
  const state = sessionFederation(session);
  let tx: SourceTransaction;
  let own = false;
  if (session.txStatus === 'T') {
    let open = state.transactions.get(plan.table.source);
    if (!open) {
      open = { tx: await connector.begin(), connector };
      state.transactions.set(plan.table.source, open);
    }
    state.writtenSource = plan.table.source;
    tx = open.tx;
  } else {
    tx = await connector.begin();
    own = true;
  }
  // created before any result streams: DuckDB must not run statements while one does
  const returningTemp = plan.returning ? await TempTableLoader.create(session.engine, state.tempName('lakegate_returning'), plan.returning.columns.map((c) => ({ name: c.name, type: c.type })), connector.pgText) : null;
  const ctx: WriteContext = { session, fed, plan, connector, tx, timeoutMs: spec.queryTimeoutMs, returned: [], records: [] };
  let affected: number;
  try {
    affected = plan.insert ? await runInsert(ctx, params) : plan.direct ? await runDirect(ctx, params) : await runKeyed(ctx, params);
    if (own) await connector.commit(tx);
  } catch (e) {
    returningTemp?.abandon();
    if (own) await connector.rollback(tx).catch(() => undefined);
    throw e;
  }
  state.lastRemote = ctx.records;
  if (!returningTemp) return session.engine.query(`SELECT CAST(${Number(affected)} AS BIGINT) AS "Count"`);
  returningTemp.append(ctx.returned);
  returningTemp.finish();
  const select: AstNode = {
    SelectStmt: {
      targetList: structuredClone(plan.returning!.targets),
      fromClause: [{ RangeVar: { catalogname: 'temp', schemaname: 'main', relname: returningTemp.table, inh: true, relpersistence: 'p', alias: { aliasname: plan.alias } } }],
      limitOption: 'LIMIT_OPTION_DEFAULT',
      op: 'SETOP_NONE',
    },
  };
  return runLocal(session, select, params);
}
