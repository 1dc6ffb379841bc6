import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const BIN = '/usr/lib/postgresql/15/bin';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** Runs a PostgreSQL binary as the postgres OS user (PostgreSQL refuses to run as root). */
function asPostgres(cmd: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  if (process.getuid?.() === 0) return run('runuser', ['-u', 'postgres', '--', path.join(BIN, cmd), ...args]);
  return run(path.join(BIN, cmd), args);
}

/**
 * A PostgreSQL cluster of its own that a test can start and stop: for
 * sources that are down at start-up, stop mid-query, or want a password.
 */
export class ScratchCluster {
  private constructor(
    readonly dir: string,
    readonly port: number,
    readonly password: string | null,
  ) {}

  static async create(opts: { password?: string } = {}): Promise<ScratchCluster> {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lakegate-pgcluster-'));
    fs.chmodSync(root, 0o777);
    const dir = path.join(root, 'data');
    const args = ['-D', dir, '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C.UTF-8'];
    if (opts.password) {
      const pw = path.join(root, 'pw');
      fs.writeFileSync(pw, opts.password);
      fs.chmodSync(pw, 0o644);
      args.push('-A', 'scram-sha-256', '--pwfile', pw);
    } else args.push('-A', 'trust');
    await asPostgres('initdb', args);
    return new ScratchCluster(dir, await freePort(), opts.password ?? null);
  }

  url(database = 'postgres', password = this.password): string {
    return `postgresql://postgres${password ? `:${encodeURIComponent(password)}` : ''}@127.0.0.1:${this.port}/${database}`;
  }

  async start(): Promise<void> {
    await asPostgres('pg_ctl', [
      '-D', this.dir, '-l', path.join(this.dir, 'server.log'), '-w', '-t', '60',
      '-o', `-p ${this.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${path.dirname(this.dir)} -c fsync=off`,
      'start',
    ]);
  }

  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    await asPostgres('pg_ctl', ['-D', this.dir, '-m', mode, '-w', 'stop']).catch(() => undefined);
  }

  async destroy(): Promise<void> {
    await this.stop('immediate');
    fs.rmSync(path.dirname(this.dir), { recursive: true, force: true });
  }
}
