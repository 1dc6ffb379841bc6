import { isMd5Stored, md5Stored } from '../server/auth/md5.js';
import { parseScramVerifier, scramVerifierFromPassword, type ScramVerifier } from '../server/auth/scram.js';
import type { GrantSpec } from '../security/model.js';
import crypto from 'node:crypto';

export type AuthMethod = 'scram-sha-256' | 'md5' | 'password' | 'trust';

/** A user as the authenticator sees it: the method and what the password is checked against. */
export interface UserAuth {
  name: string;
  method: AuthMethod;
  scram?: ScramVerifier;
  md5?: string;
  plaintext?: string;
}

export interface UserSpec {
  name: string;
  method?: AuthMethod;
  /** A SCRAM verifier, an md5 hash, or (only with allowPlaintext) the password itself. */
  password?: string;
  allowPlaintext?: boolean;
  /** Roles whose grants this user holds. */
  roles?: string[];
  grants?: GrantSpec[];
  /** Concurrent connections allowed for this user (undefined = no per-user limit). */
  connectionLimit?: number;
  /** Default statement_timeout for this user's sessions, in ms. */
  statementTimeoutMs?: number;
  /** Upper bound for the statement_timeout this user may SET, in ms (0 = the server's). */
  maxStatementTimeoutMs?: number;
  /** May run EXPLAIN ANALYZE (its output names lake files). */
  admin?: boolean;
}

export class UserConfigError extends Error {}

/** Turns a configured user into what authentication needs, refusing plaintext unless allowed. */
export function buildUserAuth(spec: UserSpec): UserAuth {
  const method = spec.method ?? 'scram-sha-256';
  const auth: UserAuth = { name: spec.name, method };
  if (method === 'trust') return auth;
  const pw = spec.password;
  if (!pw) throw new UserConfigError(`user "${spec.name}" needs a password for method ${method}`);
  const scram = parseScramVerifier(pw);
  if (scram) {
    if (method === 'md5') throw new UserConfigError(`user "${spec.name}": method md5 needs an md5 password hash, not a SCRAM verifier`);
    auth.scram = scram;
    return auth;
  }
  if (isMd5Stored(pw)) {
    if (method === 'scram-sha-256') throw new UserConfigError(`user "${spec.name}": method scram-sha-256 needs a SCRAM verifier (run lakegate hash-password)`);
    auth.md5 = pw;
    return auth;
  }
  if (!spec.allowPlaintext) {
    throw new UserConfigError(
      `user "${spec.name}": plaintext passwords are refused; store a SCRAM verifier from \`lakegate hash-password\`, or mark the user \`plaintext_password: true\` for development`,
    );
  }
  auth.plaintext = pw;
  if (method === 'scram-sha-256') auth.scram = scramVerifierFromPassword(pw, crypto.randomBytes(16), 4096);
  if (method === 'md5') auth.md5 = md5Stored(spec.name, pw);
  return auth;
}
