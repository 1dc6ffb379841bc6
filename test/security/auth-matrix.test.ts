import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selfSignedCertificate } from '../../src/security/tls.js';
import { exampleSchemas, startGateway, TEST_USERS, type TestGateway } from '../support/gateway.js';

type SslMode = 'disable' | 'require' | 'verify-full';
interface Outcome {
  ok: boolean;
  code?: string;
  message: string;
  encrypted?: boolean;
}

let certDir = '';
let caFile = '';

/** psql as a process: `select 1` plus whether the connection is encrypted (from pg_stat_ssl-free \conninfo). */
function viaPsql(port: number, user: string, password: string, sslmode: SslMode): Promise<Outcome> {
  const conninfo = `host=127.0.0.1 port=${port} user=${user} dbname=lakegate sslmode=${sslmode} sslrootcert=${caFile} connect_timeout=10`;
  return new Promise((resolve) => {
    execFile('psql', [conninfo, '-X', '-A', '-t', '-c', 'SELECT 41 + 1', '-c', '\\conninfo'], { env: { ...process.env, PGPASSWORD: password }, timeout: 30_000 }, (err, stdout, stderr) => {
      if (err) return resolve({ ok: false, message: stderr.trim() });
      resolve({ ok: stdout.includes('42'), message: stdout.trim(), encrypted: /SSL connection/.test(stdout) });
    });
  });
}

async function viaPg(port: number, user: string, password: string, sslmode: SslMode): Promise<Outcome> {
  const ssl = sslmode === 'disable' ? false : sslmode === 'require' ? { rejectUnauthorized: false } : { ca: fs.readFileSync(caFile, 'utf8'), servername: 'localhost' };
  const client = new pg.Client({ host: '127.0.0.1', port, user, password, database: 'lakegate', ssl, connectionTimeoutMillis: 10_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const r = await client.query('SELECT 41 + 1 AS n');
    const encrypted = (client as unknown as { connection: { stream: unknown } }).connection.stream instanceof tls.TLSSocket;
    return { ok: r.rows[0].n === 42, message: 'ok', encrypted };
  } catch (e) {
    const err = e as pg.DatabaseError;
    return { ok: false, code: err.code, message: err.message };
  } finally {
    await client.end().catch(() => undefined);
  }
}

const CLIENTS = { psql: viaPsql, pg: viaPg };
const METHOD_USERS = ['lakegate', 'scram_user', 'md5_user', 'password_user'];

function catalogWithTls(required: boolean): Record<string, unknown> {
  return {
    database: 'lakegate',
    default_schema: 'lake',
    users: TEST_USERS,
    schemas: exampleSchemas(),
    server: { tls: { cert: path.join(certDir, 'server.crt'), key: path.join(certDir, 'server.key'), required }, auth: { max_failures: 1000 } },
  };
}

describe('authentication matrix: methods x password x TLS, with psql and pg', () => {
  let plain: TestGateway;
  let optional: TestGateway;
  let required: TestGateway;

  beforeAll(async () => {
    certDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lakegate-certs-'));
    const { cert, key } = await selfSignedCertificate();
    fs.writeFileSync(path.join(certDir, 'server.crt'), cert);
    fs.writeFileSync(path.join(certDir, 'server.key'), key, { mode: 0o600 });
    caFile = path.join(certDir, 'server.crt');
    plain = await startGateway({ throttle: { maxFailures: 1000 } });
    optional = await startGateway({ catalogDoc: catalogWithTls(false) });
    required = await startGateway({ catalogDoc: catalogWithTls(true) });
  });
  afterAll(async () => {
    await Promise.all([plain.close(), optional.close(), required.close()]);
    fs.rmSync(certDir, { recursive: true, force: true });
  });

  for (const [clientName, run] of Object.entries(CLIENTS)) {
    for (const user of METHOD_USERS) {
      it(`${clientName}, ${user}: right password works over clear text, require and verify-full; wrong password is 28P01`, async () => {
        for (const mode of ['disable', 'require', 'verify-full'] as SslMode[]) {
          const good = await run(optional.port, user, user, mode);
          expect(good.ok, `${mode}: ${good.message}`).toBe(true);
          expect(good.encrypted).toBe(mode !== 'disable');
          const bad = await run(optional.port, user, 'wrong-password', mode);
          expect(bad.ok).toBe(false);
          expect(bad.message).toContain(`password authentication failed for user "${user}"`);
          if (clientName === 'pg') expect(bad.code).toBe('28P01');
        }
      });
    }

    it(`${clientName}: trust needs no password; an unknown user fails exactly like a wrong password`, async () => {
      const trusted = await run(optional.port, 'trust_user', '', 'require');
      expect(trusted.ok, trusted.message).toBe(true);
      const unknown = await run(optional.port, 'no_such_user', 'whatever', 'require');
      const wrong = await run(optional.port, 'lakegate', 'whatever', 'require');
      expect(unknown.ok).toBe(false);
      expect(unknown.code).toBe(wrong.code);
      expect(unknown.message.replace('no_such_user', 'USER')).toBe(wrong.message.replace('lakegate', 'USER'));
    });

    it(`${clientName}: a server that requires TLS refuses clear text with 28000 and accepts TLS`, async () => {
      const clear = await run(required.port, 'lakegate', 'lakegate', 'disable');
      expect(clear.ok).toBe(false);
      expect(clear.message).toContain('requires SSL');
      if (clientName === 'pg') expect(clear.code).toBe('28000');
      for (const mode of ['require', 'verify-full'] as SslMode[]) {
        const secure = await run(required.port, 'scram_user', 'scram_user', mode);
        expect(secure.ok, secure.message).toBe(true);
        expect(secure.encrypted).toBe(true);
      }
    });

    it(`${clientName}: without a certificate the server answers N, so sslmode=require fails and disable works`, async () => {
      const req = await run(plain.port, 'lakegate', 'lakegate', 'require');
      expect(req.ok).toBe(false);
      expect(req.message.toLowerCase()).toContain('ssl');
      expect((await run(plain.port, 'lakegate', 'lakegate', 'disable')).ok).toBe(true);
    });
  }

  it('verify-full checks the host name: a certificate for another name is refused by the client', async () => {
    const client = new pg.Client({ host: '127.0.0.1', port: optional.port, user: 'lakegate', password: 'lakegate', database: 'lakegate', ssl: { ca: fs.readFileSync(caFile, 'utf8'), servername: 'db.example.com' } });
    client.on('error', () => undefined);
    await expect(client.connect()).rejects.toThrow(/altnames|hostname|Host/i);
  });

  it('a verifier printed by `lakegate hash-password` authenticates its password; a plaintext password is refused unless marked', async () => {
    const dist = path.resolve('dist/cli.js');
    if (!fs.existsSync(dist)) execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'ignore' });
    const verifier = execFileSync(process.execPath, ['bin/lakegate.cjs', 'hash-password'], { input: 'correct horse\n' }).toString().trim();
    expect(verifier).toMatch(/^SCRAM-SHA-256\$4096:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
    const gw = await startGateway({ catalogDoc: { database: 'lakegate', users: [{ name: 'horse', password: verifier }], schemas: exampleSchemas() } });
    try {
      expect((await viaPg(gw.port, 'horse', 'correct horse', 'disable')).ok).toBe(true);
      expect((await viaPg(gw.port, 'horse', 'correct horse!', 'disable')).code).toBe('28P01');
    } finally {
      await gw.close();
    }
    await expect(startGateway({ catalogDoc: { database: 'lakegate', users: [{ name: 'p', password: 'p' }], schemas: exampleSchemas() } })).rejects.toThrow(/plaintext passwords are refused/);
  });

  it('a self-signed development certificate is generated when asked', async () => {
    const gw = await startGateway({
      catalogDoc: { database: 'lakegate', users: TEST_USERS, schemas: exampleSchemas(), server: { tls: { self_signed: true, required: true } } },
    });
    try {
      const r = await viaPg(gw.port, 'lakegate', 'lakegate', 'require');
      expect(r).toMatchObject({ ok: true, encrypted: true });
      expect((await viaPg(gw.port, 'lakegate', 'lakegate', 'disable')).code).toBe('28000');
    } finally {
      await gw.close();
    }
  });
});
