import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gateway } from '../../src/gateway.js';
import { catalogDirWith, makeFixtureLake } from '../support/lake-fixture.js';

describe('${ENV} secrets', () => {
  const secret = `pw-${process.pid}-${Math.random().toString(36).slice(2)}`;
  const logged: string[] = [];
  let gw: Gateway;

  beforeAll(async () => {
    process.env.LAKEGATE_TEST_SECRET_PW = secret;
    const fixture = await makeFixtureLake();
    const dir = catalogDirWith(
      fixture,
      [
        'users:',
        '  - name: alice',
        '    password: ${LAKEGATE_TEST_SECRET_PW}',
        '    method: scram-sha-256',
        '    plaintext_password: true',
        'schemas:',
        '  lake:',
        '    one: { parquet: lake/one.parquet }',
        '',
      ].join('\n'),
    );
    const logger = pino({ level: 'trace' }, { write: (s: string) => void logged.push(s) });
    gw = await Gateway.start({ catalog: dir, host: '127.0.0.1', port: 0, logger });
    // a failing reload logs the catalog problem: the secret must not be in it either
    const fs = await import('node:fs');
    fs.appendFileSync(`${dir}/catalog.yaml`, '    two: { parquet: lake/nowhere/*.parquet }\n');
    const o = await gw.reload('api');
    expect(o.ok).toBe(false);
  });

  afterAll(async () => {
    await gw?.close();
    delete process.env.LAKEGATE_TEST_SECRET_PW;
  });

  it('authenticates with the password from the environment', async () => {
    const c = new pg.Client(`postgresql://alice:${encodeURIComponent(secret)}@127.0.0.1:${gw.port}/lakegate`);
    await c.connect();
    try {
      expect((await c.query('SELECT count(*)::int AS n FROM lake.one')).rows[0].n).toBe(10);
      // nothing a client can read about settings holds it
      const all = await c.query('SHOW ALL');
      expect(JSON.stringify(all.rows)).not.toContain(secret);
      const settings = await c.query('SELECT * FROM pg_settings');
      expect(settings.rows.length).toBeGreaterThan(0);
      expect(JSON.stringify(settings.rows)).not.toContain(secret);
      const views = await c.query('SELECT * FROM information_schema.views');
      expect(JSON.stringify(views.rows)).not.toContain(secret);
    } finally {
      await c.end();
    }
  });

  it('never writes it to the log', () => {
    expect(logged.length).toBeGreaterThan(0);
    expect(logged.some((l) => l.includes('catalog reload rejected'))).toBe(true);
    expect(logged.join('\n')).not.toContain(secret);
  });
});
