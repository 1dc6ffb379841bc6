import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../support/gateway.js';
import { names, RawClient, serialize } from '../support/raw-client.js';

/** Exact backend message sequences, as PostgreSQL 15 sends them. */
describe('message flow', () => {
  let gw: TestGateway;
  let c: RawClient;
  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(async () => {
    await gw.close();
  });
  beforeEach(async () => {
    c = await RawClient.connect(gw.port);
  });
  afterEach(() => c.end());

  const status = (msgs: { name: string }[]): string => (msgs[msgs.length - 1] as unknown as { status: string }).status;

  it('simple query with several statements: one result each, one ReadyForQuery', async () => {
    c.send(serialize.query('SELECT 1 AS a; SELECT 2 AS b, 3 AS c; SELECT 4 WHERE false'));
    const m = await c.until('readyForQuery');
    expect(names(m)).toEqual([
      'rowDescription', 'dataRow', 'commandComplete',
      'rowDescription', 'dataRow', 'commandComplete',
      'rowDescription', 'commandComplete',
      'readyForQuery',
    ]);
    expect((m[2] as unknown as { text: string }).text).toBe('SELECT 1');
    expect((m[7] as unknown as { text: string }).text).toBe('SELECT 0');
    expect(status(m)).toBe('I');
  });

  it('an empty query string gets EmptyQueryResponse', async () => {
    c.send(serialize.query('  -- nothing here\n'));
    expect(names(await c.until('readyForQuery'))).toEqual(['emptyQuery', 'readyForQuery']);
  });

  it('an error stops the rest of a simple query message', async () => {
    c.send(serialize.query('SELECT 1; SELECT * FROM nosuch; SELECT 3'));
    const m = await c.until('readyForQuery');
    expect(names(m)).toEqual(['rowDescription', 'dataRow', 'commandComplete', 'error', 'readyForQuery']);
    expect((m[3] as unknown as { code: string }).code).toBe('42P01');
  });

  it('transaction status I/T/E and 25P02 until ROLLBACK', async () => {
    c.send(serialize.query('BEGIN'));
    expect(status(await c.until('readyForQuery'))).toBe('T');
    c.send(serialize.query('SELECT 1/0'));
    let m = await c.until('readyForQuery');
    expect((m[0] as unknown as { code: string }).code).toBe('22012');
    expect(status(m)).toBe('E');
    c.send(serialize.query('SELECT 1'));
    m = await c.until('readyForQuery');
    expect((m[0] as unknown as { code: string }).code).toBe('25P02');
    expect(status(m)).toBe('E');
    c.send(serialize.query('COMMIT'));
    m = await c.until('readyForQuery');
    expect((m[0] as unknown as { text: string }).text).toBe('ROLLBACK');
    expect(status(m)).toBe('I');
  });

  it('transaction statement variants and their tags', async () => {
    const cases: [string, string, string][] = [
      ['BEGIN ISOLATION LEVEL SERIALIZABLE', 'BEGIN', 'T'],
      ['COMMIT', 'COMMIT', 'I'],
      ['START TRANSACTION READ ONLY', 'START TRANSACTION', 'T'],
      ['END', 'COMMIT', 'I'],
      ['BEGIN READ ONLY', 'BEGIN', 'T'],
      ['ABORT', 'ROLLBACK', 'I'],
      ['BEGIN WORK', 'BEGIN', 'T'],
      ['SAVEPOINT s1', 'SAVEPOINT', 'T'],
      ['RELEASE SAVEPOINT s1', 'RELEASE', 'T'],
      ['ROLLBACK WORK', 'ROLLBACK', 'I'],
    ];
    for (const [sql, tag, st] of cases) {
      c.send(serialize.query(sql));
      const m = await c.until('readyForQuery');
      const done = m.find((x) => x.name === 'commandComplete') as unknown as { text: string };
      expect(done.text, sql).toBe(tag);
      expect(status(m), sql).toBe(st);
    }
  });

  it('a bare ROLLBACK outside a transaction is a warning, as in PostgreSQL', async () => {
    c.send(serialize.query('ROLLBACK'));
    const m = await c.until('readyForQuery');
    expect(names(m)).toEqual(['notice', 'commandComplete', 'readyForQuery']);
    const n = m[0] as unknown as { severity: string; code: string; message: string };
    expect([n.severity, n.code, n.message]).toEqual(['WARNING', '25P01', 'there is no transaction in progress']);
  });

  it('ROLLBACK TO SAVEPOINT recovers a failed transaction', async () => {
    c.send(serialize.query('BEGIN; SAVEPOINT a; SELECT 1/0'));
    expect(status(await c.until('readyForQuery'))).toBe('E');
    c.send(serialize.query('ROLLBACK TO SAVEPOINT a'));
    expect(status(await c.until('readyForQuery'))).toBe('T');
    c.send(serialize.query('SELECT 5 AS five; COMMIT'));
    const m = await c.until('readyForQuery');
    expect(names(m)).toEqual(['rowDescription', 'dataRow', 'commandComplete', 'commandComplete', 'readyForQuery']);
    expect(status(m)).toBe('I');
  });

  it('extended protocol: Parse/Bind/Describe/Execute/Sync in one write', async () => {
    c.send(
      serialize.parse({ name: 's1', text: 'SELECT $1::int + 1 AS n', types: [0] }),
      serialize.describe({ type: 'S', name: 's1' }),
      serialize.bind({ statement: 's1', portal: '', values: ['41'] }),
      serialize.describe({ type: 'P', name: '' }),
      serialize.execute({ portal: '', rows: 0 }),
      serialize.sync(),
    );
    const m = await c.until('readyForQuery');
    expect(names(m)).toEqual(['parseComplete', 'parameterDescription', 'rowDescription', 'bindComplete', 'rowDescription', 'dataRow', 'commandComplete', 'readyForQuery']);
    expect((m[1] as unknown as { dataTypeIDs: number[] }).dataTypeIDs).toEqual([23]);
    expect((m[5] as unknown as { fields: string[] }).fields).toEqual(['42']);
  });

  it('Describe of a statement without rows answers NoData and never executes it', async () => {
    c.send(serialize.parse({ name: '', text: 'SET TimeZone = \'Europe/Paris\'' }), serialize.describe({ type: 'S', name: '' }), serialize.sync());
    expect(names(await c.until('readyForQuery'))).toEqual(['parseComplete', 'parameterDescription', 'noData', 'readyForQuery']);
    c.send(serialize.query('SHOW TimeZone'));
    const m = await c.until('readyForQuery');
    expect((m[1] as unknown as { fields: string[] }).fields).toEqual(['UTC']);
  });

  it('row-limited Execute suspends the portal and a later Execute continues it', async () => {
    c.send(
      serialize.parse({ text: 'SELECT i FROM range(5) t(i) ORDER BY i' }),
      serialize.bind({}),
      serialize.execute({ rows: 2 }),
      serialize.execute({ rows: 2 }),
      serialize.execute({ rows: 2 }),
      serialize.sync(),
    );
    const m = await c.until('readyForQuery');
    expect(names(m)).toEqual([
      'parseComplete', 'bindComplete',
      'dataRow', 'dataRow', 'portalSuspended',
      'dataRow', 'dataRow', 'portalSuspended',
      'dataRow', 'commandComplete', 'readyForQuery',
    ]);
    const values = m.filter((x) => x.name === 'dataRow').map((x) => (x as unknown as { fields: string[] }).fields[0]);
    expect(values).toEqual(['0', '1', '2', '3', '4']);
    expect((m[9] as unknown as { text: string }).text).toBe('SELECT 5');
  });

  it('after an error, messages are skipped until Sync; no ReadyForQuery before Sync', async () => {
    c.send(
      serialize.parse({ name: 'bad', text: 'SELECT * FROM nosuch' }),
      serialize.bind({ statement: 'bad' }),
      serialize.execute({}),
      serialize.flush(),
    );
    const m = await c.until('error');
    expect(names(m)).toEqual(['error']);
    c.send(serialize.sync());
    expect(names(await c.until('readyForQuery'))).toEqual(['readyForQuery']);
    c.send(serialize.parse({ text: 'SELECT 7' }), serialize.bind({}), serialize.execute({}), serialize.sync());
    expect(names(await c.until('readyForQuery'))).toEqual(['parseComplete', 'bindComplete', 'dataRow', 'commandComplete', 'readyForQuery']);
  });

  it('binary result formats are echoed in RowDescription', async () => {
    c.send(
      serialize.parse({ text: 'SELECT 1::int4 AS a, \'x\' AS b' }),
      serialize.bind({ binary: true }),
      serialize.describe({ type: 'P', name: '' }),
      serialize.execute({}),
      serialize.sync(),
    );
    const m = await c.until('readyForQuery');
    const rd = m.find((x) => x.name === 'rowDescription') as unknown as { fields: { format: string; dataTypeID: number }[] };
    expect(rd.fields.map((f) => [f.dataTypeID, f.format])).toEqual([
      [23, 'binary'],
      [25, 'binary'],
    ]);
  });

  it('named statements are reused and closed; a closed one is gone', async () => {
    c.send(serialize.parse({ name: 'q', text: 'SELECT $1::text AS v' }), serialize.sync());
    await c.until('readyForQuery');
    for (const v of ['a', 'b']) {
      c.send(serialize.bind({ statement: 'q', values: [v] }), serialize.execute({}), serialize.sync());
      const m = await c.until('readyForQuery');
      expect((m[1] as unknown as { fields: string[] }).fields).toEqual([v]);
    }
    c.send(serialize.close({ type: 'S', name: 'q' }), serialize.bind({ statement: 'q', values: ['c'] }), serialize.sync());
    const m = await c.until('readyForQuery');
    expect(names(m)).toEqual(['closeComplete', 'error', 'readyForQuery']);
    expect((m[1] as unknown as { code: string }).code).toBe('26000');
  });

  it('NULL parameters', async () => {
    c.send(serialize.parse({ text: 'SELECT $1::int IS NULL AS isnull, coalesce($2::text, \'dflt\') AS v' }), serialize.bind({ values: [null, null] }), serialize.execute({}), serialize.sync());
    const m = await c.until('readyForQuery');
    expect((m[2] as unknown as { fields: string[] }).fields).toEqual(['t', 'dflt']);
  });

  it('command tags for DDL and DML on temporary tables', async () => {
    const cases: [string, string][] = [
      ['CREATE TEMP TABLE t (a int, b text)', 'CREATE TABLE'],
      ["INSERT INTO t VALUES (1, 'x'), (2, 'y')", 'INSERT 0 2'],
      ["UPDATE t SET b = 'z' WHERE a = 1", 'UPDATE 1'],
      ['DELETE FROM t WHERE a > 0', 'DELETE 2'],
      ['CREATE TEMP TABLE t2 AS SELECT * FROM range(3)', 'SELECT 3'],
      ['DROP TABLE t2', 'DROP TABLE'],
      ['SET application_name = \'x\'', 'SET'],
      ['SHOW application_name', 'SHOW'],
      ['RESET application_name', 'RESET'],
    ];
    for (const [sql, tag] of cases) {
      c.send(serialize.query(sql));
      const m = await c.until('readyForQuery');
      const done = m.find((x) => x.name === 'commandComplete') as unknown as { text: string } | undefined;
      expect(done?.text, `${sql}: ${JSON.stringify(m)}`).toBe(tag);
    }
  });

  it('INSERT ... RETURNING returns rows and tags them as INSERT', async () => {
    c.send(serialize.query('CREATE TEMP TABLE r (a int); INSERT INTO r VALUES (1), (2) RETURNING a * 10 AS x'));
    const m = await c.until('readyForQuery');
    expect(names(m)).toEqual(['commandComplete', 'rowDescription', 'dataRow', 'dataRow', 'commandComplete', 'readyForQuery']);
    expect((m[4] as unknown as { text: string }).text).toBe('INSERT 0 2');
  });

  it('startup reports the PostgreSQL 15 parameters clients parse, then BackendKeyData and ReadyForQuery(I)', async () => {
    const r = await RawClient.connect(gw.port, 'trust_user', 'lakegate', { application_name: 'probe', options: '-c statement_timeout=5s --search_path=lake' });
    const status = Object.fromEntries(
      r.startup.filter((m) => m.name === 'parameterStatus').map((m) => [(m as unknown as { parameterName: string }).parameterName, (m as unknown as { parameterValue: string }).parameterValue]),
    );
    expect(status).toMatchObject({
      server_encoding: 'UTF8',
      client_encoding: 'UTF8',
      DateStyle: 'ISO, MDY',
      IntervalStyle: 'postgres',
      TimeZone: 'UTC',
      integer_datetimes: 'on',
      standard_conforming_strings: 'on',
      application_name: 'probe',
      is_superuser: 'off',
      session_authorization: 'trust_user',
    });
    expect(status.server_version).toMatch(/^15\.\d+ \(lakegate /);
    expect(names(r.startup).slice(0, 1)).toEqual(['authenticationOk']);
    expect(names(r.startup).slice(-2)).toEqual(['backendKeyData', 'readyForQuery']);
    r.send(serialize.query('SHOW statement_timeout; SHOW search_path'));
    const m = await r.until('readyForQuery');
    const values = m.filter((x) => x.name === 'dataRow').map((x) => (x as unknown as { fields: string[] }).fields[0]);
    expect(values).toEqual(['5s', 'lake']);
    r.end();
  });

  it('GSSENCRequest is answered N and the connection continues in clear', async () => {
    const net = await import('node:net');
    const s = net.connect(gw.port, '127.0.0.1');
    await new Promise((resolve) => s.once('connect', resolve));
    const gss = Buffer.alloc(8);
    gss.writeInt32BE(8, 0);
    gss.writeInt32BE(80877104, 4);
    s.write(gss);
    const answer = await new Promise<Buffer>((resolve) => s.once('data', resolve));
    expect(answer.toString()).toBe('N');
    s.write(serialize.startup({ user: 'trust_user', database: 'lakegate' }));
    const reply = await new Promise<Buffer>((resolve) => s.once('data', resolve));
    expect(reply[0]).toBe(0x52); // AuthenticationOk
    s.destroy();
  });

  it('ParameterStatus is sent when a reported setting changes', async () => {
    c.send(serialize.query("SET application_name = 'reporting'"));
    const m = await c.until('readyForQuery');
    expect(names(m)).toEqual(['commandComplete', 'parameterStatus', 'readyForQuery']);
    expect(m[1]).toMatchObject({ parameterName: 'application_name', parameterValue: 'reporting' });
  });
});
