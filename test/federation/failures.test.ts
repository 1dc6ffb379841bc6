import net from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleSchemas, startGateway, TEST_USERS, writeCatalog, type TestGateway } from '../support/gateway.js';
import { connect } from './support/compare.js';
import { ScratchCluster } from './support/scratch-cluster.js';
import { MysqlDatabase, PgDatabase } from './support/sources.js';

/** A view that streams rows slowly: a 50 ms pause every 10,000 rows. */
const SLOW_PG_VIEW = `CREATE VIEW slow AS SELECT i, md5(i::text) AS h FROM generate_series(1, 3000000) i WHERE (i % 10000 <> 0 OR pg_sleep(0.05) IS NOT NULL)`;

function pgErr(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  return p.then(
    () => {
      throw new Error('expected the statement to fail');
    },
    (e: { code: string; message: string }) => e,
  );
}

async function until(fn: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Sends PostgreSQL's CancelRequest for a connected node-postgres client. */
function cancelRequest(port: number, client: pg.Client): Promise<void> {
  const c = client as unknown as { processID: number; secretKey: number };
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => {
      const b = Buffer.alloc(16);
      b.writeInt32BE(16, 0);
      b.writeInt32BE(80877102, 4);
      b.writeInt32BE(c.processID, 8);
      b.writeInt32BE(c.secretKey, 12);
      s.end(b);
    });
    s.on('close', () => resolve());
  });
}

describe('source failures: clear errors, no leaked connections, the gateway keeps serving', () => {
  let flaky: ScratchCluster;
  let locked: ScratchCluster;
  let slowPg: PgDatabase;
  let slowMy: MysqlDatabase;
  let gw: TestGateway;

  beforeAll(async () => {
    [flaky, locked, slowPg, slowMy] = await Promise.all([
      ScratchCluster.create(),
      ScratchCluster.create({ password: 'secret' }),
      PgDatabase.create('lg_slow'),
      MysqlDatabase.create('lg_slow'),
    ]);
    // the flaky source gets its tables, then is stopped before the gateway starts
    await flaky.start();
    const c = await connect(flaky.url());
    await c.query('CREATE TABLE items (id int PRIMARY KEY, label text)');
    await c.query(`INSERT INTO items SELECT i, 'item ' || i FROM generate_series(1, 100) i`);
    await c.query(SLOW_PG_VIEW);
    await c.end();
    await flaky.stop();
    await locked.start();
    await slowPg.run(SLOW_PG_VIEW);
    await slowMy.run('CREATE VIEW slow AS SELECT seq, SLEEP(0.2) AS z FROM seq_1_to_100');
    gw = await startGateway({
      catalog: writeCatalog({
        database: 'lakegate',
        default_schema: 'lake',
        users: TEST_USERS,
        sources: {
          flaky: { kind: 'postgres', url: flaky.url(), connect_timeout_ms: 2000, retry_interval_s: 0.5, batch_rows: 2000 },
          locked: { kind: 'postgres', url: locked.url('postgres', 'wrong-password'), connect_timeout_ms: 2000 },
          slowpg: { kind: 'postgres', url: slowPg.url },
          slowpg_limited: { kind: 'postgres', url: slowPg.url, query_timeout_ms: 400 },
          slowmy: { kind: 'mysql', url: slowMy.url },
        },
        schemas: {
          ...exampleSchemas(),
          flaky: { items: { source: 'flaky', table: 'items' }, slow: { source: 'flaky', table: 'slow' } },
          flakyall: { all: { source: 'flaky', import: 'public' } },
          secure: { t: { source: 'locked', table: 'public.t' } },
          slowpg: { slow: { source: 'slowpg' } },
          limited: { slow: { source: 'slowpg_limited', table: 'slow' } },
          slowmy: { slow: { source: 'slowmy' } },
        },
      }),
    });
  }, 120_000);

  afterAll(async () => {
    await gw?.close();
    await Promise.allSettled([flaky?.destroy(), locked?.destroy(), slowPg?.drop(), slowMy?.drop()]);
  });

  async function serving(): Promise<void> {
    const c = await connect(gw.url());
    const r = await c.query('SELECT count(*) AS n FROM lake.zones');
    expect(r.rows[0].n).toBe('265');
    await c.end();
  }

  it('a source that is down at start-up answers with class 08 while everything else works', async () => {
    const c = await connect(gw.url());
    const e1 = await pgErr(c.query('SELECT * FROM flaky.items'));
    expect(e1.code).toBe('08001');
    expect(e1.message).toContain('source "flaky" is unavailable');
    const e2 = await pgErr(c.query('SELECT * FROM flakyall.items'));
    expect(e2.code).toBe('08001');
    // the session is still usable
    expect((await c.query('SELECT 1 AS one')).rows[0].one).toBe(1);
    await c.end();
    await serving();
  });

  it('a wrong password is a clear class-08 error naming the source', async () => {
    const c = await connect(gw.url());
    const e = await pgErr(c.query('SELECT * FROM secure.t'));
    expect(e.code).toBe('08001');
    expect(e.message).toMatch(/source "locked".*password authentication failed/);
    await c.end();
    expect(gw.gateway.federation.busyConnections()).toBe(0);
  });

  it("the source's tables answer again once it is back", async () => {
    await flaky.start();
    const c = await connect(gw.url());
    await until(async () => {
      try {
        await c.query('SELECT 1 FROM flaky.items LIMIT 1');
        return true;
      } catch {
        return false;
      }
    });
    expect((await c.query('SELECT count(*) AS n, max(label) AS m FROM flaky.items')).rows[0]).toEqual({ n: '100', m: 'item 99' });
    expect((await c.query('SELECT count(*) AS n FROM flakyall.items')).rows[0].n).toBe('100');
    await c.end();
  });

  it('a source stopped in the middle of a query fails that query with class 08 and releases its connection', async () => {
    const c = await connect(gw.url());
    const q = pgErr(c.query('SELECT count(*), max(h) FROM flaky.slow'));
    await new Promise((r) => setTimeout(r, 700));
    await flaky.stop('immediate');
    const e = await q;
    expect(e.code).toMatch(/^08/);
    expect(e.message).toContain('source "flaky"');
    expect(gw.gateway.federation.busyConnections()).toBe(0);
    expect((await c.query('SELECT count(*) AS n FROM lake.zones')).rows[0].n).toBe('265');
    const again = await pgErr(c.query('SELECT * FROM flaky.items'));
    expect(again.code).toMatch(/^08/);
    await c.end();
    await serving();
  });

  /** Queries the source still runs for `marker` (lakegate's application_name). */
  async function activeOnSource(): Promise<number> {
    const rows = await slowPg.query<{ n: string }>(
      `SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'lakegate' AND state = 'active'`,
      [slowPg.name],
    );
    return Number(rows[0]!.n);
  }

  it('statement_timeout cancels the remote query on the source', async () => {
    const c = await connect(gw.url());
    await c.query("SET statement_timeout = '600ms'");
    const e = await pgErr(c.query('SELECT count(*) FROM slowpg.slow'));
    expect(e.code).toBe('57014');
    expect(e.message).toBe('canceling statement due to statement timeout');
    await until(async () => (await activeOnSource()) === 0, 5000);
    expect(gw.gateway.federation.busyConnections()).toBe(0);
    await c.query('RESET statement_timeout');
    expect((await c.query('SELECT count(*) AS n FROM lake.zones')).rows[0].n).toBe('265');
    await c.end();
  });

  it("the source's own query_timeout_ms stops a slow query", async () => {
    const c = await connect(gw.url());
    const e = await pgErr(c.query('SELECT count(*) FROM limited.slow'));
    expect(e.code).toBe('57014');
    expect(e.message).toContain('statement timeout on source "slowpg_limited"');
    await until(async () => (await activeOnSource()) === 0, 5000);
    expect(gw.gateway.federation.busyConnections()).toBe(0);
    await c.end();
  });

  it('a client cancel request reaches the remote query', async () => {
    const c = await connect(gw.url());
    const q = pgErr(c.query('SELECT count(*) FROM slowpg.slow'));
    await until(async () => (await activeOnSource()) === 1, 5000);
    await cancelRequest(gw.port, c);
    const e = await q;
    expect(e.code).toBe('57014');
    expect(e.message).toBe('canceling statement due to user request');
    await until(async () => (await activeOnSource()) === 0, 5000);
    expect(gw.gateway.federation.busyConnections()).toBe(0);
    await c.end();
  });

  it('MariaDB: a timeout kills the query on the server', async () => {
    const c = await connect(gw.url());
    await c.query("SET statement_timeout = '700ms'");
    const e = await pgErr(c.query('SELECT count(*), sum(z) FROM slowmy.slow'));
    expect(e.code).toBe('57014');
    const running = async (): Promise<number> =>
      (await slowMy.query<{ n: number }>(`SELECT count(*) AS n FROM information_schema.PROCESSLIST WHERE DB = ? AND COMMAND = 'Execute'`, [slowMy.name]))[0]!.n;
    await until(async () => Number(await running()) === 0, 5000);
    expect(gw.gateway.federation.busyConnections()).toBe(0);
    await c.end();
    await serving();
  });
});
