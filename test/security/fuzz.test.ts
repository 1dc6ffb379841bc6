import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleSchemas, TEST_USERS, writeCatalog } from '../support/gateway.js';

/**
 * A bounded protocol fuzz test: a real lakegate process receives well-formed
 * messages with random content, mutated messages and garbage, before and
 * after startup, over many connections. Afterwards it must still answer a
 * normal client, and its resident memory must not have grown by 50 MB.
 */
const TOTAL_MESSAGES = Number(process.env.LAKEGATE_FUZZ_MESSAGES ?? 100_000);
const PER_CONNECTION = 100;
const PARALLEL = 8;
/** Bytes the server answered over all fuzzing connections. */
let received = 0;

/** mulberry32: a small seeded PRNG, so a failing run can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED = Number(process.env.LAKEGATE_FUZZ_SEED ?? 20240611);
const rand = prng(SEED);
const int = (n: number): number => Math.floor(rand() * n);
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;

const SQL_PIECES = [
  'SELECT 1', 'SELECT * FROM lake.zones LIMIT 3', "SELECT 'x'", 'SELECT $1', 'SELECT $1::int + $2', 'BEGIN', 'COMMIT', 'ROLLBACK',
  'SAVEPOINT s', 'ROLLBACK TO s', 'SET search_path = lake', 'SHOW ALL', 'SELECT * FROM read_text(\'/etc/passwd\')', 'DECLARE c CURSOR WITH HOLD FOR SELECT 1',
  'FETCH 1 FROM c', 'CLOSE c', "COPY (SELECT 1) TO STDOUT", 'SELECT count(*) FROM lake.payment_types', 'SELECT 1/0', 'SELECT', ';;;', '', 'SELECT \'\\x00\'',
  'SELECT * FROM pg_catalog.pg_type LIMIT 1', 'ATTACH \':memory:\' AS x', 'SELECT 1 FROM', 'WITH a AS (SELECT 1) SELECT * FROM a', '$$', "'", '"', '/*',
];

function randomBytes(n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = int(256);
  return b;
}

function cstr(s: string | Buffer): Buffer {
  return Buffer.concat([typeof s === 'string' ? Buffer.from(s) : s, Buffer.from([0])]);
}

/** Statement text: real statements (some run in DuckDB), spliced statements (mostly syntax errors), random bytes. */
function randomText(): Buffer {
  const r = rand();
  if (r < 0.25) return Buffer.from(pick(SQL_PIECES));
  if (r < 0.6) return Buffer.from(`${pick(SQL_PIECES)} ${pick(SQL_PIECES)}`.slice(0, 200));
  return randomBytes(int(40)).map((b) => (b === 0 ? 1 : b)); // invalid UTF-8 and control bytes
}

function typed(type: number, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head[0] = type;
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

function int16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeInt16BE(n);
  return b;
}
function int32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n | 0);
  return b;
}

/** A well-formed message of a random kind with random content. */
function wellFormed(): Buffer {
  const name = pick(['', 's1', 'p1', 'c']);
  switch (int(12)) {
    case 0:
    case 1:
      return typed(0x51, cstr(randomText())); // Query
    case 2: {
      const n = int(3);
      return typed(0x50, Buffer.concat([cstr(name), cstr(randomText()), int16(n), ...Array.from({ length: n }, () => int32(pick([0, 23, 25, 16, 1700, 99999]))) ]));
    }
    case 3: {
      const n = int(3);
      const params = Array.from({ length: n }, () => (rand() < 0.2 ? int32(-1) : Buffer.concat([int32(4), randomBytes(4)])));
      return typed(0x42, Buffer.concat([cstr(name), cstr(name), int16(1), int16(int(2)), int16(n), ...params, int16(1), int16(int(2))]));
    }
    case 4:
      return typed(0x44, Buffer.concat([Buffer.from(pick(['S', 'P', 'X'])), cstr(name)])); // Describe
    case 5:
      return typed(0x45, Buffer.concat([cstr(name), int32(int(3))])); // Execute
    case 6:
      return typed(0x53, Buffer.alloc(0)); // Sync
    case 7:
      return typed(0x43, Buffer.concat([Buffer.from(pick(['S', 'P'])), cstr(name)])); // Close
    case 8:
      return typed(0x48, Buffer.alloc(0)); // Flush
    case 9:
      return typed(0x64, randomBytes(int(20))); // CopyData outside COPY
    case 10:
      return typed(0x46, randomBytes(int(30))); // FunctionCall
    default:
      return typed(0x53, Buffer.alloc(0)); // Sync
  }
}

/** A message with its bytes damaged: flipped bytes, a wrong length, a random type, truncation. */
function mutated(): Buffer {
  const m = Buffer.from(wellFormed());
  switch (int(5)) {
    case 0:
      for (let i = 0; i < 1 + int(3); i++) m[int(m.length)] = int(256);
      return m;
    case 1:
      m.writeInt32BE(pick([0, 1, 3, -1, 0x7fffffff, m.length + 100, int(1 << 20)]), 1);
      return m;
    case 2:
      m[0] = int(256);
      return m;
    case 3:
      return m.subarray(0, int(m.length));
    default:
      return Buffer.concat([m, randomBytes(int(10))]);
  }
}

function startupPacket(user: string): Buffer {
  const body = Buffer.concat([int32(196608), cstr('user'), cstr(user), cstr('database'), cstr('lakegate'), Buffer.from([0])]);
  return Buffer.concat([int32(body.length + 4), body]);
}

/** A random untyped startup-phase packet: bad versions, SSL/GSS/cancel requests, broken lengths, garbage. */
function randomStartup(): Buffer {
  switch (int(6)) {
    case 0:
      return Buffer.concat([int32(8), int32(80877103)]);
    case 1:
      return Buffer.concat([int32(16), int32(80877102), int32(int(1 << 30)), int32(int(1 << 30))]);
    case 2: {
      const p = startupPacket(pick(['trust_user', 'nobody', '', 'x'.repeat(100)]));
      p.writeInt32BE(pick([0, 7, -5, 10_000_000, p.length + 3]), 0);
      return p;
    }
    case 3: {
      const body = Buffer.concat([int32(pick([0, 1, 0x00020000, 0x00040000])), randomBytes(int(30))]);
      return Buffer.concat([int32(body.length + 4), body]);
    }
    case 4:
      return randomBytes(int(64));
    default:
      return Buffer.concat([int32(8), int32(80877104)]);
  }
}

function readRss(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
}

/** A message that usually ends the connection: a wrong length or type, truncation, garbage. */
function fatalish(): Buffer {
  const r = rand();
  if (r < 0.2) return typed(0x70, cstr(randomText())); // PasswordMessage after startup: not a session message
  return r < 0.6 ? mutated() : randomBytes(1 + int(32));
}

/** A content-level mutation that keeps the framing valid, so the session processes it. */
function softMutated(): Buffer {
  const m = Buffer.from(wellFormed());
  for (let i = 0; i < 1 + int(3); i++) if (m.length > 5) m[5 + int(m.length - 5)] = int(256);
  return m;
}

/**
 * One fuzzing connection: startup (or a fuzzed startup phase), then messages
 * the session must process one by one, possibly ending with a damaged one,
 * then Terminate; waits until the server has closed (or has been quiet for a
 * second). Returns the messages written.
 */
function fuzzConnection(port: number, afterStartup: boolean): Promise<number> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let written = 0;
    const done = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(written);
    };
    // a damaged length can leave the server waiting for bytes that never come: stop after a quiet second
    let timer = setTimeout(done, 1000);
    socket.on('error', done);
    socket.on('close', done);
    socket.on('data', (d: Buffer) => {
      received += d.length;
      clearTimeout(timer);
      timer = setTimeout(done, 1000);
    });
    socket.on('connect', () => {
      const parts: Buffer[] = [];
      if (!afterStartup) {
        for (let i = 0; i < PER_CONNECTION; i++) parts.push(randomStartup());
        written = PER_CONNECTION;
      } else {
        parts.push(startupPacket('trust_user'));
        for (let i = 0; i < PER_CONNECTION - 2; i++) parts.push(rand() < 0.75 ? wellFormed() : softMutated());
        parts.push(rand() < 0.3 ? fatalish() : wellFormed());
        parts.push(typed(0x58, Buffer.alloc(0))); // Terminate
        written = PER_CONNECTION;
      }
      socket.write(Buffer.concat(parts));
    });
  });
}

describe('protocol fuzzing against a live server', () => {
  let child: ChildProcess;
  let port = 0;

  beforeAll(async () => {
    const dist = path.resolve('dist/cli.js');
    const newest = (dir: string): number =>
      Math.max(...fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => fs.statSync(path.join(e.parentPath, e.name)).mtimeMs));
    if (!fs.existsSync(dist) || fs.statSync(dist).mtimeMs < newest(path.resolve('src'))) {
      execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'ignore' });
    }
    const dir = writeCatalog({
      database: 'lakegate',
      default_schema: 'lake',
      users: TEST_USERS,
      schemas: exampleSchemas(),
      server: { auth: { max_failures: 1_000_000 }, limits: { statement_timeout: '500ms', max_message_size: '1MB' } },
    });
    child = spawn(process.execPath, ['bin/lakegate.cjs', 'serve', '--catalog', dir, '--port', '0', '--log-level', 'info'], { stdio: ['ignore', 'pipe', 'pipe'] });
    port = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /"port":(\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      child.once('exit', (code) => reject(new Error(`lakegate exited with ${code}: ${out}`)));
    });
  }, 120_000);

  afterAll(() => {
    child?.kill('SIGKILL');
  });

  async function normalClientWorks(): Promise<void> {
    const c = new pg.Client({ host: '127.0.0.1', port, user: 'lakegate', password: 'lakegate', database: 'lakegate' });
    await c.connect();
    const r = await c.query('SELECT count(*)::int AS n FROM lake.zones WHERE zone_id > $1', [0]);
    expect(r.rows[0].n).toBe(265);
    await c.end();
  }

  it(`survives ${TOTAL_MESSAGES} random and mutated messages (seed ${SEED}), keeps serving, and its memory grows < 50 MB`, async () => {
    // warm-up: the first few hundred sessions grow the allocators' pools and the thread pool's stacks (about 50 MB
    // on this machine, the same with or without fuzzing); growth is measured from there
    for (let i = 0; i < 25; i++) await Promise.all(Array.from({ length: PARALLEL }, () => normalClientWorks()));
    const before = readRss(child.pid!);
    let sent = 0;
    let connections = 0;
    const rss: string[] = [];
    while (sent < TOTAL_MESSAGES) {
      const batch = Array.from({ length: PARALLEL }, () => fuzzConnection(port, rand() < 0.9));
      sent += (await Promise.all(batch)).reduce((a, b) => a + b, 0);
      connections += PARALLEL;
      expect(child.exitCode, 'the server process died').toBeNull();
      if (connections % 200 === 0) rss.push((readRss(child.pid!) / 2 ** 20).toFixed(0));
    }
    console.log(`fuzz RSS every 200 connections (MB): ${rss.join(' ')}`);
    await normalClientWorks();
    const after = readRss(child.pid!);
    console.log(`fuzz: ${sent} messages over ${connections} connections, ${(received / 2 ** 20).toFixed(1)} MB of answers; RSS ${(before / 2 ** 20).toFixed(1)} MB -> ${(after / 2 ** 20).toFixed(1)} MB`);
    expect(sent).toBeGreaterThanOrEqual(TOTAL_MESSAGES);
    expect(after - before).toBeLessThan(50 * 2 ** 20);
  }, 120_000);
});
