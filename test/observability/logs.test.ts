import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, exampleSchemas, type TestGateway } from '../support/gateway.js';
import { captureLogs } from './support.js';

const tag = `${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
/** Every secret the workload handles; none may reach the log. */
const SECRETS = {
  alice: `Al1ce-S3cret-${tag}`,
  bob: `B0b-Md5-pw-${tag}`,
  wrong: `Wr0ng-Guess-${tag}`,
  crm: `Crm-Url-S3cret-${tag}`,
  crmField: `Crm-Field-S3cret-${tag}`,
  inSql: `Sql-Url-S3cret-${tag}`,
  remote: `Remote-S3cret-${tag}`,
};

describe('structured logs', () => {
  let gw: TestGateway;
  const cap = captureLogs('debug');
  let alicePid = 0;

  beforeAll(async () => {
    gw = await startGateway({
      logger: cap.logger,
      catalogDoc: {
        database: 'lakegate',
        default_schema: 'lake',
        users: [
          { name: 'alice', password: SECRETS.alice, method: 'scram-sha-256', plaintext_password: true },
          { name: 'bob', password: SECRETS.bob, method: 'md5', plaintext_password: true },
        ],
        sources: {
          crm: { kind: 'postgres', url: `postgresql://crm_user:${SECRETS.crm}@127.0.0.1:5432/crm` },
          erp: { kind: 'mysql', host: '127.0.0.1', user: 'erp', password: SECRETS.crmField },
        },
        schemas: exampleSchemas(),
      },
    });
    const alice = new pg.Client({ host: '127.0.0.1', port: gw.port, user: 'alice', password: SECRETS.alice, database: 'lakegate', application_name: 'log-test' });
    await alice.connect();
    alicePid = (alice as unknown as { processID: number }).processID;
    await alice.query('SELECT count(*) FROM lake.zones');
    await alice.query(`SELECT 'postgresql://someone:${SECRETS.inSql}@db.example/x' AS dsn`);
    await expect(alice.query('SELECT * FROM lake.no_such_table')).rejects.toMatchObject({ code: '42P01' });
    // a federated statement's remote SQL, reported while it runs as federation will report it
    const unsubscribe = gw.gateway.events.subscribe({
      statementStarted: (s) => {
        if (s.query === 'SELECT 1') gw.gateway.events.remoteQuery({ source: 'crm', rows: 5, ms: 1.5, sql: `SELECT id FROM public.customers -- postgresql://u:${SECRETS.remote}@h/db`, statement: s });
      },
    });
    await alice.query('SELECT 1');
    unsubscribe();
    const bob = new pg.Client({ host: '127.0.0.1', port: gw.port, user: 'bob', password: SECRETS.bob, database: 'lakegate' });
    await bob.connect();
    await bob.end();
    const intruder = new pg.Client({ host: '127.0.0.1', port: gw.port, user: 'alice', password: SECRETS.wrong, database: 'lakegate' });
    await expect(intruder.connect()).rejects.toMatchObject({ code: '28P01' });
    gw.gateway.events.remoteQuery({ source: 'crm', rows: 3, ms: 2, sql: `SELECT * FROM dblink('postgresql://x:${SECRETS.remote}@h/db')` });
    gw.gateway.events.catalogReloaded({ ok: false, file: 'catalog.yaml', durationMs: 1, error: 'catalog.yaml:3: users.0.name: expected string' });
    await alice.end();
    await new Promise((r) => setTimeout(r, 50));
  });

  afterAll(async () => {
    await gw?.close();
  });

  const find = (pred: (r: Record<string, unknown>) => boolean) => cap.records().filter(pred);

  it('writes one JSON object per line, each with an event name', () => {
    expect(cap.lines.length).toBeGreaterThan(5);
    for (const r of cap.records()) {
      expect(typeof r.level).toBe('number');
      expect(typeof r.time).toBe('number');
      expect(typeof r.msg).toBe('string');
    }
    const events = new Set(cap.records().map((r) => r.event));
    for (const e of ['listening', 'connection_opened', 'statement', 'auth_failed', 'connection_closed', 'remote_query', 'catalog_reload']) expect(events).toContain(e);
  });

  it('logs connections opened and closed with user, application_name and client', () => {
    const opened = find((r) => r.event === 'connection_opened' && r.user === 'alice')[0]!;
    expect(opened).toMatchObject({ pid: alicePid, user: 'alice', database: 'lakegate', application_name: 'log-test', client: '127.0.0.1' });
    const closed = find((r) => r.event === 'connection_closed' && r.user === 'alice')[0]!;
    expect(closed).toMatchObject({ pid: alicePid, user: 'alice' });
    expect(typeof closed.duration_ms).toBe('number');
    expect(find((r) => r.event === 'connection_opened' && r.user === 'bob')).toHaveLength(1);
  });

  it('logs each statement with user, application_name, duration, rows and bytes sent', () => {
    const st = find((r) => r.event === 'statement' && r.query === 'SELECT count(*) FROM lake.zones')[0]!;
    expect(st).toMatchObject({ pid: alicePid, user: 'alice', application_name: 'log-test', status: 'ok', rows: 1, level: 30 });
    expect(st.duration_ms).toBeGreaterThan(0);
    expect(st.bytes_sent).toBeGreaterThan(0);
  });

  it('logs failed statements with their SQLSTATE at warn level', () => {
    const failed = find((r) => r.event === 'statement' && r.status === 'error')[0]!;
    expect(failed).toMatchObject({ sqlstate: '42P01', user: 'alice', level: 40, query: 'SELECT * FROM lake.no_such_table' });
    expect(String(failed.error)).toContain('no_such_table');
  });

  it('logs authentication failures with user and client, and the sources and remote SQL a statement touched', () => {
    const auth = find((r) => r.event === 'auth_failed')[0]!;
    expect(auth).toMatchObject({ user: 'alice', client: '127.0.0.1', sqlstate: '28P01', reason: 'auth_failed', level: 40 });
    const remote = find((r) => r.event === 'remote_query' && r.rows === 3)[0]!;
    expect(remote).toMatchObject({ source: 'crm', rows: 3 });
    const federated = find((r) => r.event === 'statement' && r.query === 'SELECT 1')[0]!;
    expect(federated.sources).toEqual({ crm: { queries: 1, rows: 5, errors: 0, ms: 1.5 } });
    expect(federated.remote_sql).toEqual(['crm: SELECT id FROM public.customers -- postgresql://u:[redacted]@h/db']);
    const reload = find((r) => r.event === 'catalog_reload')[0]!;
    expect(reload).toMatchObject({ ok: false, level: 50 });
  });

  it('never contains a password or secret', () => {
    const all = cap.lines.join('\n');
    for (const [what, secret] of Object.entries(SECRETS)) {
      expect(all.includes(secret), `${what} leaked into the log`).toBe(false);
    }
    // the statement with a URL is logged, with its credentials removed
    const dsn = find((r) => r.event === 'statement' && String(r.query).includes('someone'))[0]!;
    expect(dsn.query).toBe("SELECT 'postgresql://someone:[redacted]@db.example/x' AS dsn");
  });
});

describe('statement logging threshold', () => {
  it('logs only statements slower than --log-min-duration, and failures always', async () => {
    const cap = captureLogs('info');
    const gw = await startGateway({ logger: cap.logger, logMinDurationMs: 60_000 });
    const c = new pg.Client(gw.url());
    await c.connect();
    await c.query('SELECT 1');
    await expect(c.query('SELECT 1/0')).rejects.toMatchObject({ code: '22012' });
    await c.end();
    await gw.close();
    const statements = cap.records().filter((r) => r.event === 'statement');
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatchObject({ sqlstate: '22012', status: 'error' });
  });
});
