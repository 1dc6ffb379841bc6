import { execFileSync } from 'node:child_process';
import os from 'node:os';
import duckdb from '@duckdb/node-bindings';
import { PACKAGE_ROOT } from '../version.js';
import { pgbenchBinary } from './pgbench.js';
import { postgresSettings } from './postgres.js';

function run(cmd: string, args: string[]): string | null {
  try {
    return execFileSync(cmd, args, { cwd: PACKAGE_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

export function gitRevision(): { revision: string; dirty: boolean } {
  const revision = run('git', ['rev-parse', '--short', 'HEAD']) ?? 'unknown';
  const status = run('git', ['status', '--porcelain', '--untracked-files=no']);
  return { revision, dirty: status !== null && status.length > 0 };
}

export interface LoadSample {
  at: string;
  loadAverage: number[];
}

export function loadSample(): LoadSample {
  return { at: new Date().toISOString(), loadAverage: os.loadavg().map((x) => Math.round(x * 100) / 100) };
}

/** What the numbers were measured on. */
export async function machineInfo(): Promise<Record<string, unknown>> {
  let postgres: Record<string, string> | { error: string };
  try {
    postgres = await postgresSettings();
  } catch (e) {
    postgres = { error: e instanceof Error ? e.message : String(e) };
  }
  return {
    cores: os.availableParallelism(),
    memoryBytes: os.totalmem(),
    cpu: os.cpus()[0]?.model ?? 'unknown',
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    duckdb: duckdb.library_version(),
    pgbench: run(pgbenchBinary(), ['--version']),
    postgres,
  };
}
