/**
 * Federation benchmark: a join of a 1M-row PostgreSQL table with the lake's
 * 1M-row trips table and a selective filter, through lakegate (the PostgreSQL
 * table is remote, trips is Parquet), against the same query on PostgreSQL
 * with the lake data loaded into it. Prints both times, the ratio, and the
 * rows lakegate moved from the source.
 *
 *   npm run build && node dist/bench/federation.js
 *
 * Needs PostgreSQL on 127.0.0.1:5432 (LAKEGATE_BENCH_POSTGRES_URL), user with
 * CREATE DATABASE; creates and drops a database of its own.
 */
import duckdb from '@duckdb/node-bindings';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { stringify } from 'yaml';
import { ensureExampleLake } from '../catalog/example-lake.js';
import { Gateway } from '../gateway.js';
import { silentLogger } from '../observability/logger.js';
import { PACKAGE_ROOT } from '../version.js';
import type { BenchContext } from './context.js';
import { table } from './stats.js';

const BASE_URL = process.env.LAKEGATE_BENCH_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const ROWS = 1_000_000;

export interface FederationBenchResult {
  name: string;
  lakegateMs: number;
  postgresMs: number;
  ratio: number;
  rowsMoved: number;
  sourceRows: number;
}

const QUERIES: { name: string; sql: string }[] = [
  {
    name: 'filter on the lake side (1 hour of trips), keys pushed to PostgreSQL',
    sql: `SELECT o.status, count(*) AS orders, sum(o.amount) AS amount, sum(t.fare) AS fare
          FROM bench.orders o JOIN lake.trips t ON t.trip_id = o.trip_id
          WHERE t.pickup_at >= '2024-03-01 08:00:00' AND t.pickup_at < '2024-03-01 09:00:00'
          GROUP BY o.status ORDER BY o.status`,
  },
  {
    name: 'filter on the PostgreSQL side (one customer), pushed down',
    sql: `SELECT t.payment_type, count(*) AS orders, sum(o.amount) AS amount, sum(t.fare) AS fare
          FROM bench.orders o JOIN lake.trips t ON t.trip_id = o.trip_id
          WHERE o.customer_id = 4242
          GROUP BY t.payment_type ORDER BY t.payment_type`,
  },
];

function url(database: string): string {
  const u = new URL(BASE_URL);
  u.pathname = `/${database}`;
  return u.toString();
}

async function withClient<T>(u: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client(u);
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

async function exportTrips(lake: string, file: string): Promise<void> {
  const db = await duckdb.open(':memory:');
  const con = await duckdb.connect(db);
  try {
    await duckdb.query(
      con,
      `COPY (SELECT trip_id, pickup_at, dropoff_at, pickup_zone_id, dropoff_zone_id, passenger_count, distance_km, fare, tip, payment_type, year, month
             FROM read_parquet('${lake}/trips/**/*.parquet', hive_partitioning = true)) TO '${file}' (FORMAT csv, HEADER true)`,
    );
  } finally {
    duckdb.disconnect_sync(con);
    duckdb.close_sync(db);
  }
}

async function setup(database: string, lake: string): Promise<void> {
  await withClient(BASE_URL, (c) => c.query(`CREATE DATABASE "${database}"`));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lakegate-bench-'));
  fs.chmodSync(dir, 0o755);
  const csv = path.join(dir, 'trips.csv');
  try {
    await exportTrips(lake, csv);
    fs.chmodSync(csv, 0o644);
    await withClient(url(database), async (c) => {
      await c.query(`CREATE TABLE orders (order_id bigint PRIMARY KEY, customer_id int NOT NULL, trip_id bigint NOT NULL,
        amount numeric(12,2) NOT NULL, status text, ordered_at timestamptz NOT NULL)`);
      await c.query(`INSERT INTO orders
        SELECT i, 1 + (i * 7919) % 10000, 1 + (i * 31) % ${ROWS}, ((i * 13) % 100000) / 100.0,
               (ARRAY['new','paid','shipped','returned'])[1 + i % 4], timestamptz '2024-01-01 00:00:00+00' + (i * 29) * interval '1 second'
        FROM generate_series(1::bigint, ${ROWS}) i`);
      // an operational table: its foreign keys are indexed
      await c.query('CREATE INDEX orders_trip_id ON orders (trip_id)');
      await c.query('CREATE INDEX orders_customer_id ON orders (customer_id)');
      // the lake's trips, for PostgreSQL alone, with its primary key
      await c.query(`CREATE TABLE lake_trips (trip_id bigint PRIMARY KEY, pickup_at timestamp, dropoff_at timestamp, pickup_zone_id int,
        dropoff_zone_id int, passenger_count smallint, distance_km float8, fare numeric(10,2), tip numeric(10,2), payment_type text, year int, month int)`);
      await c.query(`COPY lake_trips FROM '${csv}' (FORMAT csv, HEADER true)`);
      await c.query('VACUUM ANALYZE');
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function timeQuery(u: string, sql: string, runs: number): Promise<{ ms: number; rows: unknown[] }> {
  return withClient(u, async (c) => {
    let rows: unknown[] = [];
    for (let i = 0; i < 2; i++) rows = (await c.query({ text: sql, rowMode: 'array' })).rows;
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      await c.query({ text: sql, rowMode: 'array' });
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    return { ms: times[Math.floor(times.length / 2)]!, rows };
  });
}

export async function runFederationBench(runs = 9): Promise<FederationBenchResult[]> {
  const lake = path.join(PACKAGE_ROOT, 'catalog', 'lake');
  await ensureExampleLake(lake);
  const database = `lg_bench_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lakegate-bench-catalog-'));
  let gateway: Gateway | null = null;
  try {
    await setup(database, lake);
    fs.writeFileSync(
      path.join(dir, 'catalog.yaml'),
      stringify({
        database: 'lakegate',
        default_schema: 'lake',
        users: [{ name: 'bench', method: 'trust' }],
        sources: { bench: { kind: 'postgres', url: url(database) } },
        schemas: {
          lake: { trips: { parquet: path.join(lake, 'trips/**/*.parquet'), hive_partitioning: true } },
          bench: { orders: { source: 'bench', table: 'public.orders' } },
        },
      }),
    );
    gateway = await Gateway.start({ catalog: dir, host: '127.0.0.1', port: 0, logger: silentLogger });
    const lakegateUrl = `postgresql://bench@127.0.0.1:${gateway.port}/lakegate`;
    const results: FederationBenchResult[] = [];
    for (const q of QUERIES) {
      const before = gateway.federation.history.length;
      const lg = await timeQuery(lakegateUrl, q.sql, runs);
      const executions = runs + 2;
      const moved = gateway.federation.history.slice(before).reduce((n, r) => n + r.rows, 0) / executions;
      const pgSql = q.sql.replace(/bench\.orders/g, 'orders').replace(/lake\.trips/g, 'lake_trips');
      const direct = await timeQuery(url(database), pgSql, runs);
      if (JSON.stringify(lg.rows) !== JSON.stringify(direct.rows)) throw new Error(`results differ for "${q.name}"`);
      results.push({ name: q.name, lakegateMs: lg.ms, postgresMs: direct.ms, ratio: direct.ms / lg.ms, rowsMoved: Math.round(moved), sourceRows: ROWS });
    }
    return results;
  } finally {
    await gateway?.close();
    fs.rmSync(dir, { recursive: true, force: true });
    await withClient(BASE_URL, (c) => c.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`)).catch(() => undefined);
  }
}

export function printFederationBench(results: FederationBenchResult[]): void {
  console.log('federated join: 1M-row PostgreSQL table x 1M-row lake trips (median of runs)');
  for (const r of results) {
    console.log(`  ${r.name}`);
    console.log(
      `    lakegate ${r.lakegateMs.toFixed(1)} ms   PostgreSQL alone ${r.postgresMs.toFixed(1)} ms   ` +
        `PostgreSQL/lakegate ${r.ratio.toFixed(2)}x   rows moved from the source ${r.rowsMoved} of ${r.sourceRows}`,
    );
  }
}

/** Workload 5 of `npm run bench`: the federated joins, with rows moved from the source. */
export async function runFederation(ctx: BenchContext): Promise<Record<string, unknown>> {
  const runs = ctx.opts.quick ? 3 : 9;
  ctx.log(`federation: loading a ${ROWS.toLocaleString('en')}-row PostgreSQL table and the lake trips into PostgreSQL`);
  const results = await runFederationBench(runs);
  ctx.print(`\n## 5. Federation: 1M-row PostgreSQL table joined with the 1M-row lake trips, median of ${runs}\n`);
  ctx.print(
    table(
      ['query', 'lakegate ms', 'PostgreSQL alone ms', 'PostgreSQL/lakegate', 'rows moved from the source'],
      results.map((r) => [r.name, r.lakegateMs, r.postgresMs, `${r.ratio.toFixed(2)}x`, `${r.rowsMoved} of ${r.sourceRows}`]),
    ),
  );
  return { runs, results };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const results = await runFederationBench();
  printFederationBench(results);
}
