import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

/**
 * Child processes the suite started (lakegate servers, psql, pgbench). They
 * are killed, by handle, when the suite exits or is interrupted, so a failed
 * or cancelled run leaves nothing behind.
 */
const live = new Set<ChildProcess>();
const cleanups = new Set<() => void>();

export function spawnTracked(command: string, args: string[], options: SpawnOptions): ChildProcess {
  const child = spawn(command, args, options);
  live.add(child);
  child.once('exit', () => live.delete(child));
  child.once('error', () => live.delete(child));
  return child;
}

/** Registers synchronous cleanup (e.g. removing a temporary directory); returns its unregistration. */
export function onExit(fn: () => void): () => void {
  cleanups.add(fn);
  return () => cleanups.delete(fn);
}

function killAll(): void {
  for (const c of live) c.kill('SIGKILL');
  live.clear();
  for (const fn of cleanups) {
    try {
      fn();
    } catch {
      // best effort on the way out
    }
  }
  cleanups.clear();
}

let installed = false;

export function installExitHandlers(): void {
  if (installed) return;
  installed = true;
  process.on('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      process.stderr.write(`[bench] ${signal}: stopping child processes\n`);
      killAll();
      process.exit(130);
    });
  }
}

export interface ProcessResult {
  code: number;
  stdout: string;
  stderr: string;
  stdoutBytes: number;
  ms: number;
}

/**
 * Runs a command to completion. stdout is kept only when `capture` is set
 * (a benchmark that streams gigabytes through psql only counts the bytes).
 */
export function runProcess(command: string, args: string[], opts: { env?: NodeJS.ProcessEnv; capture?: boolean; timeoutMs?: number } = {}): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawnTracked(command, args, { env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdoutBytes = 0;
    const out: Buffer[] = [];
    let stderr = '';
    let timedOut = false;
    const timer = opts.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          child.kill('SIGKILL');
        }, opts.timeoutMs)
      : null;
    child.stdout!.on('data', (d: Buffer) => {
      stdoutBytes += d.length;
      if (opts.capture) out.push(d);
    });
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', (e) => {
      if (timer) clearTimeout(timer);
      reject(e);
    });
    child.once('close', (code) => {
      if (timer) clearTimeout(timer);
      if (timedOut) {
        reject(new Error(`${command} timed out after ${opts.timeoutMs} ms`));
        return;
      }
      resolve({ code: code ?? -1, stdout: Buffer.concat(out).toString(), stderr, stdoutBytes, ms: performance.now() - started });
    });
  });
}
