import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestGateway } from '../support/gateway.js';
import { connect, failure, startSecureGateway } from './support.js';

describe('grants: what each user can query with direct SQL', () => {
  let gw: TestGateway;
  const clients = new Map<string, pg.Client>();
  const as = (user: string): pg.Client => clients.get(user)!;

  beforeAll(async () => {
    gw = await startSecureGateway();
    for (const u of ['chief', 'analyst', 'guest', 'regional', 'nobody']) clients.set(u, await connect(gw, u));
  });
  afterAll(async () => {
    for (const c of clients.values()) await c.end();
    await gw.close();
  });

  it('a role grant on a whole schema reads every table', async () => {
    const r = await as('chief').query('SELECT count(*)::int AS n FROM lake.trips');
    expect(r.rows[0].n).toBe(1_000_000);
    const z = await as('chief').query('SELECT count(*)::int AS n FROM zones');
    expect(z.rows[0].n).toBe(265);
  });

  it('a row filter limits the rows, a column grant the columns, a mask the values', async () => {
    const c = as('analyst');
    expect((await c.query('SELECT count(*)::int AS n FROM lake.trips')).rows[0].n).toBe(86_400);
    expect((await c.query('SELECT DISTINCT month FROM lake.trips')).rows).toEqual([{ month: '1' }]);
    const star = await c.query('SELECT * FROM lake.trips LIMIT 1');
    expect(star.fields.map((f) => f.name)).toEqual(['trip_id', 'fare', 'payment_type', 'month']);
    const fares = await c.query('SELECT count(*)::int AS n FROM lake.trips WHERE fare <> round(fare)');
    expect(fares.rows[0].n).toBe(0);
    const chiefFares = await as('chief').query('SELECT count(*)::int AS n FROM lake.trips WHERE month = 1 AND fare <> round(fare)');
    expect(chiefFares.rows[0].n).toBeGreaterThan(0);
    const e = await failure(c, 'SELECT tip FROM lake.trips');
    expect(e.code).toBe('42703');
  });

  it('filters hold through CTEs, subqueries, joins, set operations and aliases', async () => {
    const c = as('analyst');
    const one = async (sql: string): Promise<number> => Number((await c.query(sql)).rows[0].n);
    expect(await one('WITH x AS (SELECT * FROM lake.trips) SELECT count(*) AS n FROM x')).toBe(86_400);
    expect(await one('WITH trips AS (SELECT * FROM lake.trips WHERE month = 2) SELECT count(*) AS n FROM trips')).toBe(0);
    expect(await one('SELECT (SELECT count(*) FROM lake.trips) AS n')).toBe(86_400);
    expect(await one('SELECT count(*) AS n FROM (SELECT * FROM lake.trips t WHERE t.month = 3) s')).toBe(0);
    expect(await one('SELECT count(*) AS n FROM lake.trips a JOIN lake.trips b USING (trip_id)')).toBe(86_400);
    expect(await one('SELECT count(*) AS n FROM (SELECT month FROM lake.trips UNION ALL SELECT month FROM trips) u')).toBe(172_800);
    expect(await one('WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r WHERE i < 3) SELECT count(*) AS n FROM r, lake.trips WHERE trips.month = r.i')).toBe(86_400);
    expect(await one('SELECT count(*) AS n FROM "LAKE"."TRIPS"')).toBe(86_400);
    expect(await one('SELECT count(*) AS n FROM lakegate.lake.trips')).toBe(86_400);
    expect(await one('SELECT count(*) AS n FROM public.trips')).toBe(86_400);
  });

  it('DuckDB syntax is authorized on DuckDB\'s own AST with the same grants', async () => {
    const c = as('analyst');
    expect((await c.query('FROM lake.trips SELECT count(*)::int AS n')).rows[0].n).toBe(86_400);
    const ex = await c.query('SELECT * EXCLUDE (fare) FROM lake.trips LIMIT 1');
    expect(ex.fields.map((f) => f.name)).toEqual(['trip_id', 'payment_type', 'month']);
    const d = await c.query('DESCRIBE lake.trips');
    expect(d.rows.map((r) => r.column_name)).toEqual(['trip_id', 'fare', 'payment_type', 'month']);
    const s = await c.query('SUMMARIZE lake.trips');
    expect(s.rows.map((r) => r.column_name)).toEqual(['trip_id', 'fare', 'payment_type', 'month']);
    expect(s.rows.every((r) => Number(r.count) === 86_400)).toBe(true);
    expect((await c.query('WITH t AS (FROM lake.trips) SELECT count(*)::int AS n FROM t USING SAMPLE 100%')).rows[0].n).toBe(86_400);
    expect((await c.query('SELECT [x * 2 FOR x IN [1, 2]] AS l')).rows[0].l).toEqual([2, 4]);
    expect((await failure(as('guest'), 'FROM lake.trips SELECT count(*)')).code).toBe('42501');
    expect((await failure(c, 'FROM lake.trips SELECT tip')).code).toBe('42703');
    expect((await failure(c, 'SELEC 1')).code).toBe('42601');
  });

  it('extended protocol and cursors go through the same checks', async () => {
    const c = as('analyst');
    const r = await c.query({ text: 'SELECT count(*)::int AS n FROM lake.trips WHERE month = $1', values: [1] });
    expect(r.rows[0].n).toBe(86_400);
    await c.query('BEGIN');
    await c.query('DECLARE cur CURSOR FOR SELECT * FROM lake.trips');
    const f = await c.query('FETCH 2 FROM cur');
    expect(f.fields.map((x) => x.name)).toEqual(['trip_id', 'fare', 'payment_type', 'month']);
    await c.query('COMMIT');
    const g = as('guest');
    await expect(g.query({ text: 'SELECT * FROM lake.trips WHERE month = $1', values: [1] })).rejects.toMatchObject({ code: '42501' });
  });

  it('tables outside the grants are refused, and existence is not revealed', async () => {
    const g = as('guest');
    const secret = await failure(g, 'SELECT * FROM lake.trips');
    const missing = await failure(g, 'SELECT * FROM lake.no_such_table');
    expect(secret.code).toBe('42501');
    expect(missing.code).toBe('42501');
    expect(secret.message).toBe('permission denied for table lake.trips');
    expect(missing.message).toBe('permission denied for table lake.no_such_table');
    // unqualified names resolve only among granted tables
    const bare = await failure(g, 'SELECT * FROM trips');
    expect(bare).toMatchObject({ code: '42P01', message: 'relation "trips" does not exist' });
    expect((await failure(g, 'SELECT * FROM nothing_here')).code).toBe('42P01');
    // in a schema the user fully sees, a typo is simply missing
    expect((await failure(as('chief'), 'SELECT * FROM lake.tripz')).code).toBe('42P01');
    expect((await failure(g, 'WITH payment_types AS (SELECT * FROM lake.trips) SELECT * FROM payment_types')).code).toBe('42501');
    expect((await failure(g, 'SELECT * FROM lake.payment_types WHERE EXISTS (SELECT 1 FROM lake.zones)')).code).toBe('42501');
    expect((await failure(as('nobody'), 'SELECT 1 FROM lake.zones')).code).toBe('42501');
    expect((await as('nobody').query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  it('errors name only what the user may see: no ungranted columns, no internal views, no hints', async () => {
    const c = as('analyst');
    for (const sql of ['SELECT nope FROM lake.trips', 'SELECT t.nope FROM lake.trips t', 'SELECT * FROM lake.trips WHERE fare = \'x\'', 'SELECT pickup_a FROM lake.trips', 'FROM lake.trips SELECT nope']) {
      const e = await failure(c, sql);
      const text = [e.message, e.detail, e.hint].join(' ');
      for (const hidden of ['pickup_at', 'tip', 'distance_km', 'secure:', 'lakegate_internal', 'Candidate', 'Did you mean']) expect(text, sql).not.toContain(hidden);
    }
  });

  it('EXPLAIN is allowed; EXPLAIN ANALYZE (which names lake files) only for administrators', async () => {
    const plan = await as('analyst').query('EXPLAIN SELECT count(*) FROM lake.trips');
    expect(plan.rows.length).toBeGreaterThan(0);
    expect((await failure(as('chief'), 'EXPLAIN ANALYZE SELECT count(*) FROM lake.zones')).code).toBe('42501');
    const ops = await connect(gw, 'ops');
    const analyzed = await ops.query('EXPLAIN ANALYZE SELECT count(*) FROM lake.zones');
    expect(analyzed.rows.length).toBeGreaterThan(0);
    await ops.end();
  });

  it('a granted view is read with the catalog\'s rights (as a PostgreSQL view)', async () => {
    const r = await as('guest').query('SELECT sum(trips)::int AS n FROM lake.daily_trips');
    expect(r.rows[0].n).toBe(1_000_000);
  });

  it('two roles combine: unmasked where one role\'s filter holds, masked elsewhere', async () => {
    const r = await as('regional').query("SELECT count(*)::int AS n, count(*) FILTER (WHERE borough = '***')::int AS masked, count(*) FILTER (WHERE borough = 'Manhattan')::int AS manhattan FROM lake.zones");
    const all = await as('chief').query("SELECT count(*)::int AS n, count(*) FILTER (WHERE borough = 'Manhattan')::int AS manhattan FROM lake.zones");
    expect(r.rows[0].n).toBe(all.rows[0].n);
    expect(r.rows[0].manhattan).toBe(all.rows[0].manhattan);
    expect(r.rows[0].masked).toBe(all.rows[0].n - all.rows[0].manhattan);
  });

  it('temporary tables: created, filled from granted tables, read and dropped by their session only', async () => {
    const c = as('analyst');
    await c.query('CREATE TEMP TABLE mine AS SELECT trip_id, fare FROM lake.trips LIMIT 5');
    await c.query('INSERT INTO mine SELECT trip_id, fare FROM lake.trips LIMIT 1');
    expect((await c.query('SELECT count(*)::int AS n FROM mine')).rows[0].n).toBe(6);
    expect((await c.query('SELECT count(*)::int AS n FROM pg_temp.mine')).rows[0].n).toBe(6);
    expect((await failure(c, 'CREATE TEMP TABLE leak AS SELECT tip FROM lake.trips')).code).toBe('42703');
    expect((await failure(as('guest'), 'SELECT * FROM mine')).code).toBe('42P01');
    expect((await failure(c, 'INSERT INTO lake.zones VALUES (1)')).code).toBe('42501');
    expect((await failure(c, 'CREATE TABLE lake.x (a int)')).code).toBe('42501');
    // IF EXISTS on a catalog table's name drops nothing
    await c.query('DROP TABLE IF EXISTS zones');
    expect((await c.query('SELECT count(*)::int AS n FROM lake.zones')).rows[0].n).toBe(265);
    await c.query('DROP TABLE mine');
    expect((await failure(c, 'SELECT * FROM mine')).code).toBe('42P01');
  });
});
