import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gateway } from '../../src/gateway.js';
import { silentLogger } from '../../src/observability/logger.js';
import { exampleSchemas, TEST_USERS, writeCatalog } from '../support/gateway.js';
import { ENDLESS_QUERY, eventually, sendCancel } from './support.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const pgbouncerInstalled = spawnSync('pgbouncer', ['--version']).status === 0;
const isRoot = process.getuid?.() === 0;

/** The PgBouncer configuration exactly as docs/deploy.md shows it. */
function documentedConfig(): string {
  const doc = fs.readFileSync(path.join(ROOT, 'docs/deploy.md'), 'utf8');
  const m = /```ini\n([\s\S]*?)```/.exec(doc);
  if (!m) throw new Error('docs/deploy.md has no ```ini block');
  return m[1]!;
}

async function freePort(host = '127.0.0.1'): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, host, () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

// PgBouncer comes from Debian's packages (apt-get install pgbouncer); without it this file cannot run.
describe.skipIf(!pgbouncerInstalled)('the documented PgBouncer configuration (session mode) in front of two replicas (needs the pgbouncer package)', () => {
  const replicas: Gateway[] = [];
  let bouncer: ChildProcess;
  let front: number;
  let dir: string;
  let output = '';

  beforeAll(async () => {
    // two replicas on one port, on two loopback addresses, as on two hosts
    const port = await freePort();
    const catalog = writeCatalog({ database: 'lakegate', default_schema: 'lake', users: TEST_USERS, schemas: exampleSchemas() });
    for (const [i, host] of ['127.0.0.2', '127.0.0.3'].entries()) {
      replicas.push(await Gateway.start({ catalog, host, port, replicaId: i + 1, logger: silentLogger }));
    }
    front = await freePort();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), `lakegate-pgbouncer-${process.pid}-`));
    fs.chmodSync(dir, 0o755);
    const verifier = TEST_USERS.find((u) => u.name === 'lakegate')!.password!;
    fs.writeFileSync(path.join(dir, 'userlist.txt'), `"lakegate" "${verifier}"\n`, { mode: 0o644 });
    const ini = documentedConfig()
      .replace('host=10.0.0.11,10.0.0.12 port=5433', `host=127.0.0.2,127.0.0.3 port=${port}`)
      .replace('listen_addr = 0.0.0.0', 'listen_addr = 127.0.0.1')
      .replace('listen_port = 6432', `listen_port = ${front}\nunix_socket_dir =`)
      .replace('/etc/pgbouncer/userlist.txt', path.join(dir, 'userlist.txt'));
    expect(ini).not.toMatch(/10\.0\.0\./);
    const file = path.join(dir, 'pgbouncer.ini');
    fs.writeFileSync(file, ini, { mode: 0o644 });
    // PgBouncer refuses to run as root; -u drops to an ordinary user
    bouncer = spawn('pgbouncer', [...(isRoot ? ['-u', 'postgres'] : []), file], { stdio: ['ignore', 'pipe', 'pipe'] });
    bouncer.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    bouncer.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    await eventually(`PgBouncer to accept connections (${output})`, async () => {
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
    bouncer?.kill('SIGTERM');
    for (const r of replicas) await r.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('spreads sessions over both replicas, authenticates with the SCRAM verifier, and forwards cancels', async () => {
    const clients: pg.Client[] = [];
    for (let i = 0; i < 4; i++) {
      const c = new pg.Client(`postgresql://lakegate:lakegate@127.0.0.1:${front}/lakegate`);
      await c.connect();
      clients.push(c);
    }
    // PgBouncer hands out its own keys; the replica behind each client shows in lakegate.sessions
    const replicaOf = new Map<pg.Client, number>();
    for (const c of clients) {
      const r = await c.query("SELECT pid FROM lakegate.sessions WHERE state = 'active'");
      replicaOf.set(c, (r.rows[0].pid as number) >>> 24);
    }
    expect(new Set(replicaOf.values())).toEqual(new Set([1, 2]));
    for (const c of clients) {
      const owner = replicas[replicaOf.get(c)! - 1]!;
      const result = c.query(ENDLESS_QUERY).catch((e: unknown) => e);
      await eventually('the query to run', () => [...owner.server.sessions].some((s) => s.isRunning));
      const key = c as unknown as { processID: number; secretKey: number };
      await sendCancel(front, key.processID, key.secretKey);
      expect(await result, output).toMatchObject({ code: '57014' });
    }
    for (const c of clients) await c.end();
  });
});
