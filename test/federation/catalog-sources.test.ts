import duckdb from '@duckdb/node-bindings';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/load.js';
import { exampleSchemas, startGateway, TEST_USERS, writeCatalog, type TestGateway } from '../support/gateway.js';
import { connect, textQuery } from './support/compare.js';
import { PgDatabase } from './support/sources.js';

function catalogError(doc: Record<string, unknown>): string {
  try {
    loadCatalog(writeCatalog(doc));
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected the catalog to be refused');
}

describe('catalog entries for sources', () => {
  it('validates sources with clear messages', () => {
    expect(catalogError({ sources: { s: { kind: 'sqlite' } } })).toContain('sources.s: a sqlite source needs path');
    expect(catalogError({ sources: { d: { kind: 'duckdb', path: 'x.duckdb', read_only: false } } })).toContain('duckdb files are attached read-only');
    expect(catalogError({ sources: { p: { kind: 'postgres', url: '${LAKEGATE_TEST_UNSET_VARIABLE}' } } })).toContain('environment variable LAKEGATE_TEST_UNSET_VARIABLE is not set');
    expect(catalogError({ sources: { p: { kind: 'postgres', pool_size: 0 } } })).toContain('pool_size');
    expect(catalogError({ schemas: { x: { t: { source: 'nope', table: 't' } } } })).toContain('no source named "nope"');
  });

  it('reads every source setting, with ${ENV} secrets', () => {
    process.env.LAKEGATE_TEST_SECRET_URL = 'postgresql://u:s3cret@db.example:5432/crm';
    const c = loadCatalog(
      writeCatalog({
        sources: {
          crm: { kind: 'postgres', url: '${LAKEGATE_TEST_SECRET_URL}', read_only: false, pool_size: 8, connect_timeout_ms: 1500, query_timeout_ms: 30000, schema: 'sales', batch_rows: 5000, dynamic_filter_max_keys: 100 },
          shop: { kind: 'sqlite', path: 'data/shop.db' },
        },
        schemas: { crm: { all: { source: 'crm', import: 'public', include: ['a*'], exclude: ['audit_*'] } } },
      }),
    );
    expect(c.sources[0]).toMatchObject({
      name: 'crm',
      url: 'postgresql://u:s3cret@db.example:5432/crm',
      readOnly: false,
      poolSize: 8,
      connectTimeoutMs: 1500,
      queryTimeoutMs: 30000,
      defaultSchema: 'sales',
      batchRows: 5000,
      dynamicFilterMaxKeys: 100,
    });
    expect(c.sources[1]).toMatchObject({ name: 'shop', readOnly: true, path: path.join(c.dir, 'data/shop.db') });
    expect(c.imports).toEqual([{ kind: 'import', schema: 'crm', source: 'crm', remoteSchema: 'public', include: ['a*'], exclude: ['audit_*'] }]);
  });
});

describe('duckdb files, imports with include/exclude, and reload', () => {
  let dir: string;
  let dbFile: string;
  let src: PgDatabase;
  let gw: TestGateway;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lakegate-duckfile-'));
    dbFile = path.join(dir, 'events.duckdb');
    const db = await duckdb.open(dbFile);
    const con = await duckdb.connect(db);
    await duckdb.query(con, `CREATE TABLE events AS SELECT i AS event_id, (i % 265) + 1 AS zone_id, 'kind ' || (i % 3) AS kind FROM range(1000) t(i)`);
    await duckdb.query(con, `CREATE TABLE secret_stuff AS SELECT 42 AS answer`);
    await duckdb.query(con, `CREATE TABLE metrics AS SELECT 1 AS m`);
    duckdb.disconnect_sync(con);
    duckdb.close_sync(db);
    src = await PgDatabase.create('lg_catalog');
    await src.run('CREATE TABLE alpha (id int PRIMARY KEY, v text)', `INSERT INTO alpha VALUES (1, 'a')`, 'CREATE TABLE audit_log (id int)', 'CREATE TABLE beta (id int)');
    process.env.LAKEGATE_TEST_CATALOG_PG = src.url;
    gw = await startGateway({
      catalog: writeCatalog({
        database: 'lakegate',
        default_schema: 'lake',
        users: TEST_USERS,
        sources: { ev: { kind: 'duckdb', path: dbFile }, crm: { kind: 'postgres', url: '${LAKEGATE_TEST_CATALOG_PG}' } },
        schemas: {
          ...exampleSchemas(),
          ev: { events: { source: 'ev', table: 'main.events', comment: 'Events from a DuckDB file' } },
          evall: { everything: { source: 'ev', import: 'main', exclude: ['secret_*'] } },
          crm: { all: { source: 'crm', import: 'public', include: ['a*'], exclude: ['audit_*'] } },
        },
      }),
    });
  }, 60_000);

  afterAll(async () => {
    await gw?.close();
    await src?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a duckdb file is attached read-only and joins with the lake', async () => {
    const c = await connect(gw.url());
    const r = await textQuery(c, `SELECT z.borough, count(*) AS n FROM ev.events e JOIN lake.zones z USING (zone_id) WHERE e.kind = 'kind 1' GROUP BY 1 ORDER BY 1`);
    expect(r.rows.reduce((n, row) => n + Number(row[1]), 0)).toBe(333);
    const tables = await textQuery(c, `SELECT table_name FROM information_schema.tables WHERE table_schema = 'evall' ORDER BY 1`);
    expect(tables.rows).toEqual([['events'], ['metrics']]);
    const e = await c.query('DELETE FROM ev.events').then(
      () => null,
      (x: { code: string }) => x,
    );
    expect(e?.code).toBe('25006');
    expect((await c.query('SELECT count(*) AS n FROM ev.events')).rows[0].n).toBe('1000');
    await c.end();
  });

  it('imports follow include and exclude patterns', async () => {
    const c = await connect(gw.url());
    expect((await textQuery(c, `SELECT table_name FROM information_schema.tables WHERE table_schema = 'crm' ORDER BY 1`)).rows).toEqual([['alpha']]);
    expect((await textQuery(c, 'SELECT * FROM crm.alpha')).rows).toEqual([['1', 'a']]);
    await c.end();
  });

  it('reload discovers new and changed remote tables and drops removed ones', async () => {
    await src.run('CREATE TABLE apple (id int, name text)', `INSERT INTO apple VALUES (7, 'seven')`, 'ALTER TABLE alpha ADD COLUMN extra int DEFAULT 5');
    const catalogDir = path.dirname(gw.gateway.catalog.file);
    const doc = {
      database: 'lakegate',
      default_schema: 'lake',
      users: TEST_USERS,
      sources: { ev: { kind: 'duckdb', path: dbFile }, crm: { kind: 'postgres', url: '${LAKEGATE_TEST_CATALOG_PG}' } },
      schemas: { ...exampleSchemas(), crm: { all: { source: 'crm', import: 'public', include: ['a*'], exclude: ['audit_*', 'alpha'] }, renamed: { source: 'crm', table: 'alpha' } } },
    };
    fs.writeFileSync(path.join(catalogDir, 'catalog.yaml'), stringify(doc));
    await gw.gateway.federation.reload(loadCatalog(catalogDir));
    const c = await connect(gw.url());
    expect((await textQuery(c, `SELECT table_name FROM information_schema.tables WHERE table_schema = 'crm' ORDER BY 1`)).rows).toEqual([['apple'], ['renamed']]);
    expect((await textQuery(c, 'SELECT id, v, extra FROM crm.renamed')).rows).toEqual([['1', 'a', '5']]);
    expect((await textQuery(c, 'SELECT name FROM crm.apple')).rows).toEqual([['seven']]);
    const gone = await c.query('SELECT * FROM crm.alpha').then(
      () => null,
      (x: { code: string }) => x,
    );
    expect(gone?.code).toBe('42P01');
    await c.end();
  });
});
