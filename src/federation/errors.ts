import { PgError, SqlState } from '../errors.js';

/** Network-level failures: the source cannot be reached or the connection broke. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_CON_COUNT_ERROR',
  'SQLITE_CANTOPEN',
  'SQLITE_NOTADB',
]);

const AUTH_CODES = new Set(['ER_ACCESS_DENIED_ERROR', 'ER_DBACCESS_DENIED_ERROR', 'ER_BAD_DB_ERROR', '28P01', '28000', '3D000']);

function field(e: unknown, key: string): unknown {
  return e && typeof e === 'object' ? (e as Record<string, unknown>)[key] : undefined;
}

/** True when the error means the source itself is unreachable or the connection broke. */
export function isConnectionError(e: unknown): boolean {
  if (e instanceof PgError) return e.code.startsWith('08');
  const code = field(e, 'code');
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || code.startsWith('08') || code === '57P01' || code === '57P03')) return true;
  const msg = e instanceof Error ? e.message : '';
  return /Connection terminated|connection timeout|timeout expired|Connection lost|socket hang up|server closed the connection/i.test(msg);
}

/** An error raised while connecting: class 08, naming the source. */
export function connectError(source: string, e: unknown): PgError {
  if (e instanceof PgError && e.code.startsWith('08')) return e;
  const msg = e instanceof Error ? e.message : String(e);
  return new PgError(SqlState.SqlclientUnableToEstablishSqlconnection, `could not connect to source "${source}": ${msg}`);
}

/**
 * Converts a driver error into what the client sees: connection problems are
 * class 08, and a SQLSTATE the source reported (PostgreSQL's code, MySQL's
 * sqlState) is kept so clients can react to unique violations and the like.
 */
export function sourceError(source: string, e: unknown, connected = true): PgError {
  if (e instanceof PgError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  const code = field(e, 'code');
  if (typeof code === 'string' && AUTH_CODES.has(code)) return connectError(source, e);
  if (isConnectionError(e)) {
    return connected
      ? new PgError(SqlState.ConnectionFailure, `lost the connection to source "${source}": ${msg}`)
      : connectError(source, e);
  }
  const sqlState = typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : field(e, 'sqlState');
  if (typeof sqlState === 'string' && /^[0-9A-Z]{5}$/.test(sqlState) && sqlState !== 'HY000') {
    return new PgError(mysqlStateToPg(sqlState, code), `source "${source}": ${msg}`, { detail: detailOf(e) });
  }
  if (typeof code === 'string' && code.startsWith('SQLITE_')) return new PgError(sqliteCodeToPg(code), `source "${source}": ${msg}`);
  return new PgError(SqlState.InternalError, `source "${source}": ${msg}`);
}

function detailOf(e: unknown): string | undefined {
  const d = field(e, 'detail');
  return typeof d === 'string' ? d : undefined;
}

/** MySQL reports 23000 for every integrity error; PostgreSQL clients expect the precise class-23 code. */
function mysqlStateToPg(state: string, code: unknown): string {
  if (state !== '23000') return state;
  switch (code) {
    case 'ER_DUP_ENTRY':
    case 'ER_DUP_KEY':
      return SqlState.UniqueViolation;
    case 'ER_BAD_NULL_ERROR':
      return SqlState.NotNullViolation;
    case 'ER_NO_REFERENCED_ROW':
    case 'ER_NO_REFERENCED_ROW_2':
    case 'ER_ROW_IS_REFERENCED':
    case 'ER_ROW_IS_REFERENCED_2':
      return SqlState.ForeignKeyViolation;
    default:
      return SqlState.IntegrityConstraintViolation;
  }
}

function sqliteCodeToPg(code: string): string {
  if (code.startsWith('SQLITE_CONSTRAINT_UNIQUE') || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') return SqlState.UniqueViolation;
  if (code === 'SQLITE_CONSTRAINT_NOTNULL') return SqlState.NotNullViolation;
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') return SqlState.ForeignKeyViolation;
  if (code === 'SQLITE_CONSTRAINT_CHECK') return SqlState.CheckViolation;
  if (code.startsWith('SQLITE_CONSTRAINT')) return SqlState.IntegrityConstraintViolation;
  if (code === 'SQLITE_READONLY') return SqlState.ReadOnlySqlTransaction;
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') return '55P03';
  if (code === 'SQLITE_INTERRUPT') return SqlState.QueryCanceled;
  return SqlState.InternalError;
}

/** The error for a remote query stopped by the source's own query_timeout_ms. */
export function sourceTimeout(source: string, ms: number): PgError {
  return new PgError(SqlState.QueryCanceled, `canceling statement due to statement timeout on source "${source}"`, {
    detail: `The source's query_timeout_ms is ${ms}.`,
  });
}

/** Class-08 error for a table whose source is down. */
export function sourceUnavailable(source: string, reason: string | null): PgError {
  return new PgError(SqlState.SqlclientUnableToEstablishSqlconnection, `source "${source}" is unavailable${reason ? `: ${reason}` : ''}`, {
    hint: 'lakegate keeps retrying in the background; the tables of this source answer again once it is reachable.',
  });
}
