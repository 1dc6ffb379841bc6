import { compareResults, describeComparison, type Cell } from './compare.js';
import type { BenchContext } from './context.js';
import { InProcessDuckDB } from './duckdb-inprocess.js';
import { pgTarget } from './postgres.js';
import { RawSession, ServerError } from './raw-reader.js';
import { BENCH_USER, ServerProcess } from './server-process.js';
import { geomean, stat, table, type Stat } from './stats.js';
import { profileArgs } from './streaming.js';
import { prepareTpch, tpchCatalog } from './tpch/prepare.js';
import { tpchQueries } from './tpch/queries.js';
import { TPCH_TABLES } from './tpch/schema.js';

type System = 'lakegate' | 'duckdb' | 'duckdbStreaming' | 'postgres';

interface QueryOutcome {
  id: string;
  title: string;
  rows: Partial<Record<System, number>>;
  ms: Partial<Record<System, Stat>>;
  errors: Partial<Record<System, string>>;
  /** PostgreSQL hit statement_timeout: its time is at least the timeout. */
  postgresTimedOut: boolean;
  /** Result checks: each system against PostgreSQL (or lakegate against DuckDB when PostgreSQL failed). */
  checks: { system: string; against: string; result: string }[];
}

/**
 * Workload 2. Each query runs once untimed on every system (warm-up and
 * result check), then `runs` timed rounds, interleaving the systems.
 *
 * lakegate and PostgreSQL are timed through the raw protocol reader: one
 * Parse/Bind/Execute/Sync round trip, from sending to ReadyForQuery, with
 * DataRows counted but not decoded. TPC-H results are small, so a driver
 * would parse little, but the raw reader takes client cost out entirely and
 * treats both servers the same. In-process DuckDB is timed twice: as one
 * materialized duckdb_query (the engine's own limit) and as a prepared
 * streaming result read chunk by chunk (what lakegate does, minus the wire).
 */
export async function runAnalytics(ctx: BenchContext): Promise<Record<string, unknown>> {
  const { runs, threads, scale } = ctx.opts;
  const data = await prepareTpch(ctx);
  const queries = tpchQueries(scale);
  const server = await ServerProcess.start({ catalog: tpchCatalog(data.files), threads, nodeArgs: profileArgs(ctx, 'analytics') });
  const pgOptions = `-c work_mem=${ctx.opts.pgWorkMem} -c statement_timeout=${ctx.opts.pgTimeoutSeconds * 1000}`;
  let lake: RawSession | null = null;
  let pgs: RawSession | null = null;
  let duck: InProcessDuckDB | null = null;
  const outcomes: QueryOutcome[] = [];
  let peakRss = 0;
  try {
    lake = await RawSession.connect({ port: server.port, user: BENCH_USER, database: 'lakegate' });
    pgs = await RawSession.connect({ ...pgTarget(data.pgDatabase), params: { options: pgOptions } });
    duck = await InProcessDuckDB.open(threads, TPCH_TABLES.map((t) => ({ schema: 'tpch', name: t.name, parquet: data.files.files[t.name]! })));
    for (const q of queries) {
      ctx.log(`analytics ${q.id}: check and warm-up`);
      const o: QueryOutcome = { id: q.id, title: q.title, rows: {}, ms: {}, errors: {}, postgresTimedOut: false, checks: [] };
      outcomes.push(o);
      const results: Partial<Record<System, Cell[][]>> = {};
      const attempt = async (system: System, fn: () => Promise<{ values: Cell[][] }>): Promise<void> => {
        try {
          const r = await fn();
          results[system] = r.values;
          o.rows[system] = r.values.length;
        } catch (e) {
          if (system === 'postgres' && e instanceof ServerError && e.code === '57014') o.postgresTimedOut = true;
          o.errors[system] = e instanceof Error ? e.message : String(e);
        }
      };
      await attempt('postgres', async () => ({ values: (await pgs!.query(q.sql, { collect: true })).values! }));
      await attempt('lakegate', async () => ({ values: (await lake!.query(q.sql, { collect: true })).values! }));
      await attempt('duckdb', async () => duck!.values(q.sql));
      const reference = results.postgres ? 'postgres' : 'duckdb';
      for (const system of ['lakegate', 'duckdb'] as const) {
        if (system === reference || !results[system] || !results[reference]) continue;
        const c = compareResults(results[reference]!, results[system]!);
        o.checks.push({ system, against: reference, result: describeComparison(c) });
      }

      const samples: Record<System, number[]> = { lakegate: [], duckdb: [], duckdbStreaming: [], postgres: [] };
      for (let r = 0; r < runs; r++) {
        ctx.log(`analytics ${q.id}: run ${r + 1} of ${runs}`);
        if (!o.errors.lakegate) samples.lakegate.push((await lake.query(q.sql)).ms);
        if (!o.errors.duckdb) {
          samples.duckdb.push((await duck.timeMaterialized(q.sql)).ms);
          samples.duckdbStreaming.push((await duck.timeStreaming(q.sql)).ms);
        }
        if (!o.errors.postgres) {
          try {
            samples.postgres.push((await pgs.query(q.sql)).ms);
          } catch (e) {
            o.errors.postgres = e instanceof Error ? e.message : String(e);
            if (e instanceof ServerError && e.code === '57014') o.postgresTimedOut = true;
          }
        }
      }
      for (const s of Object.keys(samples) as System[]) if (samples[s].length) o.ms[s] = stat(samples[s]);
      if (o.postgresTimedOut) o.ms.postgres = stat([ctx.opts.pgTimeoutSeconds * 1000]);
    }
  } finally {
    peakRss = server.peakRss();
    await lake?.close();
    await pgs?.close();
    duck?.close();
    await server.stop();
  }
  return report(ctx, outcomes, data.pgDatabase, peakRss, data.prepareSeconds);
}

const medianOf = (o: QueryOutcome, s: System): number | undefined => o.ms[s]?.median;

function report(ctx: BenchContext, outcomes: QueryOutcome[], pgDatabase: string, peakRss: number, prepareSeconds: number): Record<string, unknown> {
  const { runs, scale } = ctx.opts;
  const fmtMs = (v: number | undefined): string | number => (v === undefined ? '-' : v);
  const range = (s: Stat | undefined): string => (s ? `${s.min.toFixed(0)}-${s.max.toFixed(0)}` : '-');
  const ratio = (a: number | undefined, b: number | undefined): string => (a !== undefined && b !== undefined ? `${(a / b).toFixed(2)}x` : '-');
  const rows = outcomes.map((o) => {
    const failed = Object.entries(o.errors).filter(([s]) => !(s === 'postgres' && o.postgresTimedOut));
    const badChecks = o.checks.filter((c) => c.result !== 'equal');
    const check = failed.length ? `error: ${failed.map(([s]) => s).join(', ')}` : badChecks.length ? `differs: ${badChecks.map((c) => c.system).join(', ')}` : 'ok';
    return [
      o.id,
      fmtMs(medianOf(o, 'lakegate')),
      range(o.ms.lakegate),
      fmtMs(medianOf(o, 'duckdb')),
      fmtMs(medianOf(o, 'duckdbStreaming')),
      o.postgresTimedOut ? `>${ctx.opts.pgTimeoutSeconds * 1000}` : fmtMs(medianOf(o, 'postgres')),
      ratio(medianOf(o, 'lakegate'), medianOf(o, 'duckdb')),
      ratio(medianOf(o, 'postgres'), medianOf(o, 'lakegate')),
      String(o.rows.postgres ?? o.rows.lakegate ?? o.rows.duckdb ?? '-'),
      check,
    ];
  });
  // Geometric means over the queries every system answered (PostgreSQL timeouts count at the timeout: a lower bound).
  const common = outcomes.filter((o) => (['lakegate', 'duckdb', 'duckdbStreaming', 'postgres'] as System[]).every((s) => medianOf(o, s) !== undefined));
  const gm = (s: System): number | undefined => (common.length ? geomean(common.map((o) => medianOf(o, s)!)) : undefined);
  const geo = { lakegate: gm('lakegate'), duckdb: gm('duckdb'), duckdbStreaming: gm('duckdbStreaming'), postgres: gm('postgres') };
  rows.push(['geomean', fmtMs(geo.lakegate), '', fmtMs(geo.duckdb), fmtMs(geo.duckdbStreaming), fmtMs(geo.postgres), ratio(geo.lakegate, geo.duckdb), ratio(geo.postgres, geo.lakegate), '', `${common.length} queries`]);

  ctx.print(`\n## 2. Analytics: 22 TPC-H-style queries at scale ${scale}, milliseconds, median of ${runs}\n`);
  ctx.print(table(['query', 'lakegate', 'min-max', 'DuckDB', 'DuckDB stream', 'PostgreSQL', 'lakegate/DuckDB', 'PostgreSQL/lakegate', 'rows', 'check'], rows));
  ctx.print(`lakegate peak RSS during the analytics runs: ${(peakRss / 2 ** 20).toFixed(0)} MB; PostgreSQL work_mem ${ctx.opts.pgWorkMem} per session`);
  const findings: string[] = [];
  for (const o of outcomes) {
    for (const [s, msg] of Object.entries(o.errors)) {
      if (s === 'postgres' && o.postgresTimedOut) findings.push(`${o.id}: PostgreSQL exceeded statement_timeout (${ctx.opts.pgTimeoutSeconds} s)`);
      else findings.push(`${o.id}: ${s} failed: ${msg}`);
    }
    for (const c of o.checks) if (c.result !== 'equal') findings.push(`${o.id}: ${c.system} result differs from ${c.against}: ${c.result}`);
  }
  if (findings.length) {
    ctx.print('\nFindings:');
    for (const f of findings) ctx.print(`- ${f}`);
  } else {
    ctx.print('All results agree between lakegate, in-process DuckDB and PostgreSQL.');
  }
  return { scale, runs, pgDatabase, prepareSeconds, pgWorkMem: ctx.opts.pgWorkMem, queries: outcomes, geomeanMs: geo, geomeanQueries: common.map((o) => o.id), peakRssBytes: peakRss, findings };
}
