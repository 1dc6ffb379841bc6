import crypto from 'node:crypto';
import type { AuthMethod, UserAuth } from '../config/users.js';
import { PgError, SqlState } from '../errors.js';
import {
  authenticationCleartextPassword,
  authenticationMd5Password,
  authenticationSasl,
  authenticationSaslContinue,
  authenticationSaslFinal,
} from '../protocol/backend/auth.js';
import { FrontendCode, decodePassword, decodeSaslInitial } from '../protocol/frontend/messages.js';
import type { Frame } from '../protocol/frontend/framer.js';
import { ProtocolViolation } from '../protocol/errors.js';
import { verifyMd5Response } from './auth/md5.js';
import { mockVerifier, ScramError, ScramServer, verifyPasswordAgainstScram } from './auth/scram.js';
import type { ClientConnection } from './client-connection.js';

/** Reads the next frame from the connection (used during authentication). */
export type NextFrame = () => Promise<Frame>;

const serverSecret = crypto.randomBytes(32);

function authFailed(user: string): PgError {
  return new PgError(SqlState.InvalidPassword, `password authentication failed for user "${user}"`, { severity: 'FATAL' });
}

function expectPassword(frame: Frame): Buffer {
  if (frame.type !== FrontendCode.Password) {
    throw new ProtocolViolation(`expected password response, got message type ${frame.type}`);
  }
  return frame.body;
}

/**
 * Runs the authentication exchange for `user` with the method configured for
 * it. Unknown users go through the same exchange as known ones (SCRAM with a
 * mock verifier) so that the failure cannot tell them apart.
 */
export async function authenticate(
  conn: ClientConnection,
  next: NextFrame,
  userName: string,
  user: UserAuth | undefined,
  defaultMethod: AuthMethod = 'scram-sha-256',
): Promise<void> {
  const method: AuthMethod = user?.method ?? defaultMethod;
  switch (method) {
    case 'trust':
      if (!user) throw authFailed(userName);
      return;
    case 'password': {
      authenticationCleartextPassword(conn.writer);
      conn.flush();
      const password = decodePassword(expectPassword(await next()));
      let ok = false;
      if (user?.plaintext !== undefined) ok = crypto.timingSafeEqual(hash(password), hash(user.plaintext));
      else if (user?.scram) ok = await verifyPasswordAgainstScram(password, user.scram);
      else if (user?.md5) ok = user.md5 === `md5${crypto.createHash('md5').update(password + userName).digest('hex')}`;
      if (!ok) throw authFailed(userName);
      return;
    }
    case 'md5': {
      const salt = crypto.randomBytes(4);
      authenticationMd5Password(conn.writer, salt);
      conn.flush();
      const response = decodePassword(expectPassword(await next()));
      if (!user?.md5 || !verifyMd5Response(user.md5, salt, response)) throw authFailed(userName);
      return;
    }
    default: {
      authenticationSasl(conn.writer, ['SCRAM-SHA-256']);
      conn.flush();
      const initial = decodeSaslInitial(expectPassword(await next()));
      if (initial.mechanism !== 'SCRAM-SHA-256') {
        throw new PgError(SqlState.ProtocolViolation, 'client selected an invalid SASL authentication mechanism', { severity: 'FATAL' });
      }
      const verifier = user?.scram ?? mockVerifier(userName, serverSecret);
      const scram = new ScramServer(verifier, !user?.scram);
      try {
        authenticationSaslContinue(conn.writer, scram.start(initial.data.toString('utf8')));
        conn.flush();
        const final = expectPassword(await next()).toString('utf8');
        const serverFinal = scram.finish(final);
        if (serverFinal === null) throw authFailed(userName);
        authenticationSaslFinal(conn.writer, serverFinal);
      } catch (e) {
        if (e instanceof ScramError) throw new PgError(SqlState.ProtocolViolation, e.message, { severity: 'FATAL' });
        throw e;
      }
    }
  }
}

function hash(s: string): Buffer {
  return crypto.createHash('sha256').update(s).digest();
}
