import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import pg from 'pg';
import Cursor from 'pg-cursor';
import type { BenchContext } from './context.js';
import { benchDatabase, BENCH_PG_DATABASE, loadedFingerprint, pgTarget, recordFingerprint, withLoadLock } from './postgres.js';
import { runPsql, type ConnectTarget } from './psql.js';
import { readAll } from './raw-reader.js';
import { BENCH_USER, ServerProcess } from './server-process.js';
import { repeat, stat, table, type Stat } from './stats.js';

/** The 8-column table of the streaming benchmark, defined once for DuckDB and once for PostgreSQL. */
const DUCK_SELECT = (rows: number): string => `SELECT i::BIGINT AS id, (i % 100000)::INTEGER AS n, i / 7.0 AS x, 'row-' || i AS label,
  DATE '2020-01-01' + (i % 3650)::INTEGER AS day, TIMESTAMP '2020-01-01' + to_seconds(i) AS ts, i % 3 = 0 AS flag,
  (i % 1000000 / 100.0)::DECIMAL(18,2) AS amount FROM range(${rows}) t(i)`;
const PG_SELECT = (rows: number): string => `SELECT i::bigint AS id, (i % 100000)::int AS n, i / 7.0::float8 AS x, 'row-' || i AS label,
  DATE '2020-01-01' + (i % 3650)::int AS day, TIMESTAMP '2020-01-01' + make_interval(secs => i) AS ts, i % 3 = 0 AS flag,
  (i % 1000000 / 100.0)::numeric(18,2) AS amount FROM generate_series(0, ${rows - 1}) i`;
const STREAM_FINGERPRINT = 'stream-1';

/** Writes the Parquet file and the PostgreSQL table for `rows` rows, once per machine. */
export async function ensureStreamData(dataDir: string, rows: number, log: (s: string) => void): Promise<{ parquet: string; pgTable: string }> {
  fs.mkdirSync(dataDir, { recursive: true });
  const parquet = path.join(dataDir, `stream_${rows}.parquet`);
  if (!fs.existsSync(parquet)) {
    log(`writing ${rows} rows to ${parquet}`);
    const tmp = `${parquet}.tmp-${process.pid}`;
    const instance = await DuckDBInstance.create(':memory:');
    const con = await instance.connect();
    try {
      await con.run(`COPY (${DUCK_SELECT(rows)}) TO '${tmp}' (FORMAT parquet)`);
    } finally {
      con.closeSync();
      instance.closeSync();
    }
    fs.renameSync(tmp, parquet);
  }
  const pgTable = `stream_${rows}`;
  const c = await benchDatabase();
  try {
    await withLoadLock(c, pgTable, async () => {
      if ((await loadedFingerprint(c, pgTable)) === STREAM_FINGERPRINT) return;
      log(`loading ${rows} rows into PostgreSQL table ${pgTable}`);
      await c.query(`DROP TABLE IF EXISTS ${pgTable}`);
      await c.query(`CREATE UNLOGGED TABLE ${pgTable} AS ${PG_SELECT(rows)}`);
      await c.query(`VACUUM ANALYZE ${pgTable}`);
      await recordFingerprint(c, pgTable, STREAM_FINGERPRINT);
    });
  } finally {
    await c.end();
  }
  return { parquet, pgTable };
}

export interface Target extends ConnectTarget {
  name: 'lakegate' | 'postgres';
  table: string;
}

export interface StreamResult {
  client: string;
  target: string;
  rows: number;
  rowsPerSec: Stat;
  /** Bytes received per second (protocol bytes for the raw reader, output bytes for psql), NaN where not measured. */
  mbPerSec: Stat;
  /** lakegate's peak RSS during these runs (bytes), where it could be measured on its own. */
  peakRssBytes?: number;
}

async function pgClientRead(t: Target, sql: string, binary: boolean): Promise<{ rows: number; ms: number }> {
  const c = new pg.Client({ host: t.host, port: t.port, user: t.user, password: t.password, database: t.database, binary, types: { getTypeParser: () => (v: unknown) => v } } as pg.ClientConfig);
  await c.connect();
  try {
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
    return { rows, ms };
  } finally {
    await c.end();
  }
}

/**
 * The clients: the raw reader (what the server can deliver), node `pg` with
 * a cursor (a real driver, which parses every row), psql with FETCH_COUNT,
 * and COPY (SELECT ...) TO STDOUT through psql in the three formats.
 */
export const STREAM_CLIENTS = ['wire text', 'wire binary', 'pg text', 'pg binary', 'psql', 'COPY text', 'COPY csv', 'COPY binary'] as const;
export type StreamClient = (typeof STREAM_CLIENTS)[number];

/** Clients whose own parsing caps the rate well below the server's: they read fewer rows. */
const CLIENT_BOUND: ReadonlySet<StreamClient> = new Set(['pg text', 'pg binary', 'psql']);

function checkRows(t: Target, expected: number, got: number): void {
  if (got !== expected) throw new Error(`${t.name}: expected ${expected} rows, got ${got}`);
}

/**
 * One streaming client against one target, repeated; returns rows/s and MB/s.
 * `limit` reads only the first rows of the table (for the client-bound clients).
 */
export async function measureStreaming(t: Target, rows: number, client: StreamClient, runs: number, limit = false): Promise<StreamResult> {
  const sql = limit ? `SELECT * FROM ${t.table} LIMIT ${rows}` : `SELECT * FROM ${t.table}`;
  const mb: number[] = [];
  const rps = await repeat(runs, async () => {
    switch (client) {
      case 'wire text':
      case 'wire binary': {
        const r = await readAll({ host: t.host, port: t.port, user: t.user, database: t.database, sql, binary: client === 'wire binary' });
        checkRows(t, rows, r.rows);
        mb.push(r.bytes / r.ms / 1000);
        return (r.rows / r.ms) * 1000;
      }
      case 'pg text':
      case 'pg binary': {
        const r = await pgClientRead(t, sql, client === 'pg binary');
        checkRows(t, rows, r.rows);
        mb.push(NaN);
        return (r.rows / r.ms) * 1000;
      }
      case 'psql': {
        const r = await runPsql(t, ['-At', '-v', 'FETCH_COUNT=100000', '-c', sql]);
        mb.push(r.stdoutBytes / r.ms / 1000);
        return (rows / r.ms) * 1000;
      }
      default: {
        const format = client.replace('COPY ', '');
        const r = await runPsql(t, ['-c', `COPY (${sql}) TO STDOUT (FORMAT ${format})`]);
        mb.push(r.stdoutBytes / r.ms / 1000);
        return (rows / r.ms) * 1000;
      }
    }
  });
  return { client, target: t.name, rows, rowsPerSec: rps, mbPerSec: stat(mb) };
}

const mrows = (s: Stat): string => `${(s.min / 1e6).toFixed(2)}-${(s.max / 1e6).toFixed(2)}`;
const mbs = (s: Stat): string => (Number.isNaN(s.median) ? '-' : s.median.toFixed(0));

/**
 * Drains a 100M-row (by default) result computed inside lakegate (the
 * streaming table's query as a catalog view, so no file of that size is
 * needed) with the raw
 * binary reader and reads the server's peak RSS: memory must stay bounded
 * however large the result.
 */
async function memoryCheck(ctx: BenchContext, rows: number): Promise<Record<string, number>> {
  const server = await ServerProcess.start({
    catalog: { database: 'lakegate', users: [{ name: BENCH_USER, method: 'trust' }], views: { 'bench.huge': DUCK_SELECT(rows) } },
    threads: ctx.opts.threads,
    nodeArgs: profileArgs(ctx, 'streaming-huge'),
  });
  try {
    const rssBefore = server.rss();
    ctx.log(`memory check: streaming ${rows.toLocaleString('en')} rows (binary) from lakegate`);
    const stopSampling = server.sampleRss(500);
    const r = await readAll({ port: server.port, user: BENCH_USER, database: 'lakegate', sql: 'SELECT * FROM bench.huge', binary: true });
    const sampledPeak = stopSampling();
    if (r.rows !== rows) throw new Error(`memory check: expected ${rows} rows, got ${r.rows}`);
    return { rows, seconds: r.ms / 1000, rowsPerSec: (r.rows / r.ms) * 1000, rssBeforeBytes: rssBefore, peakRssBytes: server.peakRss(), sampledPeakRssBytes: sampledPeak };
  } finally {
    await server.stop();
  }
}

export function profileArgs(ctx: BenchContext, name: string): string[] {
  if (!ctx.opts.profileDir) return [];
  fs.mkdirSync(ctx.opts.profileDir, { recursive: true });
  return ['--cpu-prof', '--cpu-prof-dir', ctx.opts.profileDir, '--cpu-prof-name', `${name}-${Date.now()}.cpuprofile`];
}

export async function runStreaming(ctx: BenchContext): Promise<Record<string, unknown>> {
  const { streamRows: rows, clientRows, runs } = ctx.opts;
  const { parquet, pgTable } = await ensureStreamData(ctx.dataDir, rows, ctx.log);
  const server = await ServerProcess.start({
    catalog: { database: 'lakegate', users: [{ name: BENCH_USER, method: 'trust' }], schemas: { bench: { stream: { parquet } } } },
    threads: ctx.opts.threads,
    nodeArgs: profileArgs(ctx, 'streaming'),
  });
  const lakegate: Target = { name: 'lakegate', port: server.port, user: BENCH_USER, database: 'lakegate', table: 'bench.stream' };
  const postgres: Target = { name: 'postgres', ...pgTarget(BENCH_PG_DATABASE), table: pgTable };
  const results: StreamResult[] = [];
  let peakRss = 0;
  try {
    // Warm-up, not measured: lakegate's encoders get JIT-compiled on the first rows, PostgreSQL's table gets cached.
    for (const t of [lakegate, postgres]) {
      ctx.log(`streaming warm-up: ${t.name}`);
      await measureStreaming(t, Math.min(rows, 1_000_000), 'wire text', 1, rows > 1_000_000);
      await measureStreaming(t, Math.min(rows, 1_000_000), 'wire binary', 1, rows > 1_000_000);
    }
    for (const client of STREAM_CLIENTS) {
      const n = CLIENT_BOUND.has(client) ? Math.min(rows, clientRows) : rows;
      for (const t of [lakegate, postgres]) {
        ctx.log(`streaming ${n} rows: ${client} from ${t.name}`);
        const own = t === lakegate && server.resetPeakRss();
        const r = await measureStreaming(t, n, client, runs, n < rows);
        if (own) r.peakRssBytes = server.peakRss();
        results.push(r);
      }
    }
  } finally {
    // The peak mark was reset before each lakegate client: the overall peak is the largest of theirs.
    peakRss = Math.max(server.peakRss(), ...results.map((r) => r.peakRssBytes ?? 0));
    await server.stop();
  }
  const huge = ctx.opts.hugeRows > 0 ? await memoryCheck(ctx, ctx.opts.hugeRows) : null;

  const rowsOut = STREAM_CLIENTS.map((client) => {
    const l = results.find((r) => r.client === client && r.target === 'lakegate')!;
    const p = results.find((r) => r.client === client && r.target === 'postgres')!;
    return [
      client,
      l.rows.toLocaleString('en'),
      l.rowsPerSec.median / 1e6,
      mrows(l.rowsPerSec),
      p.rowsPerSec.median / 1e6,
      mrows(p.rowsPerSec),
      `${(l.rowsPerSec.median / p.rowsPerSec.median).toFixed(2)}x`,
      mbs(l.mbPerSec),
      mbs(p.mbPerSec),
      l.peakRssBytes ? (l.peakRssBytes / 2 ** 20).toFixed(0) : '-',
    ];
  });
  ctx.print(`\n## 1. Bulk streaming: SELECT * of an 8-column table, median of ${runs}\n`);
  ctx.print(table(['client', 'rows', 'lakegate Mrows/s', 'min-max', 'PostgreSQL Mrows/s', 'min-max', 'ratio', 'lakegate MB/s', 'PostgreSQL MB/s', 'lakegate peak RSS MB'], rowsOut));
  ctx.print(`\nlakegate peak RSS over these runs: ${(peakRss / 2 ** 20).toFixed(0)} MB`);
  if (huge) {
    ctx.print(
      `memory check: ${huge.rows!.toLocaleString('en')} rows streamed (binary) in ${huge.seconds!.toFixed(0)} s (${(huge.rowsPerSec! / 1e6).toFixed(2)} Mrows/s); ` +
        `lakegate RSS ${(huge.rssBeforeBytes! / 2 ** 20).toFixed(0)} MB before, peak ${(huge.peakRssBytes! / 2 ** 20).toFixed(0)} MB`,
    );
  } else {
    ctx.print('memory check (100M rows): skipped in this run');
  }
  return { rows, clientRows, runs, results, peakRssBytes: peakRss, memoryCheck: huge };
}
