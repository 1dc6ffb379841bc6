import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import duckdb from '@duckdb/node-bindings';
import pg from 'pg';
import Cursor from 'pg-cursor';
import { benchDatabase, benchPgUrl, hasTable } from './postgres.js';
import { readAll } from './raw-reader.js';
import { repeat, type Stat } from './stats.js';

/** The 8-column table of the streaming benchmark, defined once for DuckDB and once for PostgreSQL. */
const DUCK_SELECT = (rows: number) => `SELECT i::BIGINT AS id, (i % 100000)::INTEGER AS n, i / 7.0 AS x, 'row-' || i AS label,
  DATE '2020-01-01' + (i % 3650)::INTEGER AS day, TIMESTAMP '2020-01-01' + to_seconds(i) AS ts, i % 3 = 0 AS flag,
  (i % 1000000 / 100.0)::DECIMAL(18,2) AS amount FROM range(${rows}) t(i)`;
const PG_SELECT = (rows: number) => `SELECT i::bigint AS id, (i % 100000)::int AS n, i / 7.0::float8 AS x, 'row-' || i AS label,
  DATE '2020-01-01' + (i % 3650)::int AS day, TIMESTAMP '2020-01-01' + make_interval(secs => i) AS ts, i % 3 = 0 AS flag,
  (i % 1000000 / 100.0)::numeric(18,2) AS amount FROM generate_series(0, ${rows - 1}) i`;

export async function ensureStreamData(dataDir: string, rows: number, log: (s: string) => void): Promise<{ parquet: string; pgTable: string }> {
  fs.mkdirSync(dataDir, { recursive: true });
  const parquet = path.join(dataDir, `stream_${rows}.parquet`);
  if (!fs.existsSync(parquet)) {
    log(`writing ${rows} rows to ${parquet}`);
    const db = await duckdb.open(':memory:');
    const con = await duckdb.connect(db);
    await duckdb.query(con, `COPY (${DUCK_SELECT(rows)}) TO '${parquet}.tmp' (FORMAT parquet)`);
    duckdb.disconnect_sync(con);
    duckdb.close_sync(db);
    fs.renameSync(`${parquet}.tmp`, parquet);
  }
  const pgTable = `stream_${rows}`;
  const c = await benchDatabase();
  if (!(await hasTable(c, pgTable, rows))) {
    log(`loading ${rows} rows into PostgreSQL table ${pgTable}`);
    await c.query(`DROP TABLE IF EXISTS ${pgTable}`);
    await c.query(`CREATE UNLOGGED TABLE ${pgTable} AS ${PG_SELECT(rows)}`);
    await c.query(`VACUUM ANALYZE ${pgTable}`);
  }
  await c.end();
  return { parquet, pgTable };
}

export interface Target {
  name: 'lakegate' | 'postgres';
  port: number;
  user: string;
  password?: string;
  database: string;
  table: string;
}

export interface StreamResult {
  client: string;
  target: string;
  rowsPerSec: Stat;
  mbPerSec: Stat;
}

function runPsql(t: Target, args: string[]): Promise<{ bytes: number; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('psql', ['-X', '-h', '127.0.0.1', '-p', String(t.port), '-U', t.user, '-d', t.database, ...args], {
      env: { ...process.env, PGPASSWORD: t.password ?? '' },
    });
    let bytes = 0;
    let err = '';
    child.stdout.on('data', (d: Buffer) => (bytes += d.length));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => (code === 0 ? resolve({ bytes, ms: performance.now() - started }) : reject(new Error(`psql: ${err}`))));
  });
}

async function pgClientRead(t: Target, sql: string, binary: boolean): Promise<{ rows: number; ms: number }> {
  const c = new pg.Client({ host: '127.0.0.1', port: t.port, user: t.user, password: t.password, database: t.database, binary, types: { getTypeParser: () => (v: unknown) => v } } as pg.ClientConfig);
  await c.connect();
  const started = performance.now();
  const cursor = c.query(new Cursor(sql, [], { rowMode: 'array' }));
  let rows = 0;
  for (;;) {
    const batch = await cursor.read(50_000);
    if (batch.length === 0) break;
    rows += batch.length;
  }
  const ms = performance.now() - started;
  await cursor.close();
  await c.end();
  return { rows, ms };
}

/** One streaming client against one target, repeated; returns rows/s and MB/s. */
export async function measureStreaming(t: Target, rows: number, client: string, runs: number): Promise<StreamResult> {
  const sql = `SELECT * FROM ${t.table}`;
  const mb: number[] = [];
  const rps = await repeat(runs, async () => {
    switch (client) {
      case 'wire text':
      case 'wire binary': {
        const r = await readAll({ port: t.port, user: t.user, database: t.database, sql, binary: client === 'wire binary' });
        if (r.rows !== rows) throw new Error(`${t.name}: expected ${rows} rows, got ${r.rows}`);
        mb.push(r.bytes / r.ms / 1000);
        return (r.rows / r.ms) * 1000;
      }
      case 'pg text':
      case 'pg binary': {
        const r = await pgClientRead(t, sql, client === 'pg binary');
        if (r.rows !== rows) throw new Error(`${t.name}: expected ${rows} rows, got ${r.rows}`);
        mb.push(NaN);
        return (r.rows / r.ms) * 1000;
      }
      case 'psql': {
        const r = await runPsql(t, ['-At', '-v', 'FETCH_COUNT=100000', '-c', sql]);
        mb.push(r.bytes / r.ms / 1000);
        return (rows / r.ms) * 1000;
      }
      default: {
        const format = client.replace('COPY ', '');
        const r = await runPsql(t, ['-c', `COPY (${sql}) TO STDOUT (FORMAT ${format})`]);
        mb.push(r.bytes / r.ms / 1000);
        return (rows / r.ms) * 1000;
      }
    }
  });
  return { client, target: t.name, rowsPerSec: rps, mbPerSec: { median: mb.sort((a, b) => a - b)[Math.floor(mb.length / 2)]!, min: Math.min(...mb), max: Math.max(...mb), runs: mb } };
}

export const STREAM_CLIENTS = ['wire text', 'wire binary', 'pg text', 'pg binary', 'psql', 'COPY text', 'COPY csv', 'COPY binary'];

export { benchPgUrl };
