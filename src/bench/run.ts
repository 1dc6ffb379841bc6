import { execSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { PACKAGE_ROOT } from '../version.js';
import { BENCH_PG_DATABASE } from './postgres.js';
import { ServerProcess } from './server-process.js';
import { table } from './stats.js';
import { ensureStreamData, measureStreaming, STREAM_CLIENTS, type StreamResult, type Target } from './streaming.js';

interface Options {
  quick: boolean;
  only: Set<string> | null;
  runs: number;
}

function parseArgs(argv: string[]): Options {
  const quick = argv.includes('--quick');
  const onlyArg = argv.find((a) => a.startsWith('--only='));
  const runsArg = argv.find((a) => a.startsWith('--runs='));
  return {
    quick,
    only: onlyArg ? new Set(onlyArg.slice(7).split(',')) : null,
    runs: runsArg ? Number(runsArg.slice(7)) : quick ? 1 : 3,
  };
}

const log = (s: string): void => {
  process.stderr.write(`[bench] ${s}\n`);
};

function gitRevision(): string {
  try {
    return execSync('git rev-parse --short HEAD', { cwd: PACKAGE_ROOT, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

async function streaming(opts: Options, dataDir: string): Promise<Record<string, unknown>> {
  const rows = opts.quick ? 1_000_000 : 10_000_000;
  const { parquet, pgTable } = await ensureStreamData(dataDir, rows, log);
  const catalogDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lakegate-bench-'));
  fs.writeFileSync(
    path.join(catalogDir, 'catalog.yaml'),
    stringify({ database: 'lakegate', users: [{ name: 'bench', method: 'trust' }], schemas: { bench: { stream: { parquet } } } }),
  );
  const server = await ServerProcess.start(catalogDir);
  const lakegate: Target = { name: 'lakegate', port: server.port, user: 'bench', database: 'lakegate', table: 'bench.stream' };
  const postgres: Target = { name: 'postgres', port: 5432, user: 'postgres', database: BENCH_PG_DATABASE, table: pgTable };
  const results: StreamResult[] = [];
  let peakRssSeen = 0;
  const clients = opts.quick ? STREAM_CLIENTS : STREAM_CLIENTS;
  try {
    for (const client of clients) {
      for (const t of [lakegate, postgres]) {
        log(`streaming ${rows} rows: ${client} from ${t.name}`);
        results.push(await measureStreaming(t, rows, client, opts.runs));
      }
    }
  } finally {
    peakRssSeen = server.peakRss();
    await server.stop().catch(() => undefined);
  }
  const peakRss = peakRssSeen;
  const rowsOut: (string | number)[][] = [];
  for (const client of clients) {
    const l = results.find((r) => r.client === client && r.target === 'lakegate')!;
    const p = results.find((r) => r.client === client && r.target === 'postgres')!;
    rowsOut.push([
      client,
      l.rowsPerSec.median / 1e6,
      `${(l.rowsPerSec.min / 1e6).toFixed(2)}-${(l.rowsPerSec.max / 1e6).toFixed(2)}`,
      p.rowsPerSec.median / 1e6,
      `${(p.rowsPerSec.min / 1e6).toFixed(2)}-${(p.rowsPerSec.max / 1e6).toFixed(2)}`,
      `${(l.rowsPerSec.median / p.rowsPerSec.median).toFixed(2)}x`,
      Number.isNaN(l.mbPerSec.median) ? '-' : l.mbPerSec.median.toFixed(0),
      Number.isNaN(p.mbPerSec.median) ? '-' : p.mbPerSec.median.toFixed(0),
    ]);
  }
  console.log(`\n## Bulk streaming: SELECT * of ${rows.toLocaleString('en')} rows (8 columns), median of ${opts.runs}\n`);
  console.log(table(['client', 'lakegate Mrows/s', 'min-max', 'PostgreSQL Mrows/s', 'min-max', 'ratio', 'lakegate MB/s', 'PostgreSQL MB/s'], rowsOut));
  console.log(`\nlakegate peak RSS: ${(peakRss / 1024 / 1024).toFixed(0)} MB`);
  return { rows, results, peakRssBytes: peakRss };
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const dataDir = path.join(PACKAGE_ROOT, 'bench/data');
  const report: Record<string, unknown> = {
    startedAt: new Date().toISOString(),
    revision: gitRevision(),
    machine: { cores: os.availableParallelism(), memoryBytes: os.totalmem(), cpu: os.cpus()[0]?.model, node: process.version, load: os.loadavg() },
    options: { quick: opts.quick, runs: opts.runs },
  };
  const want = (name: string): boolean => opts.only === null || opts.only.has(name);
  if (want('streaming')) report.streaming = await streaming(opts, dataDir);
  const outDir = path.join(PACKAGE_ROOT, 'bench/results');
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, 'latest.json'), JSON.stringify(report, null, 2));
  log(`results written to ${path.join(outDir, 'latest.json')}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
