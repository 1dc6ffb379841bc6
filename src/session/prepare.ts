import duckdb from '@duckdb/node-bindings';
import type { PreparedQuery } from '../engine/connection.js';
import { PgError, SqlState } from '../errors.js';
import { scan, type Token } from '../sql/scanner.js';
import type { Statement } from '../sql/statement.js';
import type { Authorized } from '../security/session-security.js';
import { pgTypeByOid, PgTypes } from '../types/pg-types.js';
import { pgTypeFor } from '../types/type-map.js';
import { TYPE_OID_BY_NAME } from '../pgcatalog/catalog-data.js';
import type { FederatedStatement } from '../federation/execute.js';
import { beforePrepare, planPrepared } from '../federation/session-hooks.js';
import type { PreparedEntry } from './portal-types.js';
import { syncSearchPath } from './search-path.js';
import type { Session } from './session.js';

/** DuckDB type names for the PostgreSQL types a client may name in Parse. */
const DUCK_NAME_BY_PG: Record<string, string> = {
  bool: 'BOOLEAN',
  int2: 'SMALLINT',
  int4: 'INTEGER',
  int8: 'BIGINT',
  float4: 'FLOAT',
  float8: 'DOUBLE',
  numeric: 'DECIMAL(38,10)',
  text: 'VARCHAR',
  varchar: 'VARCHAR',
  bpchar: 'VARCHAR',
  name: 'VARCHAR',
  bytea: 'BLOB',
  date: 'DATE',
  time: 'TIME',
  timestamp: 'TIMESTAMP',
  timestamptz: 'TIMESTAMPTZ',
  interval: 'INTERVAL',
  uuid: 'UUID',
  json: 'JSON',
  jsonb: 'JSON',
  oid: 'UINTEGER',
};

function duckTypeForOid(oid: number): string {
  const t = pgTypeByOid(oid);
  if (!t) return 'VARCHAR';
  if (t.elemOid) return `${duckTypeForOid(t.elemOid)}[]`;
  return DUCK_NAME_BY_PG[t.name] ?? 'VARCHAR';
}

/**
 * Gives untyped parameters a type, as PostgreSQL does (the type the client
 * named, else text): `$n` becomes `CAST($n AS <type>)` at the token's place.
 */
function castParams(sql: string, tokens: readonly Token[], untyped: Set<number>, clientOids: readonly number[]): string {
  let out = '';
  let last = 0;
  for (const t of tokens) {
    if (t.kind !== 'param') continue;
    const n = Number(t.text.slice(1));
    if (!untyped.has(n)) continue;
    out += `${sql.slice(last, t.start)}CAST(${t.text} AS ${duckTypeForOid(clientOids[n - 1] ?? 0)})`;
    last = t.end;
  }
  return out + sql.slice(last);
}

async function prepareQuery(
  session: Session,
  authorized: Authorized,
  clientOids: readonly number[],
): Promise<{ query: PreparedQuery; sessionState: boolean; paramTypes: (string | null)[] | undefined; federated: FederatedStatement | null }> {
  const { text, tokens } = authorized;
  const { sql, columnTypes, sessionState, paramTypes } = session.pipeline.rewrite(text, tokens);
  // views over the per-session tables bind against them: create them before DuckDB prepares
  if (sessionState) await session.pgState.sync(session.txStatus !== 'I');
  await syncSearchPath(session);
  const remote = await beforePrepare(session, sql, tokens);
  // what the prepared statement depends on besides its text: parameter types, name resolution, catalog
  const cacheKey = remote ? null : `${session.pipeline.generation}\u0000${session.appliedSearchPath ?? ''}\u0000${clientOids.join(',')}\u0000${sql}`;
  let q = cacheKey === null ? null : session.preparedCache.take(cacheKey);
  if (!q) {
    q = await session.engine.prepare(sql);
    const untyped = new Set<number>();
    q.paramTypes.forEach((t, i) => {
      if (t === null) untyped.add(i + 1);
    });
    if (untyped.size > 0) {
      const recast = castParams(sql, sql === text ? tokens : scan(sql), untyped, clientOids);
      const again = await session.engine.prepare(recast);
      q.dispose();
      q = again;
    }
    if (columnTypes) q.annotate(columnTypes);
    if (cacheKey !== null) {
      const cache = session.preparedCache;
      q.recycle = (done) => cache.give(cacheKey, done);
    }
  }
  if (!remote) return { query: q, sessionState: sessionState === true, paramTypes, federated: null };
  try {
    return { query: q, sessionState: sessionState === true, paramTypes, federated: await planPrepared(session, q) };
  } catch (e) {
    q.dispose();
    throw e;
  }
}

/** Parse: checks the statement and prepares it in DuckDB where it runs there. */
export async function prepareEntry(session: Session, name: string, text: string, statement: Statement, clientOids: readonly number[]): Promise<PreparedEntry> {
  if (statement.kind !== 'query') {
    return { name, text, statement, paramOids: [...clientOids], query: null };
  }
  const authorized = await session.security.authorize(statement.text, statement.tokens);
  const { query, sessionState, paramTypes, federated } = await prepareQuery(session, authorized, clientOids);
  const paramOids = query.paramTypes.map((t, i) => {
    const given = clientOids[i] ?? 0;
    if (given !== 0) return given;
    const pgName = paramTypes?.[i];
    if (pgName && TYPE_OID_BY_NAME.has(pgName)) return TYPE_OID_BY_NAME.get(pgName)!;
    return t ? pgTypeFor(t).oid : PgTypes.text.oid;
  });
  // PostgreSQL accepts typed parameters that the statement does not use
  for (let i = paramOids.length; i < clientOids.length; i++) {
    if (clientOids[i] === 0) {
      query.destroy();
      throw new PgError(SqlState.IndeterminateDatatype, `could not determine data type of parameter $${i + 1}`);
    }
    paramOids.push(clientOids[i]!);
  }
  return { name, text, statement, paramOids, query, sessionState, federated, authorized };
}

export function isStatementType(q: PreparedQuery, ...types: duckdb.StatementType[]): boolean {
  return types.includes(q.statementType);
}
