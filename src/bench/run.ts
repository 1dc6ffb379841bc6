import { Command, InvalidArgumentError } from 'commander';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PACKAGE_ROOT } from '../version.js';
import { runAnalytics } from './analytics.js';
import { installExitHandlers } from './children.js';
import { runConcurrency } from './concurrency.js';
import type { BenchContext, BenchOptions, WorkloadRun } from './context.js';
import { gitRevision, loadSample, machineInfo } from './machine.js';
import { dropBenchDatabases } from './postgres.js';
import { runSmallQueries } from './small-queries.js';
import { runStreaming } from './streaming.js';

export const WORKLOADS = ['streaming', 'analytics', 'small', 'concurrency', 'federation'] as const;

const positiveInt = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a non-negative integer');
  return n;
};
const positiveNumber = (v: string): number => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number');
  return n;
};

interface CliOptions {
  quick?: boolean;
  only?: string;
  runs?: number;
  scale?: number;
  threads?: number;
  rows?: number;
  clientRows?: number;
  hugeRows?: number;
  pgbenchSeconds?: number;
  mixSeconds?: number;
  idle?: number;
  active?: number;
  pgWorkMem: string;
  pgTimeout?: number;
  profile?: boolean;
  out: string;
  clean?: boolean;
}

function options(o: CliOptions): BenchOptions {
  const quick = o.quick ?? false;
  const only = o.only ? new Set(o.only.split(',').map((s) => s.trim()).filter(Boolean)) : null;
  for (const w of only ?? []) if (!(WORKLOADS as readonly string[]).includes(w)) throw new Error(`--only: unknown workload "${w}" (known: ${WORKLOADS.join(', ')})`);
  const streamRows = o.rows ?? (quick ? 1_000_000 : 10_000_000);
  return {
    quick,
    only,
    runs: o.runs ?? (quick ? 1 : 3),
    scale: o.scale ?? (quick ? 0.05 : 1),
    threads: o.threads ?? os.availableParallelism(),
    streamRows,
    clientRows: Math.min(streamRows, o.clientRows ?? (quick ? 300_000 : 2_000_000)),
    hugeRows: o.hugeRows ?? (quick ? 0 : 100_000_000),
    pgbenchSeconds: o.pgbenchSeconds ?? (quick ? 1 : 3),
    mixSeconds: o.mixSeconds ?? (quick ? 8 : 60),
    idleConnections: o.idle ?? 500,
    activeClients: o.active ?? 16,
    pgWorkMem: o.pgWorkMem,
    pgTimeoutSeconds: o.pgTimeout ?? (quick ? 60 : 600),
    profileDir: o.profile ? path.join(PACKAGE_ROOT, 'bench/results/profiles') : null,
  };
}

/** Workload 5 is written separately (federation); its module joins the suite by existing. */
async function runFederation(ctx: BenchContext): Promise<Record<string, unknown>> {
  const file = path.join(path.dirname(fileURLToPath(import.meta.url)), 'federation.js');
  if (!fs.existsSync(file)) {
    ctx.print('\n## 5. Federation\n\nnot available yet (src/bench/federation.ts, exporting runFederation, does not exist)');
    return { available: false };
  }
  const mod = (await import(pathToFileURL(file).href)) as { runFederation?: WorkloadRun };
  if (typeof mod.runFederation !== 'function') throw new Error('src/bench/federation.ts must export runFederation(ctx)');
  return { available: true, ...(await mod.runFederation(ctx)) };
}

const RUNNERS: Record<(typeof WORKLOADS)[number], WorkloadRun> = {
  streaming: runStreaming,
  analytics: runAnalytics,
  small: runSmallQueries,
  concurrency: runConcurrency,
  federation: runFederation,
};

async function main(): Promise<void> {
  const program = new Command()
    .name('npm run bench --')
    .description('lakegate benchmark suite: lakegate next to in-process DuckDB and PostgreSQL 15, in one run')
    .option('--quick', 'small data and short runs: a smoke test that finishes in under 3 minutes')
    .option('--only <workloads>', `comma-separated subset of: ${WORKLOADS.join(', ')}`)
    .option('--runs <n>', 'timed repetitions per measurement (default 3, quick 1)', positiveInt)
    .option('--scale <sf>', 'TPC-H scale factor of the analytics data (default 1, quick 0.05)', positiveNumber)
    .option('--threads <n>', 'DuckDB threads for lakegate and in-process DuckDB (default: cores)', positiveInt)
    .option('--rows <n>', 'rows of the bulk-streaming table (default 10M, quick 1M)', positiveInt)
    .option('--client-rows <n>', 'rows read by the client-bound streaming clients: pg, psql (default 2M, quick 300k)', positiveInt)
    .option('--huge-rows <n>', 'rows of the streaming memory check, 0 to skip (default 100M, quick 0)', positiveInt)
    .option('--pgbench-seconds <n>', 'seconds per pgbench run (default 3, quick 1)', positiveInt)
    .option('--mix-seconds <n>', 'seconds of the concurrent analytics mix (default 60, quick 8)', positiveInt)
    .option('--idle <n>', 'idle connections in the concurrency workload', positiveInt)
    .option('--active <n>', 'active clients in the concurrency workload', positiveInt)
    .option('--pg-work-mem <size>', "PostgreSQL work_mem for the analytics sessions", '256MB')
    .option('--pg-timeout <seconds>', 'PostgreSQL statement_timeout per analytics query (default 600, quick 60)', positiveInt)
    .option('--profile', 'run the lakegate servers with --cpu-prof; profiles go to bench/results/profiles/')
    .option('--out <file>', 'where to write the JSON results', path.join(PACKAGE_ROOT, 'bench/results/latest.json'))
    .option('--clean', 'drop the scratch databases and generated data of the suite, then exit')
    .parse(process.argv);
  const cli = program.opts<CliOptions>();
  installExitHandlers();
  const log = (s: string): void => void process.stderr.write(`[bench] ${s}\n`);
  const dataDir = path.join(PACKAGE_ROOT, 'bench/data');

  if (cli.clean) {
    const dropped = await dropBenchDatabases(log);
    fs.rmSync(dataDir, { recursive: true, force: true });
    log(`removed ${dataDir}; dropped ${dropped.length} databases`);
    return;
  }

  const parsed = (() => {
    try {
      return options(cli);
    } catch (e) {
      return e instanceof Error ? e : new Error(String(e));
    }
  })();
  if (parsed instanceof Error) program.error(parsed.message);
  const opts: BenchOptions = parsed as BenchOptions;
  const ctx: BenchContext = { opts, dataDir, log, print: (s) => console.log(s) };
  const started = performance.now();
  const report: Record<string, unknown> = {
    startedAt: new Date().toISOString(),
    git: gitRevision(),
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
    machine: await machineInfo(),
    loadAtStart: loadSample(),
    options: { ...opts, only: opts.only ? [...opts.only] : null },
    workloads: {} as Record<string, unknown>,
  };
  const failures: string[] = [];
  const workloads = report.workloads as Record<string, unknown>;
  for (const name of WORKLOADS) {
    if (opts.only && !opts.only.has(name)) continue;
    const t0 = performance.now();
    log(`workload ${name}`);
    try {
      workloads[name] = { ...(await RUNNERS[name](ctx)), seconds: (performance.now() - t0) / 1000 };
    } catch (e) {
      // One broken workload must not hide the others' numbers.
      const message = e instanceof Error ? (e.stack ?? e.message) : String(e);
      failures.push(`${name}: ${message}`);
      workloads[name] = { failed: message, seconds: (performance.now() - t0) / 1000 };
      console.log(`\n## ${name}: FAILED\n${message}`);
    }
    log(`workload ${name} took ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  }
  report.loadAtEnd = loadSample();
  report.totalSeconds = (performance.now() - started) / 1000;
  fs.mkdirSync(path.dirname(cli.out), { recursive: true });
  fs.writeFileSync(cli.out, JSON.stringify(report, null, 2));
  const la = (s: unknown): string => (s as { loadAverage: number[] }).loadAverage.join(' ');
  console.log(`\nload average at start ${la(report.loadAtStart)}, at end ${la(report.loadAtEnd)}; ${os.availableParallelism()} cores; total ${(report.totalSeconds as number).toFixed(0)} s`);
  log(`results written to ${cli.out}`);
  if (failures.length) {
    log(`${failures.length} workload(s) failed`);
    process.exitCode = 1;
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
