import { DuckDBInstance } from '@duckdb/node-api';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { NoticeMessage } from 'pg-protocol/dist/messages.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, TEST_USERS, type TestGateway } from '../support/gateway.js';
import { runPsql, someoneRunning } from './support.js';

// a scan that takes seconds: progress comes from the Parquet row groups DuckDB has read
const SLOW_QUERY = "SELECT sum(hash(x::varchar || 'abc' || y::varchar) % 7) AS h FROM big.numbers";
const PROGRESS = /^progress: (\d+)%$/;

describe('progress notices (SET lakegate.progress = on)', () => {
  let dir: string;
  let gw: TestGateway;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), `lakegate-progress-${process.pid}-`));
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    await c.run(`COPY (SELECT range AS x, range % 97 AS y FROM range(16000000)) TO '${path.join(dir, 'numbers.parquet')}' (ROW_GROUP_SIZE 100000)`);
    c.closeSync();
    gw = await startGateway({
      catalogDoc: { database: 'lakegate', default_schema: 'big', users: TEST_USERS, schemas: { big: { numbers: { parquet: path.join(dir, 'numbers.parquet') } } } },
    });
  }, 120_000);

  afterAll(async () => {
    await gw?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('sends NOTICE messages with the percentage while a long query runs, only when asked', async () => {
    const c = new pg.Client(gw.url());
    await c.connect();
    const notices: NoticeMessage[] = [];
    // whether the statement was still running when each notice reached the client
    const whileRunning: boolean[] = [];
    c.on('notice', (n) => {
      notices.push(n);
      whileRunning.push(someoneRunning(gw.gateway));
    });

    await c.query(SLOW_QUERY);
    expect(notices).toHaveLength(0);

    await c.query('SET lakegate.progress = on');
    expect((await c.query('SHOW lakegate.progress')).rows[0]['lakegate.progress']).toBe('on');
    const result = await c.query(SLOW_QUERY);
    expect(result.rows).toHaveLength(1);
    expect(notices.length).toBeGreaterThan(0);
    const pct = notices.map((n) => {
      expect(n.severity).toBe('NOTICE');
      expect(n.code).toBe('00000');
      const m = PROGRESS.exec(n.message ?? '');
      expect(m, n.message).not.toBeNull();
      return Number(m![1]);
    });
    for (let i = 1; i < pct.length; i++) expect(pct[i]).toBeGreaterThan(pct[i - 1]!);
    for (const p of pct) expect(p).toBeLessThan(100);
    // flushed as they happen, not held back until the result
    expect(whileRunning.every(Boolean)).toBe(true);

    notices.length = 0;
    whileRunning.length = 0;
    await c.query('SET lakegate.progress = off');
    await c.query(SLOW_QUERY);
    expect(notices).toHaveLength(0);
    await c.end();
  });

  it('reaches psql while the query runs', async () => {
    const out = await runPsql([gw.url(), '-c', 'SET lakegate.progress = on', '-c', SLOW_QUERY]);
    expect(out.status).toBe(0);
    expect(out.stderr).toMatch(/^NOTICE: {2}progress: \d+%$/m);
    expect(out.stdout).toContain('(1 row)');
  });
});
