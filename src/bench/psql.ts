import { runProcess, type ProcessResult } from './children.js';

export interface ConnectTarget {
  host?: string;
  port: number;
  user: string;
  database: string;
  password?: string;
}

/** Runs psql against a target; rejects with psql's stderr when it fails. */
export async function runPsql(t: ConnectTarget, args: string[], opts: { capture?: boolean } = {}): Promise<ProcessResult> {
  const r = await runProcess('psql', ['-X', '-h', t.host ?? '127.0.0.1', '-p', String(t.port), '-U', t.user, '-d', t.database, ...args], {
    env: { ...process.env, PGPASSWORD: t.password ?? '' },
    capture: opts.capture,
  });
  if (r.code !== 0 || /^(psql: )?(ERROR|FATAL):/m.test(r.stderr)) throw new Error(`psql ${args.join(' ')}: ${r.stderr.trim()}`);
  return r;
}
