import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stableOid } from '../../src/catalog/oids.js';
import { setVisibleObjects } from '../../src/pgcatalog/session-state.js';
import fs from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { exampleSchemas, POSTGRES_URL, startGateway, TEST_USERS, writeCatalog, type TestGateway } from '../support/gateway.js';

describe('pg_catalog and information_schema emulation', () => {
  let gw: TestGateway;
  let client: pg.Client;
  let oracle: pg.Client;

  beforeAll(async () => {
    gw = await startGateway();
    client = new pg.Client(gw.url());
    await client.connect();
    oracle = new pg.Client(POSTGRES_URL);
    await oracle.connect();
  });
  afterAll(async () => {
    await client?.end();
    await oracle?.end();
    await gw?.close();
  });

  async function rows(sql: string, c: pg.Client = client): Promise<Record<string, unknown>[]> {
    return (await c.query(sql)).rows;
  }

  it('lists only catalog schemas plus pg_catalog and information_schema: DuckDB and lakegate internals never leak', async () => {
    expect(await rows('SELECT nspname FROM pg_namespace ORDER BY 1')).toEqual([{ nspname: 'information_schema' }, { nspname: 'lake' }, { nspname: 'pg_catalog' }]);
    expect(await rows('SELECT schema_name FROM information_schema.schemata ORDER BY 1')).toEqual([
      { schema_name: 'information_schema' },
      { schema_name: 'lake' },
      { schema_name: 'pg_catalog' },
    ]);
    const schemas = await rows('SELECT DISTINCT table_schema FROM information_schema.tables ORDER BY 1');
    expect(schemas).toEqual([{ table_schema: 'information_schema' }, { table_schema: 'lake' }, { table_schema: 'pg_catalog' }]);
    const leaked = await rows(
      "SELECT relname FROM pg_class WHERE relname LIKE 'duckdb%' OR relname LIKE 'lakegate%' OR relname LIKE 'sqlite%' OR relname LIKE '\\_\\_%' OR relname IN ('pg_div', 'pg_mod')",
    );
    expect(leaked).toEqual([]);
    const lakeTables = await rows("SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'lake' ORDER BY 1");
    expect(lakeTables).toEqual([
      { relname: 'daily_trips', relkind: 'v' },
      { relname: 'payment_types', relkind: 'r' },
      { relname: 'trips', relkind: 'r' },
      { relname: 'zones', relkind: 'r' },
    ]);
    await expect(client.query('SELECT * FROM pg_catalog.duckdb_tables')).rejects.toMatchObject({ code: '42P01' });
    // the emulation's objects and the per-session visibility tables cannot be read or written by clients
    for (const sql of ['SELECT * FROM lakegate_pg.pg_class', 'SELECT * FROM lakegate_internal.catalog_relations', "INSERT INTO lakegate_visible VALUES ('*', '*')", 'DELETE FROM lakegate_session']) {
      await expect(client.query(sql), sql).rejects.toMatchObject({ code: '42P01' });
    }
  });

  it('OIDs are the stable ones of src/catalog/oids.ts, the same on every start', async () => {
    const [ns] = await rows("SELECT oid FROM pg_namespace WHERE nspname = 'lake'");
    expect(Number(ns!.oid)).toBe(stableOid('schema', 'lake'));
    const [t] = await rows("SELECT 'lake.trips'::regclass::oid AS oid");
    expect(Number(t!.oid)).toBe(stableOid('table', 'lake', 'trips'));
    const [v] = await rows("SELECT c.oid FROM pg_class c WHERE c.relname = 'daily_trips'");
    expect(Number(v!.oid)).toBe(stableOid('view', 'lake', 'daily_trips'));
    const again = await startGateway();
    const c2 = new pg.Client(again.url());
    await c2.connect();
    expect(await rows("SELECT oid FROM pg_class WHERE relname IN ('trips', 'zones') ORDER BY 1", c2)).toEqual(
      await rows("SELECT oid FROM pg_class WHERE relname IN ('trips', 'zones') ORDER BY 1"),
    );
    await c2.end();
    await again.close();
  });

  it('columns carry PostgreSQL types, comments come from the catalog', async () => {
    const cols = await rows(
      "SELECT a.attname, format_type(a.atttypid, a.atttypmod) AS t, col_description(a.attrelid, a.attnum) AS d FROM pg_attribute a WHERE a.attrelid = 'lake.trips'::regclass AND a.attnum > 0 ORDER BY a.attnum",
    );
    expect(cols.slice(0, 2)).toEqual([
      { attname: 'trip_id', t: 'bigint', d: null },
      { attname: 'pickup_at', t: 'timestamp without time zone', d: null },
    ]);
    expect(cols).toContainEqual({ attname: 'fare', t: 'numeric(10,2)', d: null });
    expect(await rows("SELECT obj_description('lake.trips'::regclass, 'pg_class') AS d")).toEqual([{ d: 'One row per taxi trip' }]);
  });

  it('catalog columns keep their PostgreSQL types: oid, name, "char" (text and binary)', async () => {
    const r = await client.query("SELECT c.oid, c.relname, c.relkind, c.relnatts FROM pg_class c WHERE c.relname = 'zones'");
    expect(r.fields.map((f) => [f.name, f.dataTypeID])).toEqual([
      ['oid', 26],
      ['relname', 19],
      ['relkind', 18],
      ['relnatts', 21],
    ]);
    const sql = (await import('postgres')).default(gw.url(), { max: 1 });
    // postgres.js reads oid columns in binary: 4 bytes
    const [row] = await sql`SELECT c.oid, c.relname FROM pg_class c WHERE c.relname = ${'zones'}`;
    expect(Number(row!.oid)).toBe(stableOid('table', 'lake', 'zones'));
    await sql.end();
  });

  it('PostgreSQL semantics of operators and functions, compared with PostgreSQL', async () => {
    const probes = [
      "SELECT 'abc' ~ 'b' AS a, 'abc' ~* 'B' AS b, 'abc' !~ 'z' AS c, 'abc' ~ '^b' AS d",
      "SELECT 'a_b' LIKE 'a\\_b' AS a, 'axb' LIKE 'a\\_b' AS b, 'AXB' ILIKE 'a_b' AS c",
      'SELECT format_type(23, -1) AS a, format_type(1043, 20) AS b, format_type(1700, 655366) AS c, format_type(1007, NULL) AS d, format_type(16, NULL) AS e',
      "SELECT quote_ident('Trips') AS a, quote_ident('trips') AS b, quote_ident('select') AS c",
      "SELECT '{1,2}'::int[] AS a, '{a,\"b c\",NULL}'::text[] AS b",
      "SELECT 'int4'::regtype AS a, 'integer'::regtype::oid AS b, 'pg_class'::regclass AS c, 'pg_class'::regclass::oid AS d",
      'SELECT pg_encoding_to_char(6) AS a, current_setting(\'DateStyle\') AS b, current_setting(\'no.such\', true) AS c',
      'SELECT NULL AS a, 1 AS b',
      'SELECT 2 = ANY(ARRAY[1, 2]) AS a, 3 <> ALL(ARRAY[1, 2]) AS b',
      "SELECT relname FROM pg_class WHERE relname OPERATOR(pg_catalog.~) '^(pg_class)$' COLLATE pg_catalog.default",
    ];
    for (const sql of probes) {
      const [want, got] = [await oracle.query(sql), await client.query(sql)];
      expect({ sql, rows: got.rows, types: got.fields.map((f) => f.dataTypeID) }).toEqual({ sql, rows: want.rows, types: want.fields.map((f) => f.dataTypeID) });
    }
  });

  it('the visibility hook: catalog queries show only what the session may see', async () => {
    const c = new pg.Client(gw.url());
    await c.connect();
    const session = [...gw.gateway.server.sessions].find((s) => s.identity.processId === (c as unknown as { processID: number }).processID)!;
    await session.pgState.start();
    await setVisibleObjects(session.engine, [{ schema: 'lake', table: 'zones' }]);
    expect(await rows("SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'lake'", c)).toEqual([{ relname: 'zones' }]);
    expect(await rows("SELECT table_name FROM information_schema.tables WHERE table_schema = 'lake'", c)).toEqual([{ table_name: 'zones' }]);
    expect(await rows("SELECT count(*)::int AS n FROM information_schema.columns WHERE table_schema = 'lake'", c)).toEqual([{ n: 4 }]);
    await setVisibleObjects(session.engine, []);
    expect(await rows('SELECT nspname FROM pg_namespace ORDER BY 1', c)).toEqual([{ nspname: 'information_schema' }, { nspname: 'pg_catalog' }]);
    // other sessions are not affected
    expect(await rows("SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'lake'")).toEqual([{ n: 4 }]);
    await c.end();
  });

  it('Kysely introspection and postgres.js type fetching', async () => {
    const { Kysely, PostgresDialect } = await import('kysely');
    const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: gw.url(), max: 1 }) }) });
    expect((await db.introspection.getSchemas()).map((s) => s.name).sort()).toEqual(['information_schema', 'lake', 'pg_catalog']);
    const tables = await db.introspection.getTables();
    const trips = tables.find((t) => t.schema === 'lake' && t.name === 'trips')!;
    expect(trips.isView).toBe(false);
    expect(trips.columns.map((c) => [c.name, c.dataType]).slice(0, 3)).toEqual([
      ['trip_id', 'int8'],
      ['pickup_at', 'timestamp'],
      ['dropoff_at', 'timestamp'],
    ]);
    expect(tables.find((t) => t.name === 'daily_trips')!.isView).toBe(true);
    await db.destroy();
    const postgres = (await import('postgres')).default;
    const sql = postgres(gw.url(), { max: 1, fetch_types: true });
    expect(await sql`SELECT ${[1, 2]}::int[] AS a`).toEqual([{ a: [1, 2] }]);
    await sql.end();
  });

  it('follows a catalog reload: new schemas and tables appear, dropped ones go, in open sessions too', async () => {
    const doc = (extra: Record<string, unknown>) => ({ database: 'lakegate', default_schema: 'lake', users: TEST_USERS, schemas: { ...exampleSchemas(), ...extra } });
    const dir = writeCatalog(doc({}));
    const local = await startGateway({ catalog: dir });
    const c = new pg.Client(local.url());
    await c.connect();
    const listed = async () => (await c.query("SELECT n.nspname || '.' || c.relname AS r FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1")).rows.map((r) => r.r);
    expect(await listed()).toEqual(['lake.payment_types', 'lake.trips', 'lake.zones']);
    const zones = (exampleSchemas().lake as Record<string, unknown>).zones;
    fs.writeFileSync(path.join(dir, 'catalog.yaml'), stringify(doc({ geo: { zones_copy: { ...(zones as object), comment: 'a copy' } } })));
    expect((await local.gateway.reload('api')).ok).toBe(true);
    expect(await listed()).toEqual(['geo.zones_copy', 'lake.payment_types', 'lake.trips', 'lake.zones']);
    expect((await c.query("SELECT obj_description('geo.zones_copy'::regclass, 'pg_class') AS d")).rows).toEqual([{ d: 'a copy' }]);
    fs.writeFileSync(path.join(dir, 'catalog.yaml'), stringify(doc({})));
    expect((await local.gateway.reload('api')).ok).toBe(true);
    expect(await listed()).toEqual(['lake.payment_types', 'lake.trips', 'lake.zones']);
    expect((await c.query('SELECT nspname FROM pg_namespace ORDER BY 1')).rows.map((r) => r.nspname)).toEqual(['information_schema', 'lake', 'pg_catalog']);
    await c.end();
    await local.close();
  });
});
