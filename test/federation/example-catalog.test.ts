import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import Cursor from 'pg-cursor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_CATALOG, startGateway, type TestGateway } from '../support/gateway.js';
import { connect, textQuery } from './support/compare.js';

/** `npm start`'s catalog: the generated lake and the generated SQLite shop, joined in one statement. */
describe('the example catalog joins the lake with its embedded SQLite database', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startGateway({ catalog: EXAMPLE_CATALOG });
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('shop tables are there and join with lake trips and zones', async () => {
    const c = await connect(gw.url());
    const tables = await textQuery(c, `SELECT table_name FROM information_schema.tables WHERE table_schema = 'shop' ORDER BY 1`);
    expect(tables.rows).toEqual([['customers'], ['rides']]);
    // every ride is a trip of the lake (trip ids 20, 40, ... 1,000,000)
    const joined = await textQuery(c, 'SELECT count(*) AS n, count(DISTINCT r.customer_id) AS customers FROM shop.rides r JOIN lake.trips t USING (trip_id)');
    expect(joined.rows).toEqual([['50000', '1000']]);
    const byTier = await textQuery(
      c,
      `SELECT c.tier, count(*) AS rides, sum(t.fare) > 0 AS paid
       FROM shop.customers c JOIN shop.rides r USING (customer_id) JOIN lake.trips t USING (trip_id)
       GROUP BY c.tier ORDER BY c.tier`,
    );
    expect(byTier.rows.map((r) => r[0])).toEqual(['gold', 'silver', 'standard']);
    expect(byTier.rows.reduce((n, r) => n + Number(r[1]), 0)).toBe(50000);
    const home = await textQuery(c, `SELECT z.borough, count(*) FROM shop.customers c JOIN lake.zones z ON z.zone_id = c.home_zone_id GROUP BY 1 ORDER BY 1`);
    expect(home.rows.reduce((n, r) => n + Number(r[1]), 0)).toBe(1000);
    await c.end();
  });

  it('remote tables work through COPY TO STDOUT, DECLARE/FETCH and row-limited Execute', async () => {
    const run = promisify(execFile);
    const { stdout } = await run('psql', [gw.url(), '-X', '-q', '-c', 'COPY (SELECT customer_id, name, tier FROM shop.customers WHERE customer_id <= 3 ORDER BY 1) TO STDOUT WITH (FORMAT csv)']);
    expect(stdout).toBe('1,Customer 0001,standard\n2,Customer 0002,standard\n3,Customer 0003,silver\n');
    const c = await connect(gw.url());
    await c.query('BEGIN');
    await c.query('DECLARE cur CURSOR FOR SELECT r.trip_id, t.fare FROM shop.rides r JOIN lake.trips t USING (trip_id) WHERE r.customer_id = 42 ORDER BY r.trip_id');
    const first = await textQuery(c, 'FETCH 3 FROM cur');
    const rest = await textQuery(c, 'FETCH ALL FROM cur');
    await c.query('COMMIT');
    expect(first.rows).toHaveLength(3);
    expect(first.rows.length + rest.rows.length).toBe(50);
    const cursor = c.query(new Cursor('SELECT customer_id FROM shop.customers WHERE tier = $1 ORDER BY customer_id', ['gold']));
    const a = await cursor.read(7);
    const b = await cursor.read(1000);
    await cursor.close();
    expect(a.map((r: { customer_id: string }) => Number(r.customer_id))).toEqual([10, 20, 30, 40, 50, 60, 70]);
    expect(a.length + b.length).toBe(100);
    await c.end();
  });
});
