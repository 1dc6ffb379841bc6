import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { onExit } from './children.js';
import type { BenchContext } from './context.js';
import { InProcessDuckDB } from './duckdb-inprocess.js';
import { runPgbench, type PgbenchMode, type PgbenchResult } from './pgbench.js';
import { benchDatabase, BENCH_PG_DATABASE, loadedFingerprint, pgTarget, recordFingerprint, withLoadLock } from './postgres.js';
import type { ConnectTarget } from './psql.js';
import { BENCH_USER, ServerProcess } from './server-process.js';
import { stat, table, type Stat } from './stats.js';
import { profileArgs } from './streaming.js';

const SMALL_ROWS = 10_000;
const SMALL_FINGERPRINT = 'small-1';

/** `SELECT 1`, a point lookup and a 100-row range read on a 10,000-row table, one transaction of the script. */
const SCRIPT = `\\set id random(1, ${SMALL_ROWS - 99})
\\set hi :id + 99
SELECT 1;
SELECT id, name, amount, day FROM bench.small WHERE id = :id;
SELECT id, name, amount, day FROM bench.small WHERE id BETWEEN :id AND :hi;
`;
const STATEMENTS = ['SELECT 1', 'point lookup', '100-row range'];
/** The script's statements for in-process DuckDB: with $n parameters, and as literal text. */
const DUCK_STATEMENTS: { prepared: string; params: (id: number) => number[]; text: (id: number) => string }[] = [
  { prepared: 'SELECT 1', params: () => [], text: () => 'SELECT 1' },
  { prepared: 'SELECT id, name, amount, day FROM bench.small WHERE id = $1', params: (id) => [id], text: (id) => `SELECT id, name, amount, day FROM bench.small WHERE id = ${id}` },
  {
    prepared: 'SELECT id, name, amount, day FROM bench.small WHERE id BETWEEN $1 AND $2',
    params: (id) => [id, id + 99],
    text: (id) => `SELECT id, name, amount, day FROM bench.small WHERE id BETWEEN ${id} AND ${id + 99}`,
  },
];
/** A fixed pseudo-random id sequence (pgbench draws its own). */
const idAt = (i: number): number => 1 + ((i * 7919) % (SMALL_ROWS - 99));

/** The engine's own time per statement, in this process: prepared (bound and streamed) and as text (parsed and planned each time). */
async function engineBaseline(ctx: BenchContext, parquet: string): Promise<{ statement: string; preparedMs: number; textMs: number }[]> {
  const duck = await InProcessDuckDB.open(ctx.opts.threads, [{ schema: 'bench', name: 'small', parquet }]);
  try {
    const iterations = ctx.opts.quick ? 200 : 2000;
    const out = [];
    for (const [i, st] of DUCK_STATEMENTS.entries()) {
      await duck.meanPreparedMs(st.prepared, 20, (k) => st.params(idAt(k)));
      const preparedMs = await duck.meanPreparedMs(st.prepared, iterations, (k) => st.params(idAt(k)));
      const textMs = await duck.meanQueryMs((k) => st.text(idAt(k)), iterations);
      out.push({ statement: STATEMENTS[i]!, preparedMs, textMs });
    }
    return out;
  } finally {
    duck.close();
  }
}

export const PGBENCH_CLIENTS = [1, 4, 16];
export const PGBENCH_MODES: PgbenchMode[] = ['simple', 'extended', 'prepared'];

const DUCK_SMALL = `SELECT i::INTEGER AS id, 'name-' || i AS name, (i * 1.25)::DECIMAL(18,2) AS amount, DATE '2024-01-01' + (i % 365)::INTEGER AS day
  FROM range(1, ${SMALL_ROWS + 1}) t(i)`;
const PG_SMALL = `SELECT i AS id, 'name-' || i AS name, (i * 1.25)::numeric(18,2) AS amount, DATE '2024-01-01' + (i % 365) AS day
  FROM generate_series(1, ${SMALL_ROWS}) i`;

async function ensureSmallData(dataDir: string, log: (s: string) => void): Promise<string> {
  fs.mkdirSync(dataDir, { recursive: true });
  const parquet = path.join(dataDir, `small_${SMALL_ROWS}.parquet`);
  if (!fs.existsSync(parquet)) {
    const tmp = `${parquet}.tmp-${process.pid}`;
    const instance = await DuckDBInstance.create(':memory:');
    const con = await instance.connect();
    try {
      await con.run(`COPY (${DUCK_SMALL}) TO '${tmp}' (FORMAT parquet)`);
    } finally {
      con.closeSync();
      instance.closeSync();
    }
    fs.renameSync(tmp, parquet);
  }
  const c = await benchDatabase();
  try {
    await withLoadLock(c, 'bench.small', async () => {
      if ((await loadedFingerprint(c, 'bench.small')) === SMALL_FINGERPRINT) return;
      log('loading bench.small into PostgreSQL');
      await c.query('CREATE SCHEMA IF NOT EXISTS bench');
      await c.query('DROP TABLE IF EXISTS bench.small');
      await c.query(`CREATE TABLE bench.small AS ${PG_SMALL}`);
      await c.query('ALTER TABLE bench.small ADD PRIMARY KEY (id)');
      await c.query('VACUUM ANALYZE bench.small');
      await recordFingerprint(c, 'bench.small', SMALL_FINGERPRINT);
    });
  } finally {
    await c.end();
  }
  return parquet;
}

interface ConfigResult {
  target: 'lakegate' | 'postgres';
  clients: number;
  mode: PgbenchMode;
  tps: Stat;
  latencyMs: Stat;
  /** Median per-statement latency (ms) of SELECT 1, point lookup, range read. */
  statementMs: number[];
  runs: PgbenchResult[];
}

/** Workload 3: pgbench with a custom script against lakegate and PostgreSQL. */
export async function runSmallQueries(ctx: BenchContext): Promise<Record<string, unknown>> {
  const { runs, pgbenchSeconds } = ctx.opts;
  const parquet = await ensureSmallData(ctx.dataDir, ctx.log);
  ctx.log('small queries: in-process DuckDB baseline');
  const baseline = await engineBaseline(ctx, parquet);
  const scriptDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lakegate-bench-pgbench-'));
  const unregister = onExit(() => fs.rmSync(scriptDir, { recursive: true, force: true }));
  const script = path.join(scriptDir, 'small.sql');
  fs.writeFileSync(script, SCRIPT);
  const server = await ServerProcess.start({
    catalog: { database: 'lakegate', users: [{ name: BENCH_USER, method: 'trust' }], schemas: { bench: { small: { parquet } } } },
    threads: ctx.opts.threads,
    nodeArgs: profileArgs(ctx, 'small-queries'),
  });
  const targets: { name: 'lakegate' | 'postgres'; target: ConnectTarget }[] = [
    { name: 'lakegate', target: { port: server.port, user: BENCH_USER, database: 'lakegate' } },
    { name: 'postgres', target: pgTarget(BENCH_PG_DATABASE) },
  ];
  const results: ConfigResult[] = [];
  const errors: string[] = [];
  let peakRss = 0;
  try {
    // Warm-up, not measured: the server's first statements pay for JIT compilation and first file reads.
    for (const t of targets) {
      ctx.log(`pgbench ${t.name}: warm-up`);
      for (const mode of PGBENCH_MODES) {
        await runPgbench({ target: t.target, script, clients: 2, threads: 1, seconds: Math.max(1, Math.round(pgbenchSeconds / 2)), mode }).catch((e: unknown) => {
          errors.push(`${t.name} warm-up ${mode}: ${e instanceof Error ? e.message : String(e)}`);
        });
      }
    }
    for (const clients of PGBENCH_CLIENTS) {
      for (const mode of PGBENCH_MODES) {
        const samples = new Map<string, PgbenchResult[]>(targets.map((t) => [t.name, []]));
        for (let r = 0; r < runs; r++) {
          for (const t of targets) {
            if (errors.some((e) => e.startsWith(`${t.name} ${clients} ${mode}`))) continue;
            ctx.log(`pgbench ${t.name}: ${clients} clients, ${mode}, run ${r + 1} of ${runs}`);
            try {
              const res = await runPgbench({ target: t.target, script, clients, threads: Math.min(clients, os.availableParallelism()), seconds: pgbenchSeconds, mode });
              samples.get(t.name)!.push(res);
            } catch (e) {
              errors.push(`${t.name} ${clients} ${mode}: ${e instanceof Error ? e.message : String(e)}`);
            }
          }
        }
        for (const t of targets) {
          const s = samples.get(t.name)!;
          if (!s.length) continue;
          const perStatement = STATEMENTS.map((_, i) => stat(s.map((x) => x.statements.filter((st) => !st.command.startsWith('\\'))[i]?.latencyMs ?? NaN)).median);
          results.push({ target: t.name, clients, mode, tps: stat(s.map((x) => x.tps)), latencyMs: stat(s.map((x) => x.latencyMs)), statementMs: perStatement, runs: s });
        }
      }
    }
  } finally {
    peakRss = server.peakRss();
    await server.stop();
    fs.rmSync(scriptDir, { recursive: true, force: true });
    unregister();
  }
  return report(ctx, results, baseline, errors, peakRss);
}

function report(
  ctx: BenchContext,
  results: ConfigResult[],
  baseline: { statement: string; preparedMs: number; textMs: number }[],
  errors: string[],
  peakRss: number,
): Record<string, unknown> {
  const find = (target: string, clients: number, mode: PgbenchMode): ConfigResult | undefined =>
    results.find((r) => r.target === target && r.clients === clients && r.mode === mode);
  const rows: (string | number)[][] = [];
  for (const clients of PGBENCH_CLIENTS) {
    for (const mode of PGBENCH_MODES) {
      const l = find('lakegate', clients, mode);
      const p = find('postgres', clients, mode);
      rows.push([
        String(clients),
        mode,
        l ? l.tps.median : '-',
        l ? `${l.tps.min.toFixed(0)}-${l.tps.max.toFixed(0)}` : '-',
        p ? p.tps.median : '-',
        p ? `${p.tps.min.toFixed(0)}-${p.tps.max.toFixed(0)}` : '-',
        l && p ? `${(l.tps.median / p.tps.median).toFixed(2)}x` : '-',
        l ? l.latencyMs.median.toFixed(3) : '-',
        p ? p.latencyMs.median.toFixed(3) : '-',
      ]);
    }
  }
  ctx.print(`\n## 3. Small queries: pgbench, one transaction = SELECT 1 + point lookup + 100-row range read, ${ctx.opts.pgbenchSeconds} s per run, median of ${ctx.opts.runs}\n`);
  ctx.print(table(['clients', 'mode', 'lakegate TPS', 'min-max', 'PostgreSQL TPS', 'min-max', 'ratio', 'lakegate ms/tx', 'PostgreSQL ms/tx'], rows));
  // Per-statement latency at one client: the gateway's overhead per statement on the hot path is
  // lakegate's latency minus the engine's own time for the same statement (prepared for the
  // extended modes, parsed and planned from text for the simple mode).
  const stmtRows: (string | number)[][] = [];
  for (const mode of PGBENCH_MODES) {
    const l = find('lakegate', 1, mode);
    const p = find('postgres', 1, mode);
    STATEMENTS.forEach((name, i) => {
      const lm = l?.statementMs[i];
      const pm = p?.statementMs[i];
      const engine = mode === 'prepared' ? baseline[i]!.preparedMs : baseline[i]!.textMs;
      stmtRows.push([mode, name, lm?.toFixed(3) ?? '-', engine.toFixed(3), lm !== undefined ? (lm - engine).toFixed(3) : '-', pm?.toFixed(3) ?? '-']);
    });
  }
  ctx.print('\nPer-statement latency at 1 client (pgbench -r), ms; DuckDB = the same statement in-process (prepared for -M prepared, from text otherwise):\n');
  ctx.print(table(['mode', 'statement', 'lakegate', 'DuckDB in-process', 'lakegate overhead', 'PostgreSQL'], stmtRows));
  ctx.print(`lakegate peak RSS during pgbench: ${(peakRss / 2 ** 20).toFixed(0)} MB`);
  if (errors.length) {
    ctx.print('\nFindings:');
    for (const e of errors) ctx.print(`- ${e}`);
  }
  return { seconds: ctx.opts.pgbenchSeconds, runs: ctx.opts.runs, script: SCRIPT, results, engineBaselineMs: baseline, errors, peakRssBytes: peakRss };
}
