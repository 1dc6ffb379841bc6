import crypto from 'node:crypto';

/** A parsed SCRAM-SHA-256 verifier, as PostgreSQL stores it in pg_authid. */
export interface ScramVerifier {
  iterations: number;
  salt: Buffer;
  storedKey: Buffer;
  serverKey: Buffer;
}

const VERIFIER = /^SCRAM-SHA-256\$(\d+):([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]+)$/;

export function parseScramVerifier(text: string): ScramVerifier | null {
  const m = VERIFIER.exec(text.trim());
  if (!m) return null;
  const v = {
    iterations: Number(m[1]),
    salt: Buffer.from(m[2]!, 'base64'),
    storedKey: Buffer.from(m[3]!, 'base64'),
    serverKey: Buffer.from(m[4]!, 'base64'),
  };
  if (v.iterations < 1 || v.storedKey.length !== 32 || v.serverKey.length !== 32) return null;
  return v;
}

const hmac = (key: Buffer, data: string | Buffer): Buffer => crypto.createHmac('sha256', key).update(data).digest();
const sha256 = (data: Buffer): Buffer => crypto.createHash('sha256').update(data).digest();

/** Derives a verifier from a password (SASLprep is skipped for ASCII, as PostgreSQL does for invalid input). */
export function scramVerifierFromPassword(password: string, salt: Buffer, iterations: number): ScramVerifier {
  const salted = crypto.pbkdf2Sync(password.normalize('NFKC'), salt, iterations, 32, 'sha256');
  return {
    iterations,
    salt,
    storedKey: sha256(hmac(salted, 'Client Key')),
    serverKey: hmac(salted, 'Server Key'),
  };
}

export function formatScramVerifier(v: ScramVerifier): string {
  return `SCRAM-SHA-256$${v.iterations}:${v.salt.toString('base64')}$${v.storedKey.toString('base64')}:${v.serverKey.toString('base64')}`;
}

/** `lakegate hash-password`: a new verifier with a random salt and PostgreSQL's default 4096 iterations. */
export function hashPassword(password: string, iterations = 4096): string {
  return formatScramVerifier(scramVerifierFromPassword(password, crypto.randomBytes(16), iterations));
}

/** Checks a cleartext password against a verifier (used for the `password` method). */
export function verifyPasswordAgainstScram(password: string, v: ScramVerifier): Promise<boolean> {
  return new Promise((resolve) => {
    crypto.pbkdf2(password.normalize('NFKC'), v.salt, v.iterations, 32, 'sha256', (err, salted) => {
      if (err) return resolve(false);
      const stored = sha256(hmac(salted, 'Client Key'));
      resolve(crypto.timingSafeEqual(stored, v.storedKey));
    });
  });
}

export class ScramError extends Error {}

function attributes(msg: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of msg.split(',')) {
    const eq = part.indexOf('=');
    if (eq === 1) out.set(part[0]!, part.slice(2));
  }
  return out;
}

/**
 * The server side of one SCRAM-SHA-256 exchange (RFC 5802/7677), without
 * channel binding. For unknown users it runs a mock exchange with a fake
 * verifier so that the failure looks the same as a wrong password.
 */
export class ScramServer {
  private clientFirstBare = '';
  private serverFirst = '';
  private nonce = '';
  private gs2Header = '';

  constructor(private readonly verifier: ScramVerifier, private readonly mock: boolean) {}

  /** Handles client-first-message; returns server-first-message. */
  start(clientFirst: string): string {
    // gs2-header: "n,," or "y,," (no channel binding); "p=" asks for binding we do not offer
    const m = /^([ny]),(a=[^,]*)?,(.*)$/.exec(clientFirst);
    if (!m) {
      if (clientFirst.startsWith('p=')) throw new ScramError('channel binding is not supported');
      throw new ScramError('malformed SCRAM message');
    }
    this.gs2Header = `${m[1]},${m[2] ?? ''},`;
    this.clientFirstBare = m[3]!;
    const attrs = attributes(this.clientFirstBare);
    const clientNonce = attrs.get('r');
    if (!clientNonce || !/^[\x21-\x2b\x2d-\x7e]+$/.test(clientNonce)) throw new ScramError('malformed SCRAM message');
    this.nonce = clientNonce + crypto.randomBytes(18).toString('base64');
    this.serverFirst = `r=${this.nonce},s=${this.verifier.salt.toString('base64')},i=${this.verifier.iterations}`;
    return this.serverFirst;
  }

  /** Handles client-final-message; returns server-final-message, or null if the proof is wrong. */
  finish(clientFinal: string): string | null {
    const proofAt = clientFinal.lastIndexOf(',p=');
    if (proofAt < 0) throw new ScramError('malformed SCRAM message');
    const withoutProof = clientFinal.slice(0, proofAt);
    const attrs = attributes(clientFinal);
    const binding = attrs.get('c');
    if (binding !== Buffer.from(this.gs2Header).toString('base64')) throw new ScramError('SCRAM channel binding check failed');
    if (attrs.get('r') !== this.nonce) throw new ScramError('SCRAM nonce mismatch');
    const proof = Buffer.from(attrs.get('p') ?? '', 'base64');
    if (proof.length !== 32) throw new ScramError('malformed SCRAM message');
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`;
    const clientSignature = hmac(this.verifier.storedKey, authMessage);
    const clientKey = Buffer.alloc(32);
    for (let i = 0; i < 32; i++) clientKey[i] = proof[i]! ^ clientSignature[i]!;
    const ok = crypto.timingSafeEqual(sha256(clientKey), this.verifier.storedKey) && !this.mock;
    if (!ok) return null;
    return `v=${hmac(this.verifier.serverKey, authMessage).toString('base64')}`;
  }
}

/** A stable fake verifier for a user name, so unknown users are not distinguishable. */
export function mockVerifier(user: string, secret: Buffer): ScramVerifier {
  const salt = hmac(secret, `salt:${user}`).subarray(0, 16);
  return { iterations: 4096, salt, storedKey: hmac(secret, `stored:${user}`), serverKey: hmac(secret, `server:${user}`) };
}
