import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { PACKAGE_ROOT } from '../version.js';
import { onExit, spawnTracked } from './children.js';

/** The user every benchmark catalog defines: trust authentication, like the PostgreSQL side. */
export const BENCH_USER = 'bench';

export interface ServerStartOptions {
  /** The catalog document (written to a temporary directory). */
  catalog: Record<string, unknown>;
  threads?: number;
  maxConnections?: number;
  /** Extra node flags for the server process, e.g. --cpu-prof. */
  nodeArgs?: string[];
  env?: Record<string, string>;
}

/** A lakegate server in its own process, so its memory can be measured alone. */
export class ServerProcess {
  private readonly peakSampled = { rss: 0 };

  private constructor(
    readonly child: ChildProcess,
    readonly port: number,
    private readonly catalogDir: string,
    private readonly unregister: () => void,
  ) {}

  static async start(opts: ServerStartOptions): Promise<ServerProcess> {
    const catalogDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lakegate-bench-catalog-'));
    const unregister = onExit(() => fs.rmSync(catalogDir, { recursive: true, force: true }));
    fs.writeFileSync(path.join(catalogDir, 'catalog.yaml'), stringify(opts.catalog));
    const args = [...(opts.nodeArgs ?? []), path.join(PACKAGE_ROOT, 'bin/lakegate.cjs'), 'serve', '--catalog', catalogDir, '--port', '0', '--log-level', 'info'];
    if (opts.threads) args.push('--threads', String(opts.threads));
    if (opts.maxConnections) args.push('--max-connections', String(opts.maxConnections));
    const child = spawnTracked(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...opts.env } });
    let out = '';
    const port = await new Promise<number>((resolve, reject) => {
      const onData = (d: Buffer): void => {
        out += d.toString();
        const m = /"port":(\d+)/.exec(out);
        if (m) {
          child.stdout!.off('data', onData);
          resolve(Number(m[1]));
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
      child.once('exit', (code) => reject(new Error(`lakegate exited (${code}) before listening: ${out.slice(-2000)}`)));
    }).catch((e: unknown) => {
      fs.rmSync(catalogDir, { recursive: true, force: true });
      unregister();
      throw e;
    });
    child.stdout!.resume();
    child.stderr!.resume();
    return new ServerProcess(child, port, catalogDir, unregister);
  }

  private status(field: string): number {
    try {
      const text = fs.readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
      const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
      return m ? Number(m[1]) * 1024 : 0;
    } catch {
      return 0;
    }
  }

  /** Peak resident set size of the process so far (the kernel's high-water mark), in bytes. */
  peakRss(): number {
    return this.status('VmHWM');
  }

  /**
   * Resets the kernel's peak-RSS mark to the current RSS (`5` into
   * /proc/PID/clear_refs), so the next peakRss() covers only what follows.
   * Returns false where the kernel does not allow it.
   */
  resetPeakRss(): boolean {
    try {
      fs.writeFileSync(`/proc/${this.child.pid}/clear_refs`, '5');
      return true;
    } catch {
      return false;
    }
  }

  rss(): number {
    return this.status('VmRSS');
  }

  /** Samples RSS every `everyMs` until stopped; returns the largest sample. */
  sampleRss(everyMs = 200): () => number {
    let max = this.rss();
    const timer = setInterval(() => {
      max = Math.max(max, this.rss());
    }, everyMs);
    return () => {
      clearInterval(timer);
      return Math.max(max, this.rss());
    };
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  async stop(): Promise<void> {
    try {
      if (!this.alive) return;
      const exited = new Promise((r) => this.child.once('exit', r));
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    } finally {
      fs.rmSync(this.catalogDir, { recursive: true, force: true });
      this.unregister();
    }
  }
}
