import duckdb from '@duckdb/node-bindings';
import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EXAMPLE_LAKE, exampleSchemas, TEST_USERS } from '../../support/gateway.js';
import { MysqlDatabase, PgDatabase, SqliteFile } from './sources.js';

/**
 * The federation test data: a PostgreSQL source (`sales`: 1M-row orders
 * fact, customers dimension with every common type, a mixed-case column and
 * a reserved-word column), a MariaDB source (`shop`: products with unsigned,
 * enum, json, datetime(6) and timestamp columns), a SQLite file (`stores`),
 * and an oracle PostgreSQL database holding all of it plus the example lake
 * (trips, zones), where the same SQL gives the reference answers.
 */

const CUSTOMERS_DDL = `CREATE TABLE customers (
  id int PRIMARY KEY,
  "Name" text NOT NULL,
  "select" int,
  email varchar(120),
  region char(2),
  created timestamp,
  vip boolean,
  tags text[],
  external_id uuid,
  profile jsonb
)`;

const CUSTOMERS_DATA = `INSERT INTO customers
SELECT i, 'Customer ' || i, i % 7,
       CASE WHEN i % 10 = 0 THEN NULL ELSE 'c' || i || '@example.com' END,
       (ARRAY['EU','US','AP'])[1 + i % 3],
       timestamp '2020-01-01' + i * interval '37 minutes 11.25 seconds',
       i % 5 = 0,
       CASE WHEN i % 4 = 0 THEN NULL ELSE ARRAY['t' || (i % 3), 'x y'] END,
       md5(i::text)::uuid,
       jsonb_build_object('score', i % 100, 'tier', CASE WHEN i % 2 = 0 THEN 'gold' ELSE 'silver' END)
FROM generate_series(1, 10000) i`;

const ORDERS_DDL = `CREATE TABLE orders (
  order_id bigint PRIMARY KEY,
  customer_id int NOT NULL,
  product_id int NOT NULL,
  trip_id bigint,
  amount numeric(12,2) NOT NULL,
  quantity smallint,
  ordered_at timestamptz NOT NULL,
  ship_date date,
  status text,
  discount float8
)`;

export const ORDERS_ROWS = 1_000_000;

const ORDERS_DATA = `INSERT INTO orders
SELECT i, 1 + (i * 7919) % 10000, 1 + (i * 104729) % 1000, 1 + (i * 31) % 1000000,
       ((i * 13) % 100000) / 100.0, (1 + i % 9)::smallint,
       timestamptz '2024-01-01 00:00:00+00' + (i * 29) * interval '1 second',
       date '2024-01-01' + (i % 400)::int,
       CASE WHEN i % 50 = 0 THEN NULL ELSE (ARRAY['new','paid','shipped','returned'])[1 + i % 4] END,
       CASE WHEN i % 3 = 0 THEN NULL ELSE (i % 20) / 100.0 END
FROM generate_series(1::bigint, ${ORDERS_ROWS}) i`;

const PRODUCTS_DDL = `CREATE TABLE products (
  id int unsigned PRIMARY KEY,
  sku varchar(20) NOT NULL,
  name varchar(100),
  category enum('books','games','music','tools'),
  price decimal(10,2),
  stock int unsigned,
  weight double,
  added datetime(6),
  updated timestamp NULL,
  \`Order\` int,
  attrs json,
  big bigint unsigned,
  tiny tinyint
)`;

const PRODUCTS_DATA = `INSERT INTO products
SELECT seq, concat('SKU-', lpad(seq, 5, '0')), IF(seq % 13 = 0, NULL, concat('Product ', seq)),
       ELT(1 + seq % 4, 'books', 'games', 'music', 'tools'), (seq * 7 % 10000) / 100, seq * 3 % 500,
       IF(seq % 6 = 0, NULL, seq / 8),
       TIMESTAMP'2023-01-01 00:00:00' + INTERVAL seq * 3607 SECOND + INTERVAL (seq * 1234) % 1000000 MICROSECOND,
       IF(seq % 5 = 0, NULL, TIMESTAMP'2023-06-01 00:00:00' + INTERVAL seq HOUR),
       seq % 1000,
       JSON_OBJECT('color', ELT(1 + seq % 3, 'red', 'green', 'blue'), 'size', seq % 10),
       18446744073709551615 - seq, CAST(seq % 256 AS signed) - 128
FROM seq_1_to_1000`;

export interface FederationDataset {
  sales: PgDatabase;
  shop: MysqlDatabase;
  stores: SqliteFile;
  oracle: PgDatabase;
  /** Catalog document over the three sources and the example lake. */
  catalog(extraSources?: Record<string, unknown>, extraSchemas?: Record<string, unknown>): Record<string, unknown>;
  drop(): Promise<void>;
}

function sqliteSetup(file: SqliteFile): void {
  file.run(
    `CREATE TABLE zone_managers (zone_id INTEGER PRIMARY KEY, manager TEXT NOT NULL, since DATE, budget DECIMAL(10,2), rating REAL, active BOOLEAN)`,
    `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 265)
     INSERT INTO zone_managers SELECT i, 'Manager ' || (i % 40), date('2015-01-01', '+' || (i * 11) || ' days'), (i * 37 % 100000) / 100.0, (i % 50) / 10.0, i % 3 <> 0 FROM n`,
    `CREATE TABLE trip_ratings (trip_id INTEGER PRIMARY KEY, stars INTEGER, comment TEXT, rated_at DATETIME)`,
    `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)
     INSERT INTO trip_ratings SELECT i * 7, 1 + i % 5, CASE WHEN i % 9 = 0 THEN NULL ELSE 'ok ' || i END, datetime('2024-01-01 00:00:00', '+' || (i * 263) || ' seconds') FROM n`,
  );
}

/** Writes a DuckDB query's result to a CSV file PostgreSQL can COPY from. */
async function duckToCsv(sql: string, file: string): Promise<void> {
  const db = await duckdb.open(':memory:');
  const con = await duckdb.connect(db);
  try {
    await duckdb.query(con, `COPY (${sql}) TO '${file}' (FORMAT csv, HEADER true)`);
  } finally {
    duckdb.disconnect_sync(con);
    duckdb.close_sync(db);
  }
}

async function buildOracle(oracle: PgDatabase, shop: MysqlDatabase, stores: SqliteFile): Promise<void> {
  await oracle.run(
    'CREATE SCHEMA sales',
    'SET search_path = sales',
    `${CUSTOMERS_DDL.replace('CREATE TABLE customers', 'CREATE TABLE sales.customers')}`,
    `${CUSTOMERS_DATA.replace('INTO customers', 'INTO sales.customers')}`,
    `${ORDERS_DDL.replace('CREATE TABLE orders', 'CREATE TABLE sales.orders')}`,
    `${ORDERS_DATA.replace('INTO orders', 'INTO sales.orders')}`,
    'CREATE SCHEMA shop',
    `CREATE TABLE shop.products (id bigint, sku text, name text, category text, price numeric(10,2), stock bigint, weight float8,
       added timestamp(6), updated timestamptz, "Order" int, attrs json, big numeric, tiny smallint)`,
    'CREATE SCHEMA stores',
    'CREATE TABLE stores.zone_managers (zone_id bigint, manager text, since date, budget numeric(10,2), rating float8, active boolean)',
    'CREATE TABLE stores.trip_ratings (trip_id bigint, stars bigint, comment text, rated_at timestamp)',
    'CREATE SCHEMA lake',
  );
  const products = await shop.query<Record<string, string | null>>(
    'SELECT id, sku, name, category, price, stock, weight, added, updated, `Order`, attrs, big, tiny FROM products',
  );
  const cols = ['id', 'sku', 'name', 'category', 'price', 'stock', 'weight', 'added', 'updated', 'Order', 'attrs', 'big', 'tiny'];
  const types = ['bigint', 'text', 'text', 'text', 'numeric', 'bigint', 'float8', 'timestamp', 'timestamptz', 'int', 'json', 'numeric', 'smallint'];
  await oracle.query(
    `INSERT INTO shop.products SELECT * FROM unnest(${cols.map((_, i) => `$${i + 1}::text[]`).join(', ')}) AS u(${cols.map((c) => `"${c}"`).join(', ')})`.replace(
      'SELECT *',
      `SELECT ${cols.map((c, i) => `"${c}"::${types[i]}`).join(', ')}`,
    ),
    cols.map((c) => products.map((r) => (r[c] === null ? null : c === 'updated' ? `${r[c]}+00` : String(r[c])))),
  );
  const db = new Database(stores.path, { readonly: true });
  try {
    const zm = db.prepare('SELECT zone_id, manager, since, budget, rating, active FROM zone_managers').raw(true).all() as unknown[][];
    await oracle.query(
      'INSERT INTO stores.zone_managers SELECT * FROM unnest($1::bigint[], $2::text[], $3::date[], $4::numeric[], $5::float8[], $6::boolean[])',
      [0, 1, 2, 3, 4, 5].map((k) => zm.map((r) => (k === 5 ? Boolean(r[5]) : r[k]))),
    );
    const tr = db.prepare('SELECT trip_id, stars, comment, rated_at FROM trip_ratings').raw(true).all() as unknown[][];
    await oracle.query(
      'INSERT INTO stores.trip_ratings SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::timestamp[])',
      [0, 1, 2, 3].map((k) => tr.map((r) => r[k])),
    );
  } finally {
    db.close();
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lakegate-oracle-'));
  fs.chmodSync(dir, 0o755);
  try {
    const trips = path.join(dir, 'trips.csv');
    const zones = path.join(dir, 'zones.csv');
    await duckToCsv(
      `SELECT trip_id, pickup_at, dropoff_at, pickup_zone_id, dropoff_zone_id, passenger_count, distance_km, fare, tip, payment_type, year, month
       FROM read_parquet('${EXAMPLE_LAKE}/trips/**/*.parquet', hive_partitioning = true)`,
      trips,
    );
    await duckToCsv(`SELECT zone_id, borough, zone_name, airport_adjacent FROM read_parquet('${EXAMPLE_LAKE}/zones.parquet')`, zones);
    fs.chmodSync(trips, 0o644);
    fs.chmodSync(zones, 0o644);
    await oracle.run(
      `CREATE TABLE lake.trips (trip_id bigint, pickup_at timestamp, dropoff_at timestamp, pickup_zone_id int, dropoff_zone_id int,
         passenger_count smallint, distance_km float8, fare numeric(10,2), tip numeric(10,2), payment_type text, year int, month int)`,
      `COPY lake.trips FROM '${trips}' (FORMAT csv, HEADER true)`,
      'CREATE TABLE lake.zones (zone_id int, borough text, zone_name text, airport_adjacent boolean)',
      `COPY lake.zones FROM '${zones}' (FORMAT csv, HEADER true)`,
      'ANALYZE',
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function createDataset(): Promise<FederationDataset> {
  const [sales, shop, oracle] = await Promise.all([PgDatabase.create('lg_sales'), MysqlDatabase.create('lg_shop'), PgDatabase.create('lg_oracle')]);
  const stores = SqliteFile.create();
  try {
    await Promise.all([
      sales.run(CUSTOMERS_DDL, CUSTOMERS_DATA, ORDERS_DDL, ORDERS_DATA, 'ANALYZE'),
      shop.run(PRODUCTS_DDL, PRODUCTS_DATA, 'ANALYZE TABLE products'),
    ]);
    sqliteSetup(stores);
    await buildOracle(oracle, shop, stores);
  } catch (e) {
    await Promise.allSettled([sales.drop(), shop.drop(), oracle.drop()]);
    stores.drop();
    throw e;
  }
  return {
    sales,
    shop,
    stores,
    oracle,
    catalog: (extraSources = {}, extraSchemas = {}) => ({
      database: 'lakegate',
      default_schema: 'lake',
      users: TEST_USERS,
      sources: {
        sales: { kind: 'postgres', url: sales.url, pool_size: 4 },
        shop: { kind: 'mysql', url: shop.url },
        stores: { kind: 'sqlite', path: stores.path },
        ...extraSources,
      },
      schemas: {
        ...exampleSchemas(),
        sales: { everything: { source: 'sales', import: 'public' } },
        shop: { products: { source: 'shop', table: 'products', comment: 'Products from MariaDB' } },
        stores: { all: { source: 'stores', import: '*', include: ['zone_*', 'trip_*'] } },
        ...extraSchemas,
      },
    }),
    drop: async () => {
      await Promise.allSettled([sales.drop(), shop.drop(), oracle.drop()]);
      stores.drop();
    },
  };
}
