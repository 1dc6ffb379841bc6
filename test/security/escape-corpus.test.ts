import os from 'node:os';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_LAKE, type TestGateway } from '../support/gateway.js';
import { connect, failure, startSecureGateway } from './support.js';

/**
 * Attempts to reach what the catalog does not expose: files, settings,
 * extensions, DuckDB's own catalogs, other sessions' objects, secrets. Each
 * must be refused with 42501 (a few invisible names with 42P01, as for any
 * name that does not exist) and the error must not leak anything.
 */
const L = EXAMPLE_LAKE;
/**
 * `answers: true`: the pg_catalog emulation answers these itself (session
 * settings, filtered catalogs); they may return rows, which must leak nothing.
 */
const CORPUS: { sql: string; code?: string; answers?: boolean }[] = [
  // files, inside and outside the lake
  { sql: `SELECT * FROM read_parquet('${L}/trips/year=2024/month=2/data_0.parquet')` },
  { sql: `SELECT count(*) FROM read_parquet('${L}/trips/**/*.parquet')` },
  { sql: "SELECT * FROM read_csv('/etc/passwd')" },
  { sql: "SELECT * FROM read_csv_auto('/etc/passwd')" },
  { sql: "SELECT * FROM read_text('/etc/passwd')" },
  { sql: "SELECT * FROM read_blob('/etc/hostname')" },
  { sql: "SELECT * FROM glob('/*')" },
  { sql: `SELECT * FROM glob('${L}/**')` },
  { sql: "SELECT * FROM read_json('/etc/x.json')" },
  { sql: "SELECT * FROM read_json_auto('/etc/x.json')" },
  { sql: "SELECT * FROM read_ndjson_objects('/etc/x.json')" },
  { sql: `SELECT * FROM parquet_metadata('${L}/zones.parquet')` },
  { sql: `SELECT * FROM parquet_schema('${L}/zones.parquet')` },
  { sql: `SELECT * FROM parquet_scan('${L}/zones.parquet')` },
  { sql: `SELECT * FROM sniff_csv('${L}/payment_types.csv')` },
  { sql: `SELECT * FROM '${L}/zones.parquet'` },
  { sql: `SELECT * FROM "${L}/zones.parquet"` },
  { sql: 'SELECT * FROM "zones.parquet"' },
  { sql: `FROM read_text('/etc/passwd')` },
  { sql: 'SELECT * FROM lake.zones z, LATERAL read_text(z.zone_name) t' },
  { sql: "SELECT * FROM generate_series(1, 1) g, read_csv('/etc/passwd') c" },
  { sql: "SELECT * FROM ROWS FROM (generate_series(1, 2), read_text('/etc/passwd'))" },
  { sql: "SELECT read_text('/etc/passwd')" },
  // writing files and other statements
  { sql: "COPY (SELECT 1) TO '/tmp/lakegate-escape.csv'" },
  { sql: `COPY lake.zones TO '${L}/copy.csv'` },
  { sql: "COPY lake.zones FROM '/etc/passwd'" },
  { sql: "COPY (SELECT 1) TO PROGRAM 'id'" },
  { sql: "EXPORT DATABASE '/tmp/lakegate-export'" },
  { sql: "IMPORT DATABASE '/tmp/lakegate-export'" },
  { sql: 'CREATE TABLE lake.stolen AS SELECT * FROM lake.zones' },
  { sql: 'CREATE TABLE main.stolen (a int)' },
  { sql: "CREATE VIEW v AS SELECT * FROM read_text('/etc/passwd')" },
  { sql: 'CREATE TEMP VIEW v AS SELECT * FROM lake.zones' },
  { sql: "CREATE MACRO m(x) AS x" },
  { sql: 'CREATE FUNCTION f() RETURNS int AS $$ SELECT 1 $$ LANGUAGE sql' },
  { sql: 'SELECT * INTO stolen FROM lake.zones' },
  { sql: 'DROP VIEW lake.daily_trips' },
  { sql: 'DROP SCHEMA lake CASCADE' },
  { sql: 'DELETE FROM lake.zones' },
  { sql: 'UPDATE lake.zones SET borough = NULL' },
  { sql: 'ALTER TABLE lake.zones RENAME TO z' },
  { sql: 'CHECKPOINT' },
  { sql: 'USE lake' },
  // extensions and secrets
  { sql: "ATTACH '/tmp/lakegate-escape.db' AS x" },
  { sql: "ATTACH ':memory:' AS m" },
  { sql: 'DETACH memory' },
  { sql: 'INSTALL httpfs' },
  { sql: 'LOAD httpfs' },
  { sql: "LOAD '/tmp/evil.duckdb_extension'" },
  { sql: 'SELECT * FROM duckdb_extensions()' },
  { sql: "CREATE SECRET s (TYPE s3, KEY_ID 'a', SECRET 'b')" },
  { sql: 'SELECT * FROM duckdb_secrets()' },
  { sql: "SELECT * FROM which_secret('s3://bucket/x', 's3')" },
  // settings and DuckDB's own catalogs
  { sql: 'SELECT * FROM duckdb_settings()' },
  { sql: "SELECT current_setting('allowed_directories')", answers: true },
  { sql: "SELECT current_setting('secret_directory')", answers: true },
  { sql: "SELECT current_setting(name) FROM (VALUES ('temp_directory')) t(name)", answers: true },
  { sql: "SELECT c.current_setting() FROM (SELECT 'allowed_directories' AS c) t" },
  { sql: "SELECT getvariable('x')" },
  { sql: 'SET VARIABLE x = 1' },
  { sql: 'SELECT * FROM pg_settings', answers: true },
  { sql: 'SELECT setting FROM pg_catalog.pg_settings', answers: true },
  { sql: 'PRAGMA version' },
  { sql: 'PRAGMA database_list' },
  { sql: 'CALL pragma_platform()' },
  { sql: 'SELECT * FROM pragma_platform()' },
  { sql: "SELECT * FROM pragma_table_info('lake.trips')" },
  { sql: 'SELECT * FROM duckdb_tables()' },
  { sql: 'SELECT sql FROM duckdb_views()' },
  { sql: 'SELECT * FROM duckdb_columns()' },
  { sql: 'SELECT * FROM duckdb_databases()' },
  { sql: 'SELECT * FROM duckdb_temporary_files()' },
  { sql: 'SELECT * FROM duckdb_memory()' },
  { sql: 'SELECT * FROM duckdb_logs()' },
  { sql: 'SELECT * FROM information_schema.tables', answers: true },
  { sql: 'SELECT view_definition FROM information_schema.views', answers: true },
  { sql: "SELECT pg_get_viewdef('lake.daily_trips')", answers: true },
  { sql: "SELECT json_serialize_plan('SELECT * FROM lake.trips')" },
  { sql: "SELECT write_log('x')" },
  { sql: 'EXPLAIN ANALYZE SELECT * FROM lake.zones' },
  // SQL that runs SQL, and ways around the column grants
  { sql: "SELECT * FROM query('SELECT * FROM lake.trips')" },
  { sql: "SELECT * FROM query_table('lake.trips')" },
  { sql: "SELECT * FROM sql_auto_complete('SELECT * FROM lake.')" },
  { sql: 'PIVOT lake.trips ON month USING count(*)' },
  { sql: 'FROM lake.zones z, read_text(z.zone_name)' },
  { sql: `FROM '${L}/trips/year=2024/month=2/data_0.parquet' SELECT count(*)` },
  { sql: "SELECT * EXCLUDE (x) FROM read_csv('/etc/passwd') AS t(x)" },
  { sql: 'SHOW TABLES' , code: '42704' },
  { sql: 'FROM duckdb_settings() SELECT name, value' },
  { sql: "SELECT [current_setting(x) FOR x IN ['allowed_directories']]" },
  { sql: 'FROM lake.trips t AT (VERSION => 1) SELECT 1' },
  { sql: "SELECT * FROM lake.zones UNION ALL FROM lakegate_internal.\"x\"", code: '42P01' },
  // the gateway's internals
  { sql: 'SELECT * FROM lakegate_internal.pg_div', code: '42P01' },
  { sql: 'SELECT * FROM lakegate_pg.pg_class', code: '42P01' },
  { sql: 'SELECT lakegate_internal.pg_div(1, 1)' },
  { sql: 'SELECT * FROM lakegate_visible', code: '42P01' },
  { sql: "INSERT INTO lakegate_visible VALUES ('lake', 'trips', NULL)", code: '42P01' },
  { sql: 'DELETE FROM lakegate_visible', code: '42P01' },
  { sql: 'DROP TABLE lakegate_visible', code: '42P01' },
  { sql: 'CREATE TEMP TABLE lakegate_visible2 (a int)' },
  { sql: 'SET ROLE regional' },
  { sql: 'SET SESSION AUTHORIZATION regional' },
  { sql: 'SELECT * FROM lake.trips FOR UPDATE' },
  { sql: "SELECT * FROM XMLTABLE('/a' PASSING '<a/>' COLUMNS a int)" },
];

/** Strings that must never appear in an error sent to a client. */
function leaks(): string[] {
  return [L, os.tmpdir() + '/lakegate-spill', 'root:x:', 'secure:', 'Did you mean', 'Candidate', process.env.LAKEGATE_ESCAPE_SECRET ?? '\0'];
}

describe('sandbox escape corpus', () => {
  let gw: TestGateway;
  let analyst: pg.Client;
  let chief: pg.Client;

  beforeAll(async () => {
    process.env.LAKEGATE_ESCAPE_SECRET = 'hunter2-escape-secret';
    gw = await startSecureGateway();
    analyst = await connect(gw, 'analyst');
    chief = await connect(gw, 'chief');
  });
  afterAll(async () => {
    await analyst.end();
    await chief.end();
    await gw.close();
  });

  it(`has at least 50 attempts that must be refused (${CORPUS.filter((a) => !a.answers).length})`, () => {
    expect(CORPUS.filter((a) => !a.answers).length).toBeGreaterThanOrEqual(50);
  });

  for (const [i, attempt] of CORPUS.entries()) {
    if (attempt.answers) {
      it(`#${i + 1} answers from the session, leaking nothing: ${attempt.sql.slice(0, 60)}`, async () => {
        for (const client of [analyst, chief]) {
          const text = await client.query(attempt.sql).then(
            (r) => JSON.stringify(r.rows),
            (e: pg.DatabaseError) => [e.message, e.detail ?? '', e.hint ?? ''].join('\n'),
          );
          for (const s of leaks()) expect(text).not.toContain(s);
          expect(text).not.toContain('read_parquet');
        }
      });
      continue;
    }
    it(`#${i + 1} is refused: ${attempt.sql.slice(0, 70)}`, async () => {
      for (const client of [analyst, chief]) {
        const e = await failure(client, attempt.sql);
        expect(e.code, `${e.code}: ${e.message}`).toBe(attempt.code ?? '42501');
        const text = [e.message, e.detail ?? '', e.hint ?? ''].join('\n');
        for (const s of leaks()) expect(text).not.toContain(s);
        // the session keeps working
        expect((await client.query('SELECT 1 AS ok')).rows[0].ok).toBe(1);
      }
    });
  }

  it("another session's temporary tables do not exist for this one", async () => {
    await chief.query('CREATE TEMP TABLE chief_notes AS SELECT 42 AS secret');
    expect((await chief.query('SELECT secret FROM chief_notes')).rows[0].secret).toBe(42);
    for (const sql of ['SELECT * FROM chief_notes', 'SELECT * FROM pg_temp.chief_notes', 'SELECT * FROM temp.main.chief_notes']) {
      const e = await failure(analyst, sql);
      expect(e.code).toBe('42P01');
    }
    expect((await failure(analyst, 'DROP TABLE chief_notes')).code).toBe('42501');
    expect((await chief.query('SELECT secret FROM chief_notes')).rows[0].secret).toBe(42);
  });

  it('SHOW ALL and allowed current_setting calls show the session settings, never DuckDB paths', async () => {
    const all = await analyst.query('SHOW ALL');
    const text = JSON.stringify(all.rows);
    for (const s of leaks()) expect(text).not.toContain(s);
    const r = await analyst.query("SELECT current_setting('search_path') AS v");
    expect(typeof r.rows[0].v).toBe('string');
  });

  it('after an attempt inside a transaction the transaction is aborted, then usable again', async () => {
    await analyst.query('BEGIN');
    expect((await failure(analyst, 'SELECT * FROM duckdb_settings()')).code).toBe('42501');
    expect((await failure(analyst, 'SELECT 1')).code).toBe('25P02');
    await analyst.query('ROLLBACK');
    expect((await analyst.query('SELECT count(*)::int AS n FROM lake.zones')).rows[0].n).toBe(265);
  });
});
