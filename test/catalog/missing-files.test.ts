import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { Engine } from '../../src/engine/engine.js';
import { catalogDirWith, makeFixtureLake } from '../support/lake-fixture.js';
import { startGateway, TEST_USERS, type TestGateway } from '../support/gateway.js';

describe('lake files that disappear or break after the catalog was loaded', () => {
  let gw: TestGateway;
  let client: pg.Client;
  let lake: string;

  beforeAll(async () => {
    const fixture = await makeFixtureLake();
    const dir = catalogDirWith(
      fixture,
      stringify({
        database: 'lakegate',
        users: TEST_USERS,
        schemas: {
          lake: {
            single: { parquet: 'lake/one.parquet' },
            parts: { parquet: 'lake/parts/**/*.parquet' },
            people: { csv: 'lake/people.csv', delimiter: ';' },
            events: { json: 'lake/events.ndjson' },
            hive: { parquet: 'lake/hive/**/*.parquet', hive_partitioning: true, columns: { id: 'integer', v: null } },
            still_here: { parquet: 'lake/parts/a.parquet' },
          },
        },
      }),
    );
    lake = path.join(dir, 'lake');
    gw = await startGateway({ catalog: dir });
    client = new pg.Client(gw.url());
    await client.connect();
  });

  afterAll(async () => {
    await client?.end();
    await gw?.close();
  });

  const failure = (sql: string | pg.QueryConfig): Promise<pg.DatabaseError> =>
    client.query(sql as string).then(
      () => {
        throw new Error(`expected ${JSON.stringify(sql)} to fail`);
      },
      (e: pg.DatabaseError) => e,
    );

  it('answers 58P01 naming the path when a table\'s files are gone, and keeps serving', async () => {
    expect((await client.query('SELECT count(*)::int AS n FROM lake.single')).rows[0].n).toBe(10);
    fs.rmSync(path.join(lake, 'one.parquet'));
    fs.rmSync(path.join(lake, 'parts', 'sub'), { recursive: true });
    fs.rmSync(path.join(lake, 'parts', 'a.parquet'));
    fs.rmSync(path.join(lake, 'people.csv'));
    fs.rmSync(path.join(lake, 'events.ndjson'));
    for (const [table, file] of [
      ['single', 'one.parquet'],
      ['parts', 'parts/**/*.parquet'],
      ['people', 'people.csv'],
      ['events', 'events.ndjson'],
    ] as const) {
      const e = await failure(`SELECT * FROM lake.${table}`);
      expect(e.code).toBe('58P01');
      expect(e.message).toBe(`could not open file "${path.join(lake, file)}": No such file or directory`);
    }
    // the extended protocol too
    const p = await failure({ name: 'gone', text: 'SELECT count(*) FROM lake.single WHERE id > $1', values: [1] } as pg.QueryConfig);
    expect(p.code).toBe('58P01');
    // the session and the other tables are fine
    expect((await client.query('SELECT count(*)::int AS n FROM lake.hive')).rows[0].n).toBe(20);
  });

  it('answers XX001 naming the file when a file is no longer Parquet', async () => {
    fs.writeFileSync(path.join(lake, 'parts', 'a.parquet'), 'garbage '.repeat(100));
    const e = await failure('SELECT * FROM lake.still_here');
    expect(e.code).toBe('XX001');
    expect(e.message).toBe(`could not read file "${path.join(lake, 'parts', 'a.parquet')}": not a Parquet file`);
  });

  it('answers 42703 when a declared column is no longer in the files', async () => {
    // rewrite every file without column v, with a DuckDB of the test's own
    const engine = await Engine.open({ threads: 1 });
    const conn = await engine.connect();
    for (const f of fs.readdirSync(path.join(lake, 'hive'), { recursive: true, withFileTypes: true })) {
      if (!f.isFile()) continue;
      const p = path.join(f.parentPath, f.name);
      await conn.run(`COPY (SELECT id FROM read_parquet('${p}')) TO '${p}.tmp' (FORMAT parquet)`);
      fs.renameSync(`${p}.tmp`, p);
    }
    conn.close();
    engine.close();
    const e = await failure('SELECT * FROM lake.hive');
    expect(e.code).toBe('42703');
    expect(e.message).toBe('column "v" does not exist');
    expect((await client.query('SELECT 1 AS ok')).rows[0].ok).toBe(1);
  });
});
