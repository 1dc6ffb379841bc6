import net from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../support/gateway.js';

/** Session behaviours BI tools and drivers rely on, each checked against what PostgreSQL does. */
describe('session features for clients', () => {
  let gw: TestGateway;
  let client: pg.Client;
  const notices: string[] = [];

  beforeAll(async () => {
    gw = await startGateway();
    client = new pg.Client(gw.url());
    client.on('notice', (n) => notices.push(`${n.severity}:${n.code}:${n.message}`));
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
    await gw?.close();
  });

  it('SET of any PostgreSQL setting is remembered per session and SHOW returns it', async () => {
    await client.query("SET work_mem = '64MB'");
    await client.query('SET client_min_messages = warning');
    await client.query('SET log_statement = all');
    expect((await client.query('SHOW work_mem')).rows).toEqual([{ work_mem: '64MB' }]);
    expect((await client.query('SHOW log_statement')).rows).toEqual([{ log_statement: 'all' }]);
    const other = new pg.Client(gw.url());
    await other.connect();
    expect((await other.query('SHOW work_mem')).rows).toEqual([{ work_mem: '4MB' }]);
    await other.end();
    // pg_settings shows base units, as PostgreSQL does
    expect((await client.query("SELECT current_setting('work_mem') AS w, setting, unit FROM pg_settings WHERE name = 'work_mem'")).rows).toEqual([{ w: '64MB', setting: '65536', unit: 'kB' }]);
    await expect(client.query('SET no_such_setting = 1')).rejects.toMatchObject({ code: '42704' });
  });

  it('SHOW TRANSACTION ISOLATION LEVEL', async () => {
    const r = await client.query('SHOW TRANSACTION ISOLATION LEVEL');
    expect(r.fields[0]!.name).toBe('transaction_isolation');
    expect(r.rows).toEqual([{ transaction_isolation: 'read committed' }]);
  });

  it('a standalone SELECT set_config(...) changes the session; current_setting reads it', async () => {
    const r = await client.query("SELECT set_config('application_name', 'from-set-config', false)");
    expect(r.rows).toEqual([{ set_config: 'from-set-config' }]);
    expect((await client.query('SHOW application_name')).rows).toEqual([{ application_name: 'from-set-config' }]);
    expect((await client.query("SELECT current_setting('application_name') AS a")).rows).toEqual([{ a: 'from-set-config' }]);
    await client.query("SELECT pg_catalog.set_config('search_path', 'lake', false)");
    // name[] is not parsed by node-postgres: the text form is what PostgreSQL sends too
    expect((await client.query('SELECT current_schema() AS s, current_schemas(true) AS p')).rows).toEqual([{ s: 'lake', p: '{pg_catalog,lake}' }]);
  });

  it('pg_sleep sleeps, and statement_timeout cancels it with 57014', async () => {
    const r = await client.query('SELECT pg_sleep(0.01)');
    expect(r.fields[0]!.dataTypeID).toBe(2278);
    expect(r.rows).toEqual([{ pg_sleep: '' }]);
    await client.query("SET statement_timeout = '50ms'");
    await expect(client.query('SELECT pg_sleep(30)')).rejects.toMatchObject({ code: '57014', message: 'canceling statement due to statement timeout' });
    // inside a larger statement pg_sleep runs in DuckDB and is interrupted there
    await expect(client.query('SELECT pg_sleep(30), 1 AS one')).rejects.toMatchObject({ code: '57014' });
    await client.query('RESET statement_timeout');
    expect((await client.query('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }]);
  });

  it('a cancel request ends pg_sleep', async () => {
    const c = new pg.Client(gw.url());
    await c.connect();
    const pid = (c as unknown as { processID: number }).processID;
    const outcome = c.query('SELECT pg_sleep(30)').then(
      () => 'finished',
      (e: { code?: string }) => e.code,
    );
    // send the CancelRequest once the gateway runs the statement (an earlier one is ignored, as in PostgreSQL)
    const session = () => [...gw.gateway.server.sessions].find((s) => s.identity.processId === pid);
    while (!session()?.isRunning) await new Promise((r) => setTimeout(r, 10));
    const packet = Buffer.alloc(16);
    packet.writeInt32BE(16, 0);
    packet.writeInt32BE(80877102, 4);
    packet.writeUInt32BE(pid >>> 0, 8);
    packet.writeUInt32BE(session()!.identity.secretKey >>> 0, 12);
    await new Promise<void>((resolve, reject) => {
      const sock = net.connect(gw.port, '127.0.0.1', () => sock.end(packet));
      sock.on('close', () => resolve());
      sock.on('error', reject);
    });
    expect(await outcome).toBe('57014');
    expect((await c.query('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }]);
    await c.end();
  });

  it('a bare ROLLBACK outside a transaction is a warning, as in PostgreSQL', async () => {
    notices.length = 0;
    const r = await client.query('ROLLBACK');
    expect(r.command).toBe('ROLLBACK');
    expect(notices).toEqual(['WARNING:25P01:there is no transaction in progress']);
  });

  it('psqlODBC-style savepoints around every statement, with an error rolled back to its savepoint', async () => {
    await client.query('BEGIN');
    await client.query('SAVEPOINT _EXEC_SVP_1');
    expect((await client.query('SELECT count(*) AS n FROM lake.payment_types')).rows).toEqual([{ n: '4' }]);
    await client.query('RELEASE _EXEC_SVP_1');
    await client.query('SAVEPOINT _EXEC_SVP_2');
    await expect(client.query('SELECT * FROM lake.no_such_table')).rejects.toMatchObject({ code: '42P01' });
    await client.query('ROLLBACK TO _EXEC_SVP_2');
    expect((await client.query('SELECT count(*) AS n FROM lake.zones')).rows).toEqual([{ n: '265' }]);
    await client.query('RELEASE _EXEC_SVP_2');
    const c = await client.query('COMMIT');
    expect(c.command).toBe('COMMIT');
  });

  it('DECLARE ... CURSOR WITH HOLD and FETCH n IN survive the COMMIT (Tableau, psqlODBC)', async () => {
    await client.query('BEGIN');
    await client.query('DECLARE "SQL_CUR0x1" CURSOR WITH HOLD FOR SELECT zone_id FROM lake.zones ORDER BY zone_id');
    expect((await client.query('FETCH 2 IN "SQL_CUR0x1"')).rows).toEqual([{ zone_id: 1 }, { zone_id: 2 }]);
    await client.query('COMMIT');
    const after = await client.query('FETCH 3 IN "SQL_CUR0x1"');
    expect(after.rows).toEqual([{ zone_id: 3 }, { zone_id: 4 }, { zone_id: 5 }]);
    expect(after.command).toBe('FETCH');
    await client.query('CLOSE "SQL_CUR0x1"');
  });

  it("session temp tables: Tableau's CREATE LOCAL TEMPORARY TABLE ... ON COMMIT PRESERVE ROWS", async () => {
    await client.query('CREATE LOCAL TEMPORARY TABLE "#Tableau_1_Connect" ("COL" INTEGER) ON COMMIT PRESERVE ROWS');
    await client.query('INSERT INTO "#Tableau_1_Connect" VALUES (1)');
    expect((await client.query('SELECT "COL" FROM "#Tableau_1_Connect"')).rows).toEqual([{ COL: 1 }]);
    const listed = await client.query(
      "SELECT n.nspname, c.relname, c.relpersistence FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relname LIKE '#Tableau%'",
    );
    expect(listed.rows).toEqual([{ nspname: 'pg_temp_1', relname: '#Tableau_1_Connect', relpersistence: 't' }]);
    // another session does not see it
    const other = new pg.Client(gw.url());
    await other.connect();
    expect((await other.query("SELECT count(*) AS n FROM pg_class WHERE relname LIKE '#Tableau%'")).rows).toEqual([{ n: '0' }]);
    await other.end();
    await client.query('DROP TABLE "#Tableau_1_Connect"');
  });

  it('pg_backend_pid, txid_current, pg_postmaster_start_time, version', async () => {
    const r = await client.query('SELECT pg_backend_pid() AS pid, txid_current() AS x, pg_postmaster_start_time() AS t, version() AS v');
    const row = r.rows[0];
    expect(row.pid).toBe((client as unknown as { processID: number }).processID);
    expect(Number(row.x)).toBeGreaterThan(0);
    expect(row.t).toBeInstanceOf(Date);
    expect(row.v).toMatch(/^PostgreSQL 15\./);
    expect(r.fields.map((f) => f.dataTypeID)).toEqual([23, 20, 1184, 25]);
  });
});
