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
});
