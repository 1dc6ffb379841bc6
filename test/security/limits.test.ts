import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleSchemas, startGateway, TEST_USERS, type TestGateway } from '../support/gateway.js';
import { connect, failure } from './support.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const RUNAWAY = 'SELECT sum(x.range * y.range) FROM range(1000000) x, range(1000000) y';

function catalog(server: Record<string, unknown>, users: unknown[] = TEST_USERS): Record<string, unknown> {
  return { database: 'lakegate', default_schema: 'lake', users, schemas: exampleSchemas(), server };
}

/** Waits for the FATAL error a server sends to an idle client. */
function nextClientError(client: pg.Client): Promise<pg.DatabaseError> {
  return new Promise((resolve) => client.once('error', (e) => resolve(e as pg.DatabaseError)));
}

describe('connection limits', () => {
  it('max_connections refuses the next client with 53300; a per-user connection_limit too', async () => {
    const users = [...TEST_USERS, { name: 'limited', password: 'limited', plaintext_password: true, connection_limit: 1 }];
    const gw = await startGateway({ catalogDoc: catalog({ limits: { max_connections: 3 } }, users) });
    try {
      const first = await connect(gw, 'limited');
      const e = await connect(gw, 'limited').then(
        () => null,
        (err: pg.DatabaseError) => err,
      );
      expect(e).toMatchObject({ code: '53300', message: 'too many connections for role "limited"' });
      const others = [await connect(gw, 'lakegate'), await connect(gw, 'lakegate')];
      const over = await connect(gw, 'lakegate').then(
        () => null,
        (err: pg.DatabaseError) => err,
      );
      expect(over).toMatchObject({ code: '53300', message: 'sorry, too many clients already' });
      await first.end();
      await others[0]!.end();
      const again = await connect(gw, 'limited');
      expect((await again.query('SELECT 1 AS n')).rows[0].n).toBe(1);
      await again.end();
      await others[1]!.end();
    } finally {
      await gw.close();
    }
  });

  it('a client that does not finish startup within authentication_timeout is disconnected', async () => {
    const gw = await startGateway({ catalogDoc: catalog({ auth: { authentication_timeout: '200ms' } }) });
    try {
      const closed = await new Promise<boolean>((resolve) => {
        const s = net.connect(gw.port, '127.0.0.1');
        s.on('close', () => resolve(true));
        s.on('error', () => undefined);
        setTimeout(() => resolve(false), 10_000).unref();
      });
      expect(closed).toBe(true);
      const c = await connect(gw, 'lakegate');
      expect((await c.query('SELECT 1 AS n')).rows[0].n).toBe(1);
      await c.end();
    } finally {
      await gw.close();
    }
  });

  it('failed logins from one address are throttled: after max_failures even the right password fails until the window passes', async () => {
    const gw = await startGateway({ catalogDoc: catalog({ auth: { max_failures: 3, failure_window: '1500ms', max_delay: '10ms' } }) });
    try {
      for (let i = 0; i < 3; i++) {
        const e = await connect(gw, 'scram_user', { password: 'wrong' }).then(() => null, (err: pg.DatabaseError) => err);
        expect(e?.code).toBe('28P01');
      }
      const locked = await connect(gw, 'scram_user').then(() => null, (err: pg.DatabaseError) => err);
      expect(locked).toMatchObject({ code: '28P01', message: 'password authentication failed for user "scram_user"' });
      await sleep(1700);
      const ok = await connect(gw, 'scram_user');
      expect((await ok.query('SELECT 1 AS n')).rows[0].n).toBe(1);
      await ok.end();
    } finally {
      await gw.close();
    }
  });
});

describe('timeouts', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    const users = [...TEST_USERS, { name: 'hurried', password: 'hurried', plaintext_password: true, statement_timeout: '150ms', max_statement_timeout: '300ms' }];
    gw = await startGateway({ catalogDoc: catalog({ limits: { statement_timeout: '5s', max_statement_timeout: '10s', idle_session_timeout: '1h' } }, users) });
  });
  afterAll(async () => {
    await gw.close();
  });

  it('statement_timeout: the server default, a user default, and SET by the client within the maximum', async () => {
    const c = await connect(gw, 'lakegate');
    expect((await c.query('SHOW statement_timeout')).rows[0].statement_timeout).toBe('5s');
    await c.query("SET statement_timeout = '200ms'");
    expect((await failure(c, RUNAWAY)).code).toBe('57014');
    await c.end();
    const h = await connect(gw, 'hurried');
    expect((await h.query('SHOW statement_timeout')).rows[0].statement_timeout).toBe('150ms');
    expect(await failure(h, RUNAWAY)).toMatchObject({ code: '57014', message: 'canceling statement due to statement timeout' });
    // asking for more than the user's maximum (or for none) still stops at the maximum
    await h.query('SET statement_timeout = 0');
    expect((await failure(h, RUNAWAY)).code).toBe('57014');
    expect((await h.query('SELECT 1 AS n')).rows[0].n).toBe(1);
    await h.end();
  });

  it('idle_session_timeout ends an idle session with FATAL 57P05, as PostgreSQL 14+', async () => {
    const c = await connect(gw, 'lakegate');
    expect((await c.query('SHOW idle_session_timeout')).rows[0].idle_session_timeout).toBe('1h');
    const fatal = nextClientError(c);
    await c.query("SET idle_session_timeout = '200ms'");
    const e = await fatal;
    expect(e).toMatchObject({ code: '57P05', severity: 'FATAL', message: 'terminating connection due to idle-session timeout' });
    await c.end().catch(() => undefined);
  });

  it('idle_in_transaction_session_timeout ends a session idle inside a transaction with 25P03', async () => {
    const c = await connect(gw, 'lakegate');
    await c.query("SET idle_in_transaction_session_timeout = '200ms'");
    const fatal = nextClientError(c);
    await c.query('BEGIN');
    expect((await fatal).code).toBe('25P03');
    await c.end().catch(() => undefined);
  });

  it('a runaway cross join is stopped by its timeout and other sessions keep answering meanwhile', async () => {
    const runner = await connect(gw, 'lakegate');
    const other = await connect(gw, 'lakegate');
    await runner.query("SET statement_timeout = '3s'");
    let runawayDone = false;
    const runaway = failure(runner, RUNAWAY).finally(() => (runawayDone = true));
    await sleep(300);
    const latencies: number[] = [];
    for (let i = 0; i < 10; i++) {
      const start = process.hrtime.bigint();
      expect((await other.query('SELECT 1 AS n')).rows[0].n).toBe(1);
      latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
      expect(runawayDone).toBe(false);
      await sleep(50);
    }
    console.log(`SELECT 1 while a runaway query runs: ${latencies.map((l) => l.toFixed(1)).join(', ')} ms`);
    expect((await runaway).code).toBe('57014');
    await runner.end();
    await other.end();
  });
});

describe('size limits', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startGateway({ catalogDoc: catalog({ limits: { max_result_rows: 1000, max_query_size: 2000, max_message_size: '16kB' } }) });
  });
  afterAll(async () => {
    await gw.close();
  });

  it('max_result_rows fails a statement that returns more rows (54000), also through COPY', async () => {
    const c = await connect(gw, 'lakegate');
    expect((await c.query('SELECT * FROM lake.zones')).rowCount).toBe(265);
    expect(await failure(c, 'SELECT * FROM lake.trips')).toMatchObject({ code: '54000', message: 'result exceeds max_result_rows (1000 rows)' });
    expect((await c.query('SELECT count(*)::int AS n FROM lake.trips')).rows[0].n).toBe(1_000_000);
    await c.end();
    const copy = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile('psql', [gw.url(), '-X', '-c', 'COPY (SELECT * FROM lake.trips) TO STDOUT'], { maxBuffer: 64 * 1024 * 1024 }, (err, _out, stderr) =>
        resolve({ code: err ? (err as { code?: number }).code ?? 1 : 0, stderr }),
      );
    });
    expect(copy.code).not.toBe(0);
    expect(copy.stderr).toContain('max_result_rows');
  });

  it('max_query_size refuses longer statements (54000); max_message_size closes the connection (54000) and others go on', async () => {
    const c = await connect(gw, 'lakegate');
    const long = `SELECT '${'x'.repeat(2500)}' AS n`;
    expect((await failure(c, long)).code).toBe('54000');
    const tooBig = await c.query(`SELECT '${'x'.repeat(20_000)}'`).then(() => null, (err: pg.DatabaseError) => err);
    expect(tooBig).toMatchObject({ code: '54000', severity: 'FATAL' });
    const d = await connect(gw, 'lakegate');
    expect((await d.query('SELECT 1 AS n')).rows[0].n).toBe(1);
    await d.end();
    await c.end().catch(() => undefined);
  });
});

describe('DuckDB memory', () => {
  it('a query larger than memory_limit spills to the temp directory; one that cannot spill fails with 53200 and the server goes on', async () => {
    const spill = fs.mkdtempSync(path.join(os.tmpdir(), 'lakegate-spill-test-'));
    const gw = await startGateway({ catalogDoc: catalog({ limits: { memory_limit: '96MB', temp_directory: spill } }) });
    const small = await startGateway({ catalogDoc: catalog({ limits: { memory_limit: '40MB' } }) });
    const big = 'SELECT count(*)::int AS n FROM (SELECT DISTINCT trip_id, pickup_at, dropoff_at, fare, tip, distance_km, payment_type FROM lake.trips)';
    try {
      const c = await connect(gw, 'lakegate');
      let spilled = false;
      const poll = setInterval(() => {
        if (fs.existsSync(spill) && fs.readdirSync(spill).length > 0) spilled = true;
      }, 2);
      const r = await c.query(big).finally(() => clearInterval(poll));
      expect(r.rows[0].n).toBe(1_000_000);
      expect(spilled).toBe(true);
      await c.end();
      const s = await connect(small, 'lakegate');
      // an aggregate state that cannot spill: a 20M-element list
      expect((await failure(s, 'SELECT length(list(range)) AS n FROM range(20000000)')).code).toBe('53200');
      expect((await s.query('SELECT count(*)::int AS n FROM lake.zones')).rows[0].n).toBe(265);
      await s.end();
    } finally {
      await gw.close();
      await small.close();
      fs.rmSync(spill, { recursive: true, force: true });
    }
  });
});
