import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogDirWith, makeFixtureLake } from '../support/lake-fixture.js';
import { startGateway, TEST_USERS, type TestGateway } from '../support/gateway.js';
import { stringify } from 'yaml';

/** PostgreSQL type OIDs the assertions name. */
const OID = { int2: 21, int4: 23, int8: 20, text: 25, numeric: 1700, float8: 701, timestamp: 1114, date: 1082 };

describe('lake tables in every format', () => {
  let gw: TestGateway;
  let client: pg.Client;
  let dir: string;

  beforeAll(async () => {
    const fixture = await makeFixtureLake();
    process.env.LAKEGATE_TEST_FIXTURE_LAKE = path.join(fixture, 'lake');
    const doc = {
      database: 'lakegate',
      default_schema: 'lake',
      users: TEST_USERS,
      schema_comments: { lake: 'Test lake' },
      schemas: {
        lake: {
          one: { parquet: 'lake/one.parquet', comment: 'A single Parquet file' },
          from_env: { parquet: '${LAKEGATE_TEST_FIXTURE_LAKE}/one.parquet' },
          parts_glob: { parquet: 'lake/parts/*.parquet' },
          parts_recursive: { parquet: 'lake/parts/**/*.parquet' },
          parts_dir: { parquet: 'lake/parts' },
          hive: { parquet: 'lake/hive/**/*.parquet', hive_partitioning: { year: 'smallint', month: 'integer' } },
          hive_untyped: { parquet: 'lake/hive/**/*.parquet', hive_partitioning: true },
          people: { csv: 'lake/people.csv', delimiter: ';', header: true, quote: '"', types: { score: 'numeric(6,2)' } },
          noheader: { csv: 'lake/noheader.csv', header: false, columns: { n: 'integer', label: 'text' } },
          events: { json: 'lake/events.ndjson', columns: { id: 'bigint', kind: 'text', at: { type: 'timestamp', comment: 'When it happened' } } },
          events_inferred: { json: 'lake/events.ndjson' },
          projected: {
            parquet: 'lake/one.parquet',
            comment: 'Two of the three columns, reordered',
            columns: { amount: { type: 'numeric(10,2)', comment: 'Amount in EUR' }, ID: { type: 'integer' } },
          },
        },
      },
      views: {
        'lake.big_amounts': { sql: 'SELECT id, amount FROM lake.one WHERE amount > 10', comment: 'Rows above 10', columns: { amount: { comment: 'Over 10' } } },
      },
    };
    dir = catalogDirWith(fixture, stringify(doc));
    gw = await startGateway({ catalog: dir });
    client = new pg.Client(gw.url());
    await client.connect();
  });

  afterAll(async () => {
    await client?.end();
    await gw?.close();
    delete process.env.LAKEGATE_TEST_FIXTURE_LAKE;
  });

  it('reads a single Parquet file, relative to the catalog or through ${ENV}', async () => {
    const r = await client.query('SELECT count(*)::int AS n, sum(amount) AS total FROM lake.one');
    expect(r.rows[0]).toEqual({ n: 10, total: '68.75' });
    const e = await client.query('SELECT count(*)::int AS n FROM lake.from_env');
    expect(e.rows[0].n).toBe(10);
  });

  it('reads a glob, a ** glob and a directory (recursively)', async () => {
    const ids = async (t: string) => (await client.query(`SELECT id FROM lake.${t} ORDER BY id`)).rows.map((r) => r.id);
    expect(await ids('parts_glob')).toEqual([1, 2, 3]);
    expect(await ids('parts_recursive')).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await ids('parts_dir')).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('types hive partition columns as declared', async () => {
    const r = await client.query('SELECT year, month, count(*)::int AS n FROM lake.hive GROUP BY ALL ORDER BY 1, 2');
    expect(r.rows).toEqual([
      { year: 2023, month: 1, n: 5 },
      { year: 2023, month: 2, n: 5 },
      { year: 2024, month: 1, n: 5 },
      { year: 2024, month: 2, n: 5 },
    ]);
    expect(r.fields.slice(0, 2).map((f) => f.dataTypeID)).toEqual([OID.int2, OID.int4]);
    const u = await client.query('SELECT year, month FROM lake.hive_untyped LIMIT 1');
    expect(u.fields.map((f) => f.dataTypeID)).toEqual([OID.int8, OID.int8]);
  });

  it('reads CSV with delimiter, header, quote and types', async () => {
    const r = await client.query('SELECT id, name, score FROM lake.people ORDER BY id');
    expect(r.rows).toEqual([
      { id: '1', name: 'Smith; John', score: '2.50' },
      { id: '2', name: 'Ann', score: null },
      { id: '3', name: 'Bo', score: '7.00' },
    ]);
    expect(r.fields.map((f) => f.dataTypeID)).toEqual([OID.int8, OID.text, OID.numeric]);
  });

  it('names and types the columns of a CSV without a header from the declared columns', async () => {
    const r = await client.query('SELECT * FROM lake.noheader ORDER BY n');
    expect(r.rows).toEqual([
      { n: 1, label: 'x' },
      { n: 2, label: 'y' },
    ]);
    expect(r.fields.map((f) => f.dataTypeID)).toEqual([OID.int4, OID.text]);
  });

  it('reads newline-delimited JSON, typed as declared or inferred', async () => {
    const r = await client.query('SELECT * FROM lake.events ORDER BY id');
    expect(r.fields.map((f) => [f.name, f.dataTypeID])).toEqual([
      ['id', OID.int8],
      ['kind', OID.text],
      ['at', OID.timestamp],
    ]);
    expect(r.rows.map((x) => x.kind)).toEqual(['open', 'click', 'close']);
    const i = await client.query('SELECT count(*)::int AS n FROM lake.events_inferred');
    expect(i.rows[0].n).toBe(3);
  });

  it('exposes exactly the declared columns, in declared order and spelling', async () => {
    const r = await client.query('SELECT * FROM lake.projected ORDER BY 2 LIMIT 1');
    expect(r.fields.map((f) => f.name)).toEqual(['amount', 'ID']);
    expect(r.rows[0]).toEqual({ amount: '1.25', ID: 1 });
  });

  it('serves catalog views', async () => {
    const r = await client.query('SELECT count(*)::int AS n FROM lake.big_amounts');
    expect(r.rows[0].n).toBe(2);
  });

  it('installs table, view and column comments where DuckDB metadata carries them', async () => {
    const admin = gw.gateway.engine.adminConnection;
    const views = await admin.rows("SELECT view_name, comment FROM duckdb_views() WHERE schema_name = 'lake' AND comment IS NOT NULL ORDER BY 1");
    expect(views).toEqual([
      { view_name: 'big_amounts', comment: 'Rows above 10' },
      { view_name: 'one', comment: 'A single Parquet file' },
      { view_name: 'projected', comment: 'Two of the three columns, reordered' },
    ]);
    const cols = await admin.rows("SELECT table_name, column_name, comment FROM duckdb_columns() WHERE schema_name = 'lake' AND comment IS NOT NULL ORDER BY 1, 2");
    expect(cols).toEqual([
      { table_name: 'big_amounts', column_name: 'amount', comment: 'Over 10' },
      { table_name: 'events', column_name: 'at', comment: 'When it happened' },
      { table_name: 'projected', column_name: 'amount', comment: 'Amount in EUR' },
    ]);
    // DuckDB cannot comment on schemas: they are kept for the pg_catalog emulation
    expect(await admin.rows('SELECT * FROM lakegate_internal.schema_comments')).toEqual([{ schema_name: 'lake', comment: 'Test lake' }]);
  });

  it('lists lake tables as tables and views as views for the pg_catalog emulation, with stable OIDs', async () => {
    const admin = gw.gateway.engine.adminConnection;
    const rows = await admin.rows(
      "SELECT relation_name, kind, origin, oid = lakegate_internal.stable_oid(kind, [schema_name, relation_name]) AS same_oid FROM lakegate_internal.catalog_relations WHERE relation_name IN ('one', 'big_amounts') ORDER BY 1",
    );
    expect(rows).toEqual([
      { relation_name: 'big_amounts', kind: 'view', origin: 'view', same_oid: 't' },
      { relation_name: 'one', kind: 'table', origin: 'lake', same_oid: 't' },
    ]);
  });
});
