import pg from 'pg';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { exampleSchemas, TEST_USERS, writeCatalog } from '../support/gateway.js';
import { assertBuilt, ENDLESS_QUERY, eventually, parseMetrics, startCli, type CliProcess } from './support.js';

// runs for a couple of seconds, well inside the grace period
const LONG_QUERY = 'SELECT sum(hash(range)) AS h FROM range(60000000)';

interface Started {
  cli: CliProcess;
  port: number;
  httpPort: number;
  url: string;
}

const started: CliProcess[] = [];

async function serve(graceSeconds: number): Promise<Started> {
  const catalog = writeCatalog({ database: 'lakegate', default_schema: 'lake', users: TEST_USERS, schemas: exampleSchemas() });
  const cli = startCli(['serve', '--catalog', catalog, '--port', '0', '--http-port', '127.0.0.1:0', '--log-format', 'json'], {
    LAKEGATE_SHUTDOWN_GRACE: String(graceSeconds),
  });
  started.push(cli);
  const listening = await cli.waitForLog((r) => r.event === 'listening', 'listening');
  const http = await cli.waitForLog((r) => r.event === 'http_listening', 'http_listening');
  const port = listening.port as number;
  return { cli, port, httpPort: http.port as number, url: `postgresql://lakegate:lakegate@127.0.0.1:${port}/lakegate` };
}

async function running(s: Started): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${s.httpPort}/metrics`);
  return parseMetrics(await res.text()).get('lakegate_queries_running') ?? 0;
}

function errorsOf(c: pg.Client): { code?: string; severity?: string }[] {
  const errors: { code?: string; severity?: string }[] = [];
  c.on('error', (e) => errors.push(e as { code?: string }));
  return errors;
}

describe('graceful shutdown of the real process (SIGTERM)', () => {
  beforeAll(() => assertBuilt());

  afterEach(() => {
    for (const c of started.splice(0)) if (c.child.exitCode === null) c.child.kill('SIGKILL');
  });

  it('lets the running query finish, tells the idle client 57P01, and exits 0', async () => {
    const s = await serve(60);
    const idle = new pg.Client(s.url);
    const busy = new pg.Client(s.url);
    await idle.connect();
    await busy.connect();
    const idleErrors = errorsOf(idle);
    const busyErrors = errorsOf(busy);
    const result = busy.query(LONG_QUERY);
    await eventually('the long query to run', async () => (await running(s)) === 1);

    s.cli.child.kill('SIGTERM');
    await eventually('the idle client to be told', () => idleErrors.length > 0);
    expect(idleErrors[0]).toMatchObject({ code: '57P01', severity: 'FATAL' });
    // the running query completes normally
    const r = await result;
    expect(r.rows).toHaveLength(1);
    expect(r.rows[0].h).not.toBeNull();
    const exit = await s.cli.exit;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(busyErrors[0]).toMatchObject({ code: '57P01' });
    const phases = s.cli.logs.filter((l) => l.event === 'shutdown').map((l) => l.phase);
    expect(phases).toEqual(['started', 'finished']);
    expect(s.cli.logs.find((l) => l.event === 'signal')).toMatchObject({ signal: 'SIGTERM', grace_ms: 60_000 });
  });

  it('cancels what still runs when the grace period ends, with 57P01, and exits 0', async () => {
    const s = await serve(1);
    const busy = new pg.Client(s.url);
    await busy.connect();
    errorsOf(busy);
    const result = busy.query(ENDLESS_QUERY).catch((e: unknown) => e);
    await eventually('the endless query to run', async () => (await running(s)) === 1);
    s.cli.child.kill('SIGTERM');
    expect(await result).toMatchObject({ code: '57P01', message: 'terminating connection due to administrator command' });
    expect(await s.cli.exit).toEqual({ code: 0, signal: null });
    expect(s.cli.logs.filter((l) => l.event === 'shutdown').map((l) => l.phase)).toEqual(['started', 'grace_expired', 'finished']);
  });

  it('exits at once on a second signal', async () => {
    const s = await serve(600);
    const busy = new pg.Client(s.url);
    await busy.connect();
    errorsOf(busy);
    void busy.query(ENDLESS_QUERY).catch(() => undefined);
    await eventually('the endless query to run', async () => (await running(s)) === 1);
    s.cli.child.kill('SIGTERM');
    await s.cli.waitForLog((l) => l.event === 'shutdown' && l.phase === 'started', 'the shutdown to start');
    s.cli.child.kill('SIGTERM');
    expect(await s.cli.exit).toEqual({ code: 143, signal: null });
    expect(s.cli.logs.find((l) => l.phase === 'forced')).toMatchObject({ event: 'shutdown', signal: 'SIGTERM' });
  });
});
