import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../support/gateway.js';
import { backendKey, ENDLESS_QUERY, eventually, sendCancel } from './support.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const haproxyInstalled = spawnSync('haproxy', ['-v']).status === 0;

/** The HAProxy configuration exactly as docs/deploy.md shows it. */
function documentedConfig(): string {
  const doc = fs.readFileSync(path.join(ROOT, 'docs/deploy.md'), 'utf8');
  const m = /```haproxy\n([\s\S]*?)```/.exec(doc);
  if (!m) throw new Error('docs/deploy.md has no ```haproxy block');
  return m[1]!;
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

// HAProxy comes from Debian's packages (apt-get install haproxy); without it this file cannot run.
describe.skipIf(!haproxyInstalled)('the documented HAProxy configuration in front of two replicas (needs the haproxy package)', () => {
  let replicas: TestGateway[];
  let haproxy: ChildProcess;
  let front: number;
  let dir: string;
  let output = '';

  beforeAll(async () => {
    replicas = [
      await startGateway({ replicaId: 1, http: { host: '127.0.0.1', port: 0 } }),
      await startGateway({ replicaId: 2, http: { host: '127.0.0.1', port: 0 } }),
    ];
    front = await freePort();
    let cfg = documentedConfig().replace('bind :5433', `bind 127.0.0.1:${front}`);
    for (const [i, host] of ['10.0.0.11', '10.0.0.12'].entries()) {
      const r = replicas[i]!;
      cfg = cfg
        .split('\n')
        .map((line) => (line.includes(`${host}:5433`) ? line.replace(`${host}:5433`, `127.0.0.1:${r.port}`).replace('port 9187', `port ${r.gateway.observability.httpAddress!.port}`) : line))
        .join('\n');
    }
    expect(cfg).not.toMatch(/10\.0\.0\./);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), `lakegate-haproxy-${process.pid}-`));
    const file = path.join(dir, 'haproxy.cfg');
    fs.writeFileSync(file, cfg);
    const check = spawnSync('haproxy', ['-c', '-f', file], { encoding: 'utf8' });
    expect(check.status, check.stdout + check.stderr).toBe(0);
    haproxy = spawn('haproxy', ['-db', '-f', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    haproxy.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    haproxy.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    await eventually('HAProxy to accept connections', async () => {
      try {
        const c = new pg.Client(`postgresql://lakegate:lakegate@127.0.0.1:${front}/lakegate`);
        await c.connect();
        await c.end();
        return true;
      } catch {
        return false;
      }
    });
  });

  afterAll(async () => {
    haproxy?.kill('SIGTERM');
    for (const r of replicas ?? []) await r.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('spreads sessions over both replicas and routes every CancelRequest to the replica that owns the session', async () => {
    const clients: pg.Client[] = [];
    for (let i = 0; i < 6; i++) {
      const c = new pg.Client(`postgresql://lakegate:lakegate@127.0.0.1:${front}/lakegate`);
      await c.connect();
      clients.push(c);
    }
    const replicaOf = (c: pg.Client): number => backendKey(c).pid >>> 24;
    expect(new Set(clients.map(replicaOf))).toEqual(new Set([1, 2]));
    // cancel all of replica 1's sessions first: an order unlike the one the sessions were spread
    // in, so a balancer that ignored the process id could not pick the right replica by turns
    const order = [...clients].sort((a, b) => replicaOf(a) - replicaOf(b));
    for (const c of order) {
      const key = backendKey(c);
      const owner = replicas[replicaOf(c) - 1]!;
      const result = c.query(ENDLESS_QUERY).catch((e: unknown) => e);
      await eventually('the query to run', () => [...owner.gateway.server.sessions].some((s) => s.identity.processId === key.pid && s.isRunning));
      await sendCancel(front, key.pid, key.secret);
      expect(await result, output).toMatchObject({ code: '57014' });
    }
    for (const c of clients) await c.end();
  });
});
