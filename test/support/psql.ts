import { spawn } from 'node:child_process';

export interface PsqlResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs psql as a separate process (asynchronously: the gateway under test
 * lives in this process and must keep serving while psql runs).
 */
export function psql(args: string[], opts: { env?: Record<string, string>; input?: string } = {}): Promise<PsqlResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('psql', ['-X', ...args], { env: { ...process.env, PGCONNECT_TIMEOUT: '10', ...opts.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(opts.input ?? '');
  });
}

/** psql connected to a gateway as `user` (password = user name unless given). */
export function psqlAt(port: number, user: string, args: string[], password = user, extraEnv: Record<string, string> = {}): Promise<PsqlResult> {
  return psql(['-h', '127.0.0.1', '-p', String(port), '-U', user, '-d', 'lakegate', ...args], { env: { PGPASSWORD: password, ...extraEnv } });
}
