import fs from 'node:fs';
import path from 'node:path';
import duckdb from '@duckdb/node-bindings';

/** Bump when the generated data changes, so an old lake is regenerated. */
const VERSION = '2';

function q(p: string): string {
  return `'${p.replace(/'/g, "''")}'`;
}

/**
 * Writes the example lake that `npm start` serves: a hive-partitioned fact
 * table of 1,000,000 taxi trips (year=/month=), a zones dimension, a small
 * CSV of payment types and a newline-delimited JSON file of daily weather. Every value derives from the row number, so the data
 * is identical on every machine. Skipped when the lake is already there.
 */
export async function ensureExampleLake(lakeDir: string, log: (msg: string) => void = () => {}): Promise<boolean> {
  const marker = path.join(lakeDir, '.generated');
  if (fs.existsSync(marker) && fs.readFileSync(marker, 'utf8').trim() === VERSION) return false;
  log(`generating the example lake in ${lakeDir}`);
  const tmp = `${lakeDir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  const db = await duckdb.open(':memory:');
  const con = await duckdb.connect(db);
  try {
    const run = (sql: string) => duckdb.query(con, sql);
    await run(`CREATE TABLE zones AS
      SELECT i::INTEGER AS zone_id,
             ['Manhattan', 'Brooklyn', 'Queens', 'Bronx', 'Staten Island', 'EWR'][1 + (i % 6)] AS borough,
             'Zone ' || lpad(i::VARCHAR, 3, '0') AS zone_name,
             (i % 5 = 0) AS airport_adjacent
      FROM range(1, 266) t(i)`);
    await run(`COPY zones TO ${q(path.join(tmp, 'zones.parquet'))} (FORMAT parquet)`);
    await run(`COPY (SELECT * FROM (VALUES ('card', 'Credit or debit card'), ('cash', 'Cash'), ('mobile', 'Mobile wallet'), ('voucher', 'Prepaid voucher')) v(payment_type, description))
      TO ${q(path.join(tmp, 'payment_types.csv'))} (FORMAT csv, HEADER true)`);
    await run(`COPY (
        SELECT d::DATE AS day,
               round(4 + 12 * sin(2 * pi() * (dayofyear(d) - 105) / 366) + ((dayofyear(d) * 37) % 7 - 3), 1) AS temperature_c,
               CASE WHEN dayofyear(d) % 5 = 0 THEN round(((dayofyear(d) * 13) % 40) / 2.0, 1) ELSE 0.0 END AS precipitation_mm,
               CASE WHEN dayofyear(d) % 5 = 0 THEN 'rain' WHEN dayofyear(d) % 3 = 0 THEN 'cloudy' ELSE 'clear' END AS conditions
        FROM range(DATE '2024-01-01', DATE '2025-01-01', INTERVAL 1 DAY) t(d)
      ) TO ${q(path.join(tmp, 'weather.ndjson'))} (FORMAT json)`);
    await run(`CREATE TABLE trips AS
      WITH base AS (
        SELECT i,
               TIMESTAMP '2024-01-01 00:00:00' + to_seconds((i * 31 + (i * 7) % 29)::BIGINT) AS pickup_at,
               round(0.5 + ((i * 13) % 400) / 10.0, 2) AS distance_km
        FROM range(1000000) t(i)
      )
      SELECT (i + 1)::BIGINT AS trip_id,
             pickup_at,
             pickup_at + to_seconds((240 + (i * 37) % 3000)::BIGINT) AS dropoff_at,
             (1 + (i * 7919) % 265)::INTEGER AS pickup_zone_id,
             (1 + (i * 104729) % 265)::INTEGER AS dropoff_zone_id,
             CASE WHEN i % 97 = 0 THEN NULL ELSE (1 + i % 4)::SMALLINT END AS passenger_count,
             distance_km,
             (2.50 + distance_km * 1.75)::DECIMAL(10, 2) AS fare,
             CASE WHEN i % 4 = 0 THEN ((2.50 + distance_km * 1.75) * 0.15)::DECIMAL(10, 2) ELSE 0.00::DECIMAL(10, 2) END AS tip,
             ['card', 'cash', 'mobile', 'voucher'][1 + (i % 4)] AS payment_type,
             year(pickup_at)::INTEGER AS year,
             month(pickup_at)::INTEGER AS month
      FROM base`);
    await run(`COPY trips TO ${q(path.join(tmp, 'trips'))} (FORMAT parquet, PARTITION_BY (year, month), ROW_GROUP_SIZE 20000)`);
  } finally {
    duckdb.disconnect_sync(con);
    duckdb.close_sync(db);
  }
  fs.writeFileSync(path.join(tmp, '.generated'), VERSION);
  fs.rmSync(lakeDir, { recursive: true, force: true });
  fs.renameSync(tmp, lakeDir);
  return true;
}

/** Generates the example lake when `catalogDir` is the example catalog shipped in the package. */
export async function ensureExampleLakeFor(catalogDir: string, packageRoot: string, log: (msg: string) => void = () => {}): Promise<void> {
  const example = path.join(packageRoot, 'catalog');
  const p = path.resolve(catalogDir);
  if (p === example || p === path.join(example, 'catalog.yaml')) await ensureExampleLake(path.join(example, 'lake'), log);
}
