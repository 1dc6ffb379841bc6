import net from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleSchemas, startGateway, TEST_USERS, type TestGateway } from '../support/gateway.js';
import { captureLogs, ENDLESS_QUERY, eventually, someoneRunning } from './support.js';

function http(gw: TestGateway, path: string, init?: RequestInit): Promise<Response> {
  return fetch(`http://127.0.0.1:${gw.gateway.observability.httpAddress!.port}${path}`, init);
}

describe('GET /healthz and /readyz', () => {
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startGateway({
      http: { host: '127.0.0.1', port: 0 },
      catalogDoc: {
        database: 'lakegate',
        default_schema: 'lake',
        users: TEST_USERS,
        sources: { crm: { kind: 'postgres', url: 'postgresql://crm@127.0.0.1:5432/crm' } },
        schemas: exampleSchemas(),
      },
    });
  });

  afterAll(async () => {
    await gw?.close();
  });

  it('healthz: the process is up', async () => {
    const res = await http(gw, '/healthz');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toMatchObject({ status: 'ok' });
  });

  it('readyz: catalog loaded, DuckDB answers, and each source with its state', async () => {
    const res = await http(gw, '/readyz');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      status: 'ready',
      shutting_down: false,
      catalog: { loaded: true, objects: 3 },
      duckdb: { answers: true },
      sources: { crm: { state: 'unknown' } },
    });
  });

  it('readyz reports what federation says about each source, without failing on a source that is down', async () => {
    gw.gateway.observability.sourceStates = (names) => Object.fromEntries(names.map((n) => [n, { state: 'down', detail: 'connection refused' }]));
    const res = await http(gw, '/readyz');
    expect(res.status).toBe(200);
    expect(((await res.json()) as { sources: unknown }).sources).toEqual({ crm: { state: 'down', detail: 'connection refused' } });
  });

  it('answers anything else with 404, and other methods with 405', async () => {
    expect((await http(gw, '/nope')).status).toBe(404);
    const post = await http(gw, '/metrics', { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    const head = await http(gw, '/readyz', { method: 'HEAD' });
    expect(head.status).toBe(200);
  });
});

describe('graceful shutdown in process', () => {
  it('turns not ready, refuses new clients, ends idle sessions with 57P01 and waits for running statements', async () => {
    const gw = await startGateway({ http: { host: '127.0.0.1', port: 0 } });
    const idle = new pg.Client(gw.url());
    const busy = new pg.Client(gw.url());
    await idle.connect();
    await busy.connect();
    const idleErrors: { code?: string }[] = [];
    const busyErrors: { code?: string }[] = [];
    idle.on('error', (e) => idleErrors.push(e as { code?: string }));
    busy.on('error', (e) => busyErrors.push(e as { code?: string }));
    const running = busy.query(ENDLESS_QUERY).catch((e: unknown) => e);
    await eventually('the endless query to run', () => someoneRunning(gw.gateway));

    const done = gw.gateway.shutdown(600_000);
    const ready = await http(gw, '/readyz');
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ status: 'not ready', shutting_down: true });
    await eventually('the idle client to be told', () => idleErrors.length > 0);
    expect(idleErrors[0]).toMatchObject({ code: '57P01' });
    const late = new pg.Client(gw.url());
    await expect(late.connect()).rejects.toThrow();
    // the running statement is still being waited for
    expect(someoneRunning(gw.gateway)).toBe(true);

    // it ends (cancelled here, so the test need not wait); then its session is ended too
    for (const s of gw.gateway.server.sessions) s.interrupt('cancel');
    expect(await running).toMatchObject({ code: '57014' });
    await done;
    await eventually('the busy client to be told', () => busyErrors.length > 0);
    expect(busyErrors[0]).toMatchObject({ code: '57P01' });
    expect(gw.gateway.server.sessions.size).toBe(0);
  });

  it('cancels statements still running when the grace period ends with 57P01', async () => {
    const gw = await startGateway();
    const busy = new pg.Client(gw.url());
    await busy.connect();
    busy.on('error', () => undefined);
    const running = busy.query(ENDLESS_QUERY).catch((e: unknown) => e);
    await eventually('the endless query to run', () => someoneRunning(gw.gateway));
    await gw.gateway.shutdown(0);
    expect(await running).toMatchObject({ code: '57P01', severity: 'FATAL', message: 'terminating connection due to administrator command' });
  });
});

describe('a busy HTTP port', () => {
  it('fails the start when the address was configured, and is skipped with a warning when it is only the default', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const busy = { host: '127.0.0.1', port: (blocker.address() as net.AddressInfo).port };
    try {
      await expect(startGateway({ http: busy })).rejects.toMatchObject({ code: 'EADDRINUSE' });
      const cap = captureLogs('info');
      const gw = await startGateway({ http: busy, httpRequired: false, logger: cap.logger });
      expect(gw.gateway.observability.httpAddress).toBeNull();
      expect(cap.records().find((r) => r.event === 'http_unavailable')).toMatchObject({ level: 40, port: busy.port });
      const c = new pg.Client(gw.url());
      await c.connect();
      expect((await c.query('SELECT 1 AS ok')).rows[0].ok).toBe(1);
      await c.end();
      await gw.close();
    } finally {
      blocker.close();
    }
  });
});
