import { PgError, SqlState } from '../errors.js';

/** 42501: what the gateway refuses for security reasons. */
export function denied(message: string, hint?: string): PgError {
  return new PgError(SqlState.InsufficientPrivilege, message, { hint });
}

export function undefinedTable(name: string): PgError {
  return new PgError(SqlState.UndefinedTable, `relation "${name}" does not exist`);
}

/** The statement needs the session's temporary tables to be resolved (thrown once, then retried with them). */
export class NeedTempTables extends Error {
  constructor() {
    super('temporary tables needed');
  }
}
