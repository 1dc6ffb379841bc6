import pg from 'pg';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../support/gateway.js';
import { psqlAt } from '../support/psql.js';

const METHODS = [
  { user: 'lakegate', password: 'lakegate', method: 'scram-sha-256 (stored verifier)' },
  { user: 'scram_user', password: 'scram_user', method: 'scram-sha-256' },
  { user: 'md5_user', password: 'md5_user', method: 'md5' },
  { user: 'password_user', password: 'password_user', method: 'password' },
  { user: 'trust_user', password: 'anything', method: 'trust' },
];

async function pgConnect(port: number, user: string, password: string, database = 'lakegate'): Promise<unknown> {
  const c = new pg.Client({ host: '127.0.0.1', port, user, password, database });
  await c.connect();
  const r = await c.query('SHOW session_authorization');
  await c.end();
  return r.rows[0].session_authorization;
}

async function pgError(port: number, user: string, password: string, database = 'lakegate'): Promise<{ code?: string; message: string }> {
  const c = new pg.Client({ host: '127.0.0.1', port, user, password, database });
  try {
    await c.connect();
    await c.end();
    return { message: 'connected' };
  } catch (e) {
    return e as { code?: string; message: string };
  }
}

describe('authentication', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(async () => {
    await gw.close();
  });

  for (const m of METHODS) {
    it(`pg connects with ${m.method}`, async () => {
      expect(await pgConnect(gw.port, m.user, m.password)).toBe(m.user);
    });

    it(`postgres.js connects with ${m.method}`, async () => {
      const sql = postgres({ host: '127.0.0.1', port: gw.port, user: m.user, password: m.password, database: 'lakegate', max: 1 });
      const rows = await sql`SELECT 1 AS one`;
      expect(rows[0]!.one).toBe(1);
      await sql.end();
    });

    it(`psql connects with ${m.method}`, async () => {
      const r = await psqlAt(gw.port, m.user, ['-At', '-c', 'SELECT 41 + 1'], m.password);
      expect(r.stderr).toBe('');
      expect(r.stdout.trim()).toBe('42');
    });

    if (m.method !== 'trust') {
      it(`wrong password with ${m.method} fails with 28P01`, async () => {
        const e = await pgError(gw.port, m.user, 'wrong');
        expect(e.code).toBe('28P01');
        expect(e.message).toBe(`password authentication failed for user "${m.user}"`);
      });
    }
  }

  it('an unknown user fails exactly like a wrong password', async () => {
    const e = await pgError(gw.port, 'nobody', 'x');
    expect(e.code).toBe('28P01');
    expect(e.message).toBe('password authentication failed for user "nobody"');
  });

  it('an unknown database fails with 3D000 after authentication', async () => {
    const e = await pgError(gw.port, 'lakegate', 'lakegate', 'otherdb');
    expect(e.code).toBe('3D000');
    expect(e.message).toBe('database "otherdb" does not exist');
  });

  it('psql reports the failure and the server keeps serving', async () => {
    const r = await psqlAt(gw.port, 'lakegate', ['-At', '-c', 'SELECT 1'], 'nope');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('password authentication failed for user "lakegate"');
    expect(await pgConnect(gw.port, 'lakegate', 'lakegate')).toBe('lakegate');
  });
});
