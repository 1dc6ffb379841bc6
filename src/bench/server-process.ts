import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../version.js';

/** A lakegate server in its own process, so its memory can be measured alone. */
export class ServerProcess {
  private constructor(
    readonly child: ChildProcess,
    readonly port: number,
  ) {}

  static async start(catalogDir: string, extraArgs: string[] = [], env: Record<string, string> = {}): Promise<ServerProcess> {
    const child = spawn(process.execPath, [path.join(PACKAGE_ROOT, 'bin/lakegate.js'), 'serve', '--catalog', catalogDir, '--port', '0', '--log-level', 'info', ...extraArgs], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
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
      child.on('exit', (code) => reject(new Error(`lakegate exited (${code}): ${out}`)));
    });
    child.stdout!.resume();
    child.stderr!.resume();
    return new ServerProcess(child, port);
  }

  private status(field: string): number {
    const text = fs.readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
    return m ? Number(m[1]) * 1024 : 0;
  }

  /** Peak resident set size so far, in bytes. */
  peakRss(): number {
    return this.status('VmHWM');
  }

  rss(): number {
    return this.status('VmRSS');
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}
