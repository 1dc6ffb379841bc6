/**
 * Measures what DuckDB's caches do for repeated queries over the example lake:
 * the Parquet metadata cache (footers, schema and row-group statistics, which
 * lakegate turns on) and the external file cache (file contents, on by
 * default in DuckDB 1.5). Every configuration gets its own in-memory DuckDB
 * with the example catalog installed, plus `bench.trips_daily`: the same trips
 * split into 366 day partitions (many small files, as lakes often are). The
 * configurations run interleaved, round by round, so machine noise hits all
 * of them alike; each query runs once to warm up, then `rounds` times.
 *
 *   npm run build && node dist/bench/parquet-cache.js [rounds]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureExampleLake } from '../catalog/example-lake.js';
import { installCatalog } from '../catalog/install.js';
import { loadCatalog } from '../catalog/load.js';
import type { EngineConnection } from '../engine/connection.js';
import { Engine } from '../engine/engine.js';
import { PACKAGE_ROOT } from '../version.js';

const ROUNDS = Number(process.argv[2] ?? 30);

const QUERIES: [string, string][] = [
  ['point lookup, 12 files (row-group skip)', 'SELECT * FROM lake.trips WHERE trip_id = 500000'],
  ['one partition of 12, sum', 'SELECT sum(fare) FROM lake.trips WHERE month = 6'],
  ['one partition of 12, count(*)', 'SELECT count(*) FROM lake.trips WHERE month = 6'],
  ['dimension lookup, 1 file', 'SELECT * FROM lake.zones WHERE zone_id = 42'],
  ['join + group by, 12 files', 'SELECT z.borough, count(*), sum(t.fare) FROM lake.trips t JOIN lake.zones z ON z.zone_id = t.pickup_zone_id GROUP BY 1'],
  ['point lookup, 366 files', 'SELECT * FROM bench.trips_daily WHERE trip_id = 500000'],
  ['one week of 366 files, sum', "SELECT sum(fare) FROM bench.trips_daily WHERE day BETWEEN '2024-06-01' AND '2024-06-07'"],
  ['count(*), 366 files', 'SELECT count(*) FROM bench.trips_daily'],
];

const CONFIGS: [string, string[]][] = [
  ['no caches', ['SET GLOBAL parquet_metadata_cache = false', 'SET GLOBAL enable_external_file_cache = false']],
  ['file cache only (DuckDB default)', ['SET GLOBAL parquet_metadata_cache = false', 'SET GLOBAL enable_external_file_cache = true']],
  ['metadata + file cache (lakegate)', ['SET GLOBAL parquet_metadata_cache = true', 'SET GLOBAL enable_external_file_cache = true']],
];

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * q))]!;
}

async function timed(conn: EngineConnection, sql: string): Promise<number> {
  const t0 = process.hrtime.bigint();
  await conn.rows(sql);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

async function main(): Promise<void> {
  const catalogDir = path.join(PACKAGE_ROOT, 'catalog');
  await ensureExampleLake(path.join(catalogDir, 'lake'));
  const catalog = loadCatalog(catalogDir);
  const daily = fs.mkdtempSync(path.join(os.tmpdir(), 'lakegate-bench-daily-'));
  const conns: EngineConnection[] = [];
  const engines: Engine[] = [];
  try {
    for (const [, settings] of CONFIGS) {
      const engine = await Engine.open({ threads: os.availableParallelism() });
      const conn = await engine.connect();
      for (const s of settings) await conn.run(s);
      await installCatalog(conn, catalog);
      engines.push(engine);
      conns.push(conn);
    }
    await conns[0]!.run(`COPY (SELECT *, CAST(pickup_at AS DATE) AS day FROM lake.trips) TO '${daily}' (FORMAT parquet, PARTITION_BY (day))`);
    for (const conn of conns) {
      await conn.run('CREATE SCHEMA bench');
      await conn.run(`CREATE VIEW bench.trips_daily AS SELECT * FROM read_parquet('${daily}/**/*.parquet', hive_partitioning = true)`);
    }
    const times = CONFIGS.map(() => QUERIES.map((): number[] => []));
    for (const [, sql] of QUERIES) for (const conn of conns) await conn.rows(sql);
    for (let r = 0; r < ROUNDS; r++) {
      for (let q = 0; q < QUERIES.length; q++) {
        // rotate which configuration goes first
        for (let k = 0; k < conns.length; k++) {
          const c = (k + r) % conns.length;
          times[c]![q]!.push(await timed(conns[c]!, QUERIES[q]![1]));
        }
      }
    }
    console.log(`ms per query: median (p10), ${ROUNDS} interleaved rounds after a warm-up; DuckDB in-process, ${os.availableParallelism()} threads\n`);
    console.log(`| query | ${CONFIGS.map(([n]) => n).join(' | ')} |`);
    console.log(`|---|${CONFIGS.map(() => '---:').join('|')}|`);
    QUERIES.forEach(([label], q) => {
      const cells = CONFIGS.map((_, c) => `${quantile(times[c]![q]!, 0.5).toFixed(2)} (${quantile(times[c]![q]!, 0.1).toFixed(2)})`);
      console.log(`| ${label} | ${cells.join(' | ')} |`);
    });
  } finally {
    for (const c of conns) c.close();
    for (const e of engines) e.close();
    fs.rmSync(daily, { recursive: true, force: true });
  }
}

await main();
