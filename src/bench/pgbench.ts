import fs from 'node:fs';
import { runProcess } from './children.js';
import type { ConnectTarget } from './psql.js';

export type PgbenchMode = 'simple' | 'extended' | 'prepared';

export interface PgbenchResult {
  tps: number;
  latencyMs: number;
  transactions: number;
  failed: number;
  /** Average latency per script line (`-r`), in script order, meta-commands included. */
  statements: { latencyMs: number; failures: number; command: string }[];
}

/** The pgbench binary: PostgreSQL 15's own, else whatever is on PATH. */
export function pgbenchBinary(): string {
  const own = '/usr/lib/postgresql/15/bin/pgbench';
  return fs.existsSync(own) ? own : 'pgbench';
}

/** Parses the summary pgbench prints (PostgreSQL 15 format, with `-r`). */
export function parsePgbenchOutput(text: string): PgbenchResult {
  const num = (re: RegExp): number | null => {
    const m = re.exec(text);
    return m ? Number(m[1]) : null;
  };
  const tps = num(/^tps = ([\d.]+) \(without initial connection time\)/m);
  const latencyMs = num(/^latency average = ([\d.]+) ms/m);
  const transactions = num(/^number of transactions actually processed: (\d+)/m);
  if (tps === null || latencyMs === null || transactions === null) throw new Error(`cannot read pgbench output:\n${text}`);
  const failed = num(/^number of failed transactions: (\d+)/m) ?? 0;
  const statements: PgbenchResult['statements'] = [];
  const at = text.search(/^statement latencies in milliseconds/m);
  if (at >= 0) {
    for (const line of text.slice(at).split('\n').slice(1)) {
      const m = /^\s+([\d.]+)\s+(\d+)\s+(.*)$/.exec(line) ?? /^\s+([\d.]+)\s+()(.*)$/.exec(line);
      if (!m) break;
      statements.push({ latencyMs: Number(m[1]), failures: Number(m[2] || 0), command: m[3]!.trim() });
    }
  }
  return { tps, latencyMs, transactions, failed, statements };
}

export interface PgbenchRun {
  target: ConnectTarget;
  script: string;
  clients: number;
  threads: number;
  seconds: number;
  mode: PgbenchMode;
}

/** Runs pgbench without its vacuum step (`-n`) and with per-statement latencies (`-r`). */
export async function runPgbench(run: PgbenchRun): Promise<PgbenchResult> {
  const t = run.target;
  const args = [
    '-n', '-r', '-h', t.host ?? '127.0.0.1', '-p', String(t.port), '-U', t.user,
    '-f', run.script, '-c', String(run.clients), '-j', String(run.threads), '-T', String(run.seconds), '-M', run.mode,
    t.database,
  ];
  const r = await runProcess(pgbenchBinary(), args, {
    env: { ...process.env, PGPASSWORD: t.password ?? '' },
    capture: true,
    timeoutMs: (run.seconds + 60) * 1000,
  });
  if (r.code !== 0) throw new Error(`pgbench exited with ${r.code}: ${(r.stderr || r.stdout).trim().split('\n').slice(-5).join(' | ')}`);
  const result = parsePgbenchOutput(r.stdout);
  if (result.failed > 0 || result.transactions === 0) {
    throw new Error(`pgbench: ${result.failed} failed of ${result.transactions} transactions: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  }
  return result;
}
