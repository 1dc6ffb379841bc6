import net from 'node:net';
import { Kysely, PostgresDialect, sql as ksql } from 'kysely';
import pg from 'pg';
import Cursor from 'pg-cursor';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../support/gateway.js';
import { psqlAt, psql } from '../support/psql.js';
import { POSTGRES_URL } from '../support/gateway.js';
import { serialize } from '../support/raw-client.js';

const LONG_QUERY = 'SELECT count(*) FROM range(100000000000) t(i) WHERE i % 7 = 3';

/** Sends a CancelRequest on a fresh connection, as libpq does. */
function sendCancel(port: number, processId: number, secretKey: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => s.end(serialize.cancel(processId, secretKey)));
    s.on('close', () => resolve());
    s.on('error', reject);
  });
}

const ERROR_CLASSES: [string, string][] = [
  ['SELEC 1', '42601'],
  ['SELECT * FROM no_such_table', '42P01'],
  ['SELECT no_such_column FROM lake.zones', '42703'],
  ['SELECT no_such_function(1)', '42883'],
  ['SELECT 1 / 0', '22012'],
  ['SELECT 1 % 0', '22012'],
  ['SELECT 1.5 / 0', '22012'],
  ["SELECT 'abc'::int", '22P02'],
  ['SELECT 2147483647::int + 1', '22003'],
  ['SELECT 300::smallint * 1000::smallint', '22003'],
];

describe('node-postgres', () => {
  let gw: TestGateway;
  let client: pg.Client;
  beforeAll(async () => {
    gw = await startGateway();
    client = new pg.Client(gw.url());
    await client.connect();
  });
  afterAll(async () => {
    await client.end();
    await gw.close();
  });

  it('reuses a named prepared statement with different parameters', async () => {
    const q = (n: number) => client.query({ name: 'by-zone', text: 'SELECT zone_name FROM lake.zones WHERE zone_id = $1', values: [n] });
    expect((await q(7)).rows).toEqual([{ zone_name: 'Zone 007' }]);
    expect((await q(12)).rows).toEqual([{ zone_name: 'Zone 012' }]);
  });

  it('binds NULL and typed parameters', async () => {
    const r = await client.query('SELECT $1::int AS a, $2::text AS b, $3::date AS c, $4::bool AS d, $5::float8 AS e', [null, 'x', '2024-02-29', true, 1.25]);
    expect(r.rows[0]).toMatchObject({ a: null, b: 'x', d: true, e: 1.25 });
    expect((r.rows[0].c as Date).toISOString().slice(0, 10)).toBe('2024-02-29');
  });

  it('streams a 1,000,000-row result', async () => {
    const r = await client.query('SELECT trip_id, fare FROM lake.trips');
    expect(r.rowCount).toBe(1_000_000);
    expect(r.rows.length).toBe(1_000_000);
    const ids = new Set(r.rows.map((x) => x.trip_id));
    expect(ids.size).toBe(1_000_000);
  });

  it('reads a result in batches through pg-cursor (row-limited Execute)', async () => {
    const cursor = client.query(new Cursor('SELECT i FROM range(2500) t(i) ORDER BY i'));
    const batches: number[] = [];
    let last = -1;
    for (;;) {
      const rows = await cursor.read(1000);
      if (rows.length === 0) break;
      batches.push(rows.length);
      expect(Number(rows[0].i)).toBe(last + 1);
      last = Number(rows[rows.length - 1].i);
    }
    await cursor.close();
    expect(batches).toEqual([1000, 1000, 500]);
  });

  for (const [sql, code] of ERROR_CLASSES) {
    it(`${sql} fails with ${code} and the connection stays usable (outside and inside a transaction)`, async () => {
      await expect(client.query(sql)).rejects.toMatchObject({ code });
      expect((await client.query('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }]);
      await client.query('BEGIN');
      await expect(client.query(sql)).rejects.toMatchObject({ code });
      await expect(client.query('SELECT 1')).rejects.toMatchObject({ code: '25P02' });
      await client.query('ROLLBACK');
      expect((await client.query('SELECT 2 AS ok')).rows).toEqual([{ ok: 2 }]);
    });
  }

  it('reports the error position for a syntax error, like PostgreSQL', async () => {
    const ours = await client.query('SELECT 1 FROM lake.zones WHERE').catch((e: { position: string }) => e.position);
    const oracle = new pg.Client(POSTGRES_URL);
    await oracle.connect();
    const theirs = await oracle.query('SELECT 1 FROM pg_class WHERE').catch((e: { position: string }) => e.position);
    await oracle.end();
    expect(theirs).toBe('29');
    expect(ours).toBe('31');
  });

  it('runs a multi-statement simple query', async () => {
    const results = (await client.query('SELECT 1 AS a; SELECT 2 AS b')) as unknown as pg.QueryResult[];
    expect(results.map((r) => r.rows)).toEqual([[{ a: 1 }], [{ b: 2 }]]);
  });

  it('cancels a running query within a second and keeps the connection', async () => {
    const c = new pg.Client(gw.url());
    await c.connect();
    const pid = (c as unknown as { processID: number }).processID;
    const key = (c as unknown as { secretKey: number }).secretKey;
    const started = Date.now();
    const running = c.query(LONG_QUERY).catch((e: { code: string }) => e);
    await new Promise((r) => setTimeout(r, 300));
    const cancelAt = Date.now();
    await sendCancel(gw.port, pid, key);
    const err = (await running) as { code: string; message: string };
    expect(err.code).toBe('57014');
    expect(err.message).toBe('canceling statement due to user request');
    expect(Date.now() - cancelAt).toBeLessThan(1000);
    expect(Date.now() - started).toBeGreaterThan(250);
    expect((await c.query('SELECT 3 AS ok')).rows).toEqual([{ ok: 3 }]);
    await c.end();
  });

  it('statement_timeout cancels with 57014', async () => {
    await client.query("SET statement_timeout = '200ms'");
    await expect(client.query(LONG_QUERY)).rejects.toMatchObject({ code: '57014', message: 'canceling statement due to statement timeout' });
    await client.query('RESET statement_timeout');
    expect((await client.query('SHOW statement_timeout')).rows).toEqual([{ statement_timeout: '0' }]);
  });

  it('a client that disconnects mid-result frees its query; others keep working', async () => {
    const c = new pg.Client(gw.url());
    c.on('error', () => undefined); // the test cuts the connection itself
    await c.connect();
    const p = c.query('SELECT * FROM lake.trips, range(10)').catch(() => undefined);
    await new Promise((r) => setTimeout(r, 200));
    (c as unknown as { connection: { stream: net.Socket } }).connection.stream.destroy();
    await p;
    await new Promise((r) => setTimeout(r, 200));
    expect(gw.gateway.server.sessions.size).toBe(1);
    expect((await client.query('SELECT 4 AS ok')).rows).toEqual([{ ok: 4 }]);
  });
});

describe('postgres.js', () => {
  let gw: TestGateway;
  let sql: postgres.Sql;
  beforeAll(async () => {
    gw = await startGateway();
    sql = postgres(gw.url(), { max: 1 });
  });
  afterAll(async () => {
    await sql.end();
    await gw.close();
  });

  it('pipelines many extended-protocol queries on one connection', async () => {
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => sql`SELECT ${i}::int AS n, zone_name FROM lake.zones WHERE zone_id = ${i + 1}`));
    results.forEach((r, i) => {
      expect(r[0]!.n).toBe(i);
      expect(r[0]!.zone_name).toBe(`Zone ${String(i + 1).padStart(3, '0')}`);
    });
  });

  it('reads with a cursor', async () => {
    let rows = 0;
    let batches = 0;
    await sql`SELECT * FROM lake.zones`.cursor(100, async (batch) => {
      rows += batch.length;
      batches++;
    });
    expect([rows, batches]).toEqual([265, 3]);
  });

  it('cancels a query', async () => {
    const q = sql.unsafe(LONG_QUERY);
    setTimeout(() => q.cancel(), 300);
    await expect(q).rejects.toMatchObject({ code: '57014' });
    expect(await sql`SELECT 1 AS ok`).toEqual([{ ok: 1 }]);
  });

  it('runs transactions', async () => {
    const out = await sql.begin(async (tx) => {
      await tx`CREATE TEMP TABLE pj (a int)`;
      await tx`INSERT INTO pj VALUES (1), (2)`;
      return tx`SELECT sum(a)::int AS s FROM pj`;
    });
    expect(out[0]!.s).toBe(3);
  });
});

interface Zones {
  zone_id: number;
  borough: string;
  zone_name: string;
}
interface Trips {
  trip_id: string;
  pickup_zone_id: number;
  fare: string;
  month: number;
}

describe('Kysely (PostgresDialect)', () => {
  let gw: TestGateway;
  let db: Kysely<{ 'lake.zones': Zones; 'lake.trips': Trips }>;
  beforeAll(async () => {
    gw = await startGateway();
    db = new Kysely({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: gw.url(), max: 2 }) }) });
  });
  afterAll(async () => {
    await db.destroy();
    await gw.close();
  });

  it('selects with where, join, group by, order and limit', async () => {
    const rows = await db
      .selectFrom('lake.trips as t')
      .innerJoin('lake.zones as z', 'z.zone_id', 't.pickup_zone_id')
      .select(['z.borough', (eb) => eb.fn.countAll<string>().as('trips')])
      .where('t.month', '=', 2)
      .groupBy('z.borough')
      .orderBy('trips', 'desc')
      .limit(3)
      .execute();
    expect(rows).toHaveLength(3);
    const total = await db.selectFrom('lake.trips').select((eb) => eb.fn.countAll<string>().as('n')).where('month', '=', 2).executeTakeFirstOrThrow();
    const all = await db
      .selectFrom('lake.trips as t')
      .innerJoin('lake.zones as z', 'z.zone_id', 't.pickup_zone_id')
      .select(['z.borough', (eb) => eb.fn.countAll<string>().as('trips')])
      .where('t.month', '=', 2)
      .groupBy('z.borough')
      .execute();
    expect(all.reduce((a, r) => a + Number(r.trips), 0)).toBe(Number(total.n));
    expect(Number(rows[0]!.trips)).toBeGreaterThanOrEqual(Number(rows[1]!.trips));
  });

  it('runs raw sql with parameters', async () => {
    const r = await ksql<{ n: number }>`SELECT ${5}::int * 2 AS n`.execute(db);
    expect(r.rows).toEqual([{ n: 10 }]);
  });
});

describe('psql', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(async () => {
    await gw.close();
  });

  it('runs several statements and prints errors like PostgreSQL', async () => {
    const r = await psqlAt(gw.port, 'lakegate', ['-At', '-c', 'SELECT 1; SELECT 2', '-c', 'SELECT * FROM nosuch'], 'lakegate');
    expect(r.stdout.trim().split('\n')).toEqual(['1', '2']);
    expect(r.stderr).toContain('ERROR:  relation "nosuch" does not exist');
  });

  it('fetches through a cursor with FETCH_COUNT', async () => {
    const r = await psqlAt(gw.port, 'lakegate', ['-At', '-v', 'FETCH_COUNT=1000', '-c', 'SELECT trip_id FROM lake.trips WHERE month = 1 ORDER BY trip_id'], 'lakegate');
    const lines = r.stdout.trim().split('\n');
    expect(r.stderr).toBe('');
    expect(lines.length).toBe(86400);
    expect(lines[0]).toBe('1');
    expect(lines[86399]).toBe('86400');
  });

  for (const format of ['text', 'csv', 'binary']) {
    it(`COPY (SELECT ...) TO STDOUT (FORMAT ${format}) is byte-identical to PostgreSQL`, async () => {
      const query = `COPY (SELECT 1 AS a, 'tab\there' AS b, NULL::int AS c, 'quote"comma,' AS d, 'back\\slash' AS e, 1.5::float8 AS f, '2024-01-02'::date AS g, true AS h UNION ALL SELECT 2, '', 7, 'x', 'y', -0.25, '1999-12-31'::date, false) TO STDOUT (FORMAT ${format}${format === 'csv' ? ', HEADER' : ''})`;
      const ours = await psqlAt(gw.port, 'lakegate', ['-c', query], 'lakegate');
      const theirs = await psql(['-h', '127.0.0.1', '-U', 'postgres', '-d', 'postgres', '-c', query]);
      expect(ours.stderr).toBe('');
      expect(ours.stdout).toBe(theirs.stdout);
      expect(ours.stdout.length).toBeGreaterThan(10);
    });
  }
});
