import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Writable } from 'node:stream';
import type pg from 'pg';
import { createLogger, type Logger } from '../../src/observability/logger.js';
import type { Gateway } from '../../src/gateway.js';

/** A logger whose JSON lines are kept in memory, as they would reach stdout. */
export function captureLogs(level = 'debug'): { logger: Logger; lines: string[]; records: () => Record<string, unknown>[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString('utf8').split('\n')) if (l.trim() !== '') lines.push(l);
      cb();
    },
  });
  const logger = createLogger(level, 'json', stream);
  return { logger, lines, records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

/** Prometheus text format → `name{label="v",...}` → value (labels sorted by name). */
export function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels = m[2]
      ? [...m[2].matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)]
          .map((l) => `${l[1]}="${l[2]}"`)
          .sort()
          .join(',')
      : '';
    out.set(labels ? `${m[1]}{${labels}}` : m[1]!, Number(m[3]));
  }
  return out;
}

export async function scrape(gateway: Gateway): Promise<Map<string, number>> {
  const a = gateway.observability.httpAddress!;
  const res = await fetch(`http://127.0.0.1:${a.port}/metrics`);
  return parseMetrics(await res.text());
}

/** Polls until `check` is true (or throws after `ms`, naming `what`). */
export async function eventually(what: string, check: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** True while some session of the gateway runs a statement. */
export function someoneRunning(gateway: Gateway): boolean {
  return [...gateway.server.sessions].some((s) => s.isRunning);
}

/** Sends a CancelRequest for (pid, secret) to host:port, as libpq does, and waits for the server to close. */
export function sendCancel(port: number, pid: number, secret: number, host = '127.0.0.1'): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, host, () => {
      const b = Buffer.alloc(16);
      b.writeInt32BE(16, 0);
      b.writeInt32BE(80877102, 4);
      b.writeInt32BE(pid, 8);
      b.writeUInt32BE(secret >>> 0, 12);
      s.write(b);
    });
    s.on('error', reject);
    s.on('close', () => resolve());
    s.resume();
  });
}

/** BackendKeyData as node-postgres kept it. */
export function backendKey(client: pg.Client): { pid: number; secret: number } {
  const c = client as unknown as { processID: number; secretKey: number };
  return { pid: c.processID, secret: c.secretKey };
}

/** A query that keeps DuckDB busy until it is cancelled (hash of every number, never pruned). */
export const ENDLESS_QUERY = 'SELECT sum(hash(range)) AS h FROM range(1000000000000)';

// --- the real CLI, as a child process ----------------------------------------------------------

const ROOT = path.resolve(import.meta.dirname, '../..');

/** The CLI runs from dist/ (built by `npm test`); refuse to test a stale build. */
export function assertBuilt(): void {
  const cli = path.join(ROOT, 'dist/cli.js');
  if (!fs.existsSync(cli)) throw new Error('dist/cli.js is missing: run `npm run build` first (npm test does)');
  const built = fs.statSync(cli).mtimeMs;
  const newest = (dir: string): number =>
    Math.max(
      0,
      ...fs.readdirSync(dir, { withFileTypes: true }).map((e) => (e.isDirectory() ? newest(path.join(dir, e.name)) : fs.statSync(path.join(dir, e.name)).mtimeMs)),
    );
  if (newest(path.join(ROOT, 'src')) > built) throw new Error('dist/ is older than src/: run `npm run build` first (npm test does)');
}

export interface CliProcess {
  child: ChildProcess;
  /** Every JSON log line so far. */
  logs: Record<string, unknown>[];
  stderr: string[];
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the first log line matching. */
  waitForLog(match: (r: Record<string, unknown>) => boolean, what: string): Promise<Record<string, unknown>>;
}

export function startCli(args: string[], env: Record<string, string> = {}): CliProcess {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/lakegate.cjs'), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  const stderr: string[] = [];
  const waiters: { match: (r: Record<string, unknown>) => boolean; resolve: (r: Record<string, unknown>) => void }[] = [];
  let buf = '';
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString('utf8');
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (!line.trim()) continue;
      let rec: Record<string, unknown>;
      try {
        rec = JSON.parse(line) as Record<string, unknown>;
      } catch {
        rec = { unparsed: line };
      }
      logs.push(rec);
      for (const w of [...waiters]) {
        if (w.match(rec)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(rec);
        }
      }
    }
  });
  child.stderr!.on('data', (d: Buffer) => stderr.push(d.toString('utf8')));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return {
    child,
    logs,
    stderr,
    exit,
    waitForLog(match, what) {
      const found = logs.find(match);
      if (found) return Promise.resolve(found);
      return Promise.race([
        new Promise<Record<string, unknown>>((resolve) => waiters.push({ match, resolve })),
        exit.then(() => {
          throw new Error(`lakegate exited before logging ${what}; stderr: ${stderr.join('')}`);
        }),
      ]);
    },
  };
}

// --- a TCP proxy that routes CancelRequest by the replica id in the process id -------------------

const CANCEL_REQUEST_CODE = 80877102;

export interface ReplicaProxy {
  /** One listening port per replica: new connections on port i go to replica i. */
  ports: number[];
  /** CancelRequests seen, with the replica each was sent to. */
  cancels: { pid: number; replica: number }[];
  close(): Promise<void>;
}

/**
 * What a load balancer in front of several lakegate replicas must do for
 * cancel to work: look at the first packet; a CancelRequest goes to the
 * replica whose id is in the top bits of its process id, everything else is
 * forwarded as it is to this listener's replica.
 */
export async function startReplicaProxy(backends: { replicaId: number; port: number }[]): Promise<ReplicaProxy> {
  const cancels: { pid: number; replica: number }[] = [];
  const sockets = new Set<net.Socket>();
  const byReplica = new Map(backends.map((b) => [b.replicaId, b.port]));
  const servers = backends.map((home) =>
    net.createServer((client) => {
      sockets.add(client);
      client.on('close', () => sockets.delete(client));
      client.on('error', () => client.destroy());
      let head = Buffer.alloc(0);
      const onData = (d: Buffer): void => {
        head = Buffer.concat([head, d]);
        if (head.length < 8) return;
        if (head.readInt32BE(4) === CANCEL_REQUEST_CODE && head.length < 16) return;
        client.off('data', onData);
        client.pause();
        let target = home.port;
        if (head.readInt32BE(4) === CANCEL_REQUEST_CODE) {
          const pid = head.readInt32BE(8);
          const replica = (pid >>> 24) & 0x7f;
          cancels.push({ pid, replica });
          target = byReplica.get(replica) ?? home.port;
        }
        const upstream = net.connect(target, '127.0.0.1', () => {
          upstream.write(head);
          client.pipe(upstream);
          upstream.pipe(client);
          client.resume();
        });
        sockets.add(upstream);
        upstream.on('close', () => {
          sockets.delete(upstream);
          client.destroy();
        });
        upstream.on('error', () => client.destroy());
        client.on('close', () => upstream.destroy());
      };
      client.on('data', onData);
    }),
  );
  await Promise.all(servers.map((s) => new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()))));
  return {
    ports: servers.map((s) => (s.address() as net.AddressInfo).port),
    cancels,
    close: async () => {
      for (const s of sockets) s.destroy();
      await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    },
  };
}

/** Runs psql as a process (asynchronously: the gateway under test shares this event loop). */
export function runPsql(args: string[], env: Record<string, string> = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('psql', ['-X', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}
