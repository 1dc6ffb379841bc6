import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, writeCatalog, type TestGateway } from '../support/gateway.js';
import { connect, textQuery } from './support/compare.js';
import { createDataset, ORDERS_ROWS, type FederationDataset } from './support/dataset.js';

/**
 * Cross-source statements through lakegate, compared value by value with the
 * same SQL on a real PostgreSQL that holds all the data (the oracle), and
 * pushdown proven by what the sources returned (query history and EXPLAIN
 * ANALYZE), never by timing.
 */
describe('federated queries over PostgreSQL, MariaDB, SQLite and the lake', () => {
  let data: FederationDataset;
  let gw: TestGateway;
  let lg: pg.Client;
  let oracle: pg.Client;

  beforeAll(async () => {
    data = await createDataset();
    gw = await startGateway({ catalog: writeCatalog(data.catalog()) });
    lg = await connect(gw.url());
    oracle = await connect(data.oracle.url);
  }, 300_000);

  afterAll(async () => {
    await lg?.end();
    await oracle?.end();
    await gw?.close();
    await data?.drop();
  });

  /** Runs on both and expects identical column names and text values in the same order. */
  async function same(sql: string, params: unknown[] = []): Promise<number> {
    const [a, b] = await Promise.all([textQuery(lg, sql, params), textQuery(oracle, sql, params)]);
    expect(a.fields).toEqual(b.fields);
    expect(a.rows).toEqual(b.rows);
    return a.rows.length;
  }

  /** The remote statements the last query sent, from the gateway's history. */
  function remoteSince(n: number) {
    return gw.gateway.federation.history.slice(n);
  }

  describe('cross-source joins match PostgreSQL value by value', () => {
    it('postgres x parquet: orders joined to lake trips, grouped', async () => {
      const n = await same(
        `SELECT o.status, count(*) AS n, sum(o.amount) AS amount, sum(t.fare) AS fare, min(t.pickup_at) AS first_pickup
         FROM sales.orders o JOIN lake.trips t ON t.trip_id = o.trip_id
         WHERE o.ordered_at >= '2024-03-01' AND o.ordered_at < '2024-03-08'
         GROUP BY o.status ORDER BY o.status NULLS LAST`,
      );
      expect(n).toBe(5);
    });

    it('postgres x postgres x parquet: customers, orders and trips with a filter on each', async () => {
      const n = await same(
        `SELECT c.id, c."Name", c.region, count(*) AS orders, sum(o.amount) AS amount, max(t.distance_km) AS longest
         FROM sales.customers c
         JOIN sales.orders o ON o.customer_id = c.id
         JOIN lake.trips t ON t.trip_id = o.trip_id
         WHERE c.vip AND c.region = 'EU' AND t.month = 6 AND o.quantity > 5
         GROUP BY c.id, c."Name", c.region ORDER BY amount DESC, c.id LIMIT 25`,
      );
      expect(n).toBe(25);
    });

    it('mysql x postgres: orders joined to MariaDB products', async () => {
      const n = await same(
        `SELECT p.category, p.sku, count(*) AS orders, sum(o.amount) AS amount, sum(p.price * o.quantity) AS list_value
         FROM sales.orders o JOIN shop.products p ON p.id = o.product_id
         WHERE p.price < 10 AND o.ship_date BETWEEN '2024-02-01' AND '2024-02-03'
         GROUP BY p.category, p.sku ORDER BY p.category, p.sku`,
      );
      expect(n).toBeGreaterThan(1);
    });

    it('sqlite x parquet: ratings and zone managers joined to trips', async () => {
      const n = await same(
        `SELECT m.manager, count(*) AS trips, sum(r.stars) AS stars, sum(t.fare) AS fares, max(m.since) AS since
         FROM lake.trips t
         JOIN stores.trip_ratings r ON r.trip_id = t.trip_id
         JOIN stores.zone_managers m ON m.zone_id = t.pickup_zone_id
         WHERE m.active AND r.stars >= 4
         GROUP BY m.manager ORDER BY m.manager`,
      );
      expect(n).toBeGreaterThan(10);
    });

    it('every column of remote rows, NULLs included, with mixed-case and reserved-word names', async () => {
      expect(await same(`SELECT * FROM sales.customers WHERE id % 997 = 0 OR id IN (4, 10, 20) ORDER BY id`)).toBe(13);
      expect(await same(`SELECT "Name", "select", email FROM sales.customers WHERE "select" = 3 AND id < 100 ORDER BY id`)).toBeGreaterThan(5);
      expect(await same(`SELECT * FROM sales.orders WHERE order_id IN (1, 2, 3, 50, 150, 999999) ORDER BY order_id`)).toBe(6);
      expect(await same(`SELECT * FROM shop.products WHERE id <= 15 OR id = 1000 ORDER BY id`)).toBe(16);
      expect(await same(`SELECT "Order", sku FROM shop.products WHERE "Order" > 990 ORDER BY sku`)).toBe(9);
      expect(await same(`SELECT * FROM stores.zone_managers ORDER BY zone_id`)).toBe(265);
      expect(await same(`SELECT * FROM stores.trip_ratings WHERE trip_id < 2000 ORDER BY trip_id`)).toBe(285);
    });

    it('outer joins, subqueries and CTEs over remote tables', async () => {
      await same(
        `SELECT c.id, count(o.order_id) AS returned
         FROM sales.customers c LEFT JOIN sales.orders o ON o.customer_id = c.id AND o.status = 'returned'
         WHERE c.id BETWEEN 100 AND 120 GROUP BY c.id ORDER BY c.id`,
      );
      await same(`SELECT count(*) AS n, sum(fare) AS fare FROM lake.trips WHERE trip_id IN (SELECT trip_id FROM sales.orders WHERE customer_id = 42)`);
      await same(
        `WITH big AS (SELECT customer_id, sum(amount) AS total FROM sales.orders WHERE ship_date = '2024-05-05' GROUP BY customer_id)
         SELECT c."Name", b.total FROM big b JOIN sales.customers c ON c.id = b.customer_id WHERE b.total > 900 ORDER BY b.total DESC, c."Name"`,
      );
      // a filter on the nullable side that is not strict must stay above the join
      await same(
        `SELECT z.zone_id, m.manager FROM lake.zones z
         LEFT JOIN stores.zone_managers m ON m.zone_id = z.zone_id AND m.rating > 4.5
         WHERE m.manager IS NULL AND z.zone_id < 30 ORDER BY z.zone_id`,
      );
      await same(
        `SELECT z.zone_id, m.rating FROM lake.zones z
         LEFT JOIN stores.zone_managers m ON m.zone_id = z.zone_id
         WHERE (m.rating > 4 OR m.rating IS NULL) AND z.zone_id BETWEEN 40 AND 60 ORDER BY z.zone_id`,
      );
      await same(
        `SELECT z.borough, count(*) AS n FROM lake.zones z
         WHERE EXISTS (SELECT 1 FROM stores.zone_managers m WHERE m.zone_id = z.zone_id AND m.rating > 4)
         GROUP BY z.borough ORDER BY z.borough`,
      );
    });

    it('parameters of the extended protocol reach the remote filters', async () => {
      await same(`SELECT order_id, amount, status FROM sales.orders WHERE customer_id = $1 AND ordered_at < $2 ORDER BY order_id`, [77, '2024-04-01T00:00:00Z']);
      await same(`SELECT sku, price FROM shop.products WHERE category = $1 AND price BETWEEN $2 AND $3 ORDER BY sku`, ['games', 5, 20]);
    });
  });

  describe('pushdown, counted at the source', () => {
    it('a filter on 0.1% of a 1M-row table moves 0.1% of its rows and only the referenced columns', async () => {
      const before = gw.gateway.federation.history.length;
      await same(
        `SELECT sum(o.amount) AS amount, count(*) AS n, sum(t.fare) AS fare
         FROM sales.orders o JOIN lake.trips t ON t.trip_id = o.trip_id WHERE o.order_id BETWEEN 500001 AND 501000`,
      );
      const [scan] = remoteSince(before);
      expect(scan!.table).toBe('sales.orders');
      expect(scan!.rows).toBe(ORDERS_ROWS / 1000);
      // order_id (re-checked locally), trip_id (the join) and amount: 3 of the table's 10 columns
      expect(scan!.columns).toBe(3);
      expect(scan!.sql).toBe(
        'select "order_id" as "order_id", "trip_id" as "trip_id", "amount" as "amount" from "public"."orders" as "t" ' +
          'where ("order_id" >= CAST($1 AS bigint) AND "order_id" <= CAST($2 AS bigint))',
      );
    });

    it('a statement whose tables all live on one source runs there whole (joins, GROUP BY, ORDER BY ... LIMIT)', async () => {
      const cases: [string, string, number][] = [
        [
          'sales',
          `SELECT c.region, count(*) AS n, sum(o.amount) AS amount, min(o.ordered_at) AS first, max(o.ship_date) AS last
           FROM sales.orders o JOIN sales.customers c ON c.id = o.customer_id WHERE c.vip GROUP BY c.region ORDER BY c.region`,
          3,
        ],
        ['sales', `SELECT status, count(*) AS n FROM sales.orders GROUP BY status ORDER BY count(*) DESC, status NULLS LAST LIMIT 2`, 2],
        ['sales', `SELECT "Name", email FROM sales.customers WHERE region = 'US' AND email LIKE 'c1%' ORDER BY "Name" DESC LIMIT 4`, 4],
        ['shop', `SELECT tiny, count(*) AS n, sum(price) AS price, min(added) AS added FROM shop.products WHERE stock BETWEEN 100 AND 200 GROUP BY tiny ORDER BY tiny LIMIT 5`, 5],
        ['stores', `SELECT stars, count(*) AS n, sum(trip_id) AS ids FROM stores.trip_ratings WHERE trip_id > 1000 GROUP BY stars ORDER BY stars`, 5],
      ];
      for (const [source, q, rows] of cases) {
        const before = gw.gateway.federation.history.length;
        expect(await same(q)).toBe(rows);
        const recs = remoteSince(before);
        expect(recs).toHaveLength(1);
        expect(recs[0]).toMatchObject({ source, kind: 'statement', rows });
      }
    });

    it('a statement the source cannot run exactly is split per table (MariaDB strings compare case-insensitively)', async () => {
      const before = gw.gateway.federation.history.length;
      await same(`SELECT category, count(*) AS n FROM shop.products GROUP BY category ORDER BY category`);
      const recs = remoteSince(before);
      expect(recs).toHaveLength(1);
      expect(recs[0]).toMatchObject({ kind: 'scan', rows: 1000, columns: 1 });
    });

    it('EXPLAIN ANALYZE shows the remote SQL and the rows it returned', async () => {
      const r = await textQuery(
        lg,
        `EXPLAIN ANALYZE SELECT o.status, count(*) FROM sales.orders o JOIN lake.trips t ON t.trip_id = o.trip_id
         WHERE o.ordered_at >= '2024-02-01' AND o.ordered_at < '2024-02-01 08:20:00' GROUP BY o.status`,
      );
      // EXPLAIN answers like PostgreSQL: one QUERY PLAN column, one row per line
      expect(r.rows.every((row) => row.length === 1)).toBe(true);
      const plan = r.rows.map((row) => row[0]).join('\n');
      expect(plan.match(/Remote Scan/g)).toHaveLength(1);
      expect(plan).toContain('Remote Scan on sales.orders (source "sales")');
      expect(plan).toContain('Remote SQL: select "trip_id" as "trip_id", "ordered_at" as "ordered_at", "status" as "status" from "public"."orders" as "t" where');
      // 8h20m = 30000 s at one order every 29 s
      expect(plan).toMatch(/Rows Returned: 103[45] /);
      const whole = await textQuery(lg, `EXPLAIN ANALYZE SELECT status, count(*) FROM sales.orders WHERE ordered_at >= '2024-02-01' AND ordered_at < '2024-02-01 08:20:00' GROUP BY status`);
      const stmt = whole.rows.map((row) => row[0]).join('\n');
      expect(stmt.match(/Remote Statement/g)).toHaveLength(1);
      expect(stmt).toContain('GROUP BY "t0"."status"');
      expect(stmt).toContain('Rows Returned: 5 ');
      const plain = await textQuery(lg, `EXPLAIN SELECT * FROM sales.orders o JOIN lake.trips t ON t.trip_id = o.trip_id WHERE o.order_id = 1`);
      expect(plain.rows.map((row) => row[0]).join('\n')).toContain('not executed');
    });

    it('LIMIT goes to the source when the filters are exact; ORDER BY ... LIMIT too', async () => {
      let before = gw.gateway.federation.history.length;
      const r = await textQuery(lg, `SELECT order_id, status FROM sales.orders WHERE status = 'paid' LIMIT 7`);
      expect(r.rows).toHaveLength(7);
      expect(remoteSince(before)[0]!.rows).toBe(7);
      before = gw.gateway.federation.history.length;
      await same(`SELECT order_id, amount FROM sales.orders WHERE quantity = 3 ORDER BY amount DESC, order_id LIMIT 5`);
      // ORDER BY amount DESC, order_id: both pushable, so exactly 5 rows come back
      expect(remoteSince(before)[0]!.rows).toBe(5);
      before = gw.gateway.federation.history.length;
      await same(`SELECT sku FROM shop.products WHERE price > 50 ORDER BY price, id LIMIT 3`);
      expect(remoteSince(before)[0]!.rows).toBe(3);
      expect(remoteSince(before)[0]!.sql).toContain('`price` IS NULL');
    });

    it('a selective lake side sends its join keys to the source (dynamic filtering)', async () => {
      const before = gw.gateway.federation.history.length;
      const n = await same(
        `SELECT t.trip_id, o.order_id, o.amount, t.fare FROM sales.orders o JOIN lake.trips t ON t.trip_id = o.trip_id
         WHERE t.pickup_at >= '2024-03-01 00:00:00' AND t.pickup_at < '2024-03-01 01:00:00' ORDER BY t.trip_id`,
      );
      const [scan] = remoteSince(before);
      expect(scan!.sql).toContain('= ANY(CAST($1 AS bigint[]))');
      expect(scan!.rows).toBe(n);
      expect(n).toBeLessThan(200);
    });

    it('keys from one source filter another (mysql keys pushed to postgres)', async () => {
      const before = gw.gateway.federation.history.length;
      await same(
        `SELECT p.sku, count(*) AS n FROM sales.orders o JOIN shop.products p ON p.id = o.product_id
         WHERE p.sku IN ('SKU-00042', 'SKU-00043') GROUP BY p.sku ORDER BY p.sku`,
      );
      const recs = remoteSince(before);
      const products = recs.find((r) => r.table === 'shop.products')!;
      const orders = recs.find((r) => r.table === 'sales.orders')!;
      expect(products.rows).toBe(2);
      expect(recs.indexOf(products)).toBeLessThan(recs.indexOf(orders));
      expect(orders.sql).toContain('ANY(');
      expect(orders.rows).toBe(2000);
    });

    it('case-insensitive MariaDB equality is pushed as a superset and re-checked', async () => {
      const before = gw.gateway.federation.history.length;
      const r = await textQuery(lg, `SELECT sku FROM shop.products WHERE sku = 'sku-00042'`);
      // MariaDB's collation matches 'SKU-00042'; PostgreSQL semantics do not
      expect(remoteSince(before)[0]!.rows).toBe(1);
      expect(r.rows).toEqual([]);
    });
  });
});
