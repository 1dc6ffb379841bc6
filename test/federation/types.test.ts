import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, TEST_USERS, writeCatalog, type TestGateway } from '../support/gateway.js';
import { connect, textQuery } from './support/compare.js';
import { MysqlDatabase, PgDatabase, SqliteFile } from './support/sources.js';

/**
 * Every common column type of each kind of source, read through lakegate:
 * the value a client gets is the value the source gives (compared as text),
 * and the type it is described with follows the documented mapping.
 */
describe('remote column types round-trip to the client', () => {
  let pgSrc: PgDatabase;
  let my: MysqlDatabase;
  let lite: SqliteFile;
  let gw: TestGateway;
  let lg: pg.Client;

  beforeAll(async () => {
    [pgSrc, my] = await Promise.all([PgDatabase.create('lg_types'), MysqlDatabase.create('lg_types')]);
    lite = SqliteFile.create();
    await pgSrc.run(
      `CREATE TYPE mood AS ENUM ('sad', 'happy')`,
      `CREATE DOMAIN posint AS int CHECK (VALUE > 0)`,
      `CREATE TABLE alltypes (
         id int PRIMARY KEY, b bool, i2 int2, i4 int4, i8 int8, f4 float4, f8 float8, n numeric(12,4), n38 numeric(38,6),
         n_free numeric, t text, vc varchar(10), c char(5), nm name, byt bytea, d date, tm time, tmtz timetz,
         ts timestamp, ts3 timestamp(3), tstz timestamptz, iv interval, u uuid, j json, jb jsonb,
         i4a int4[], ta text[], na numeric(6,2)[], inet inet, money money, x xml, e mood, dom posint, bits bit(4),
         pt point, rng int4range, mac macaddr
       )`,
      `INSERT INTO alltypes VALUES
        (1, true, -32768, -2147483648, -9223372036854775808, 3.14, -1.5e300, -12345678.1234, 12345678901234567890123456789012.123456,
         42.5, 'tab\there', 'short', 'ab', 'pg_name', '\\x00ff7f', '2024-02-29', '23:59:59.999999', '12:34:56+05:30',
         '2024-01-02 03:04:05.678912', '1999-12-31 23:59:59.123', '2024-06-30 22:00:00+02', '1 year 2 mons 3 days 04:05:06.789',
         'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"a": [1, 2]}', '{"b": {"c": true}, "a": 1}',
         '{1,NULL,3}', '{"x y","q\\"uote",NULL}', '{1.50,-2.25}', '192.168.0.1/24', 1234.56, '<a>x</a>', 'happy', 7, B'1010',
         '(1.5,2)', '[1,5)', '08:00:2b:01:02:03'),
        (2, false, 32767, 2147483647, 9223372036854775807, -0.0001, 0.1, 0, 0, 0, '', '', '', '', '\\x', '0001-01-01 BC',
         '00:00:00', '00:00:00-08', '1970-01-01 00:00:00', '2000-01-01 00:00:00', '1970-01-01 00:00:00+00', '-1 days +02:00:00',
         '00000000-0000-0000-0000-000000000000', '[]', '[]', '{}', '{}', '{}', '::1', 0, '<b/>', 'sad', 1, B'0000',
         '(0,0)', 'empty', 'ff:ff:ff:ff:ff:ff'),
        (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
         NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`,
    );
    await my.run(
      `CREATE TABLE alltypes (
         id int PRIMARY KEY, ti tinyint, tiu tinyint unsigned, si smallint, siu smallint unsigned, mi mediumint, miu mediumint unsigned,
         i int, iu int unsigned, bi bigint, biu bigint unsigned, de decimal(20,6), f float, d double, b1 bit(1), b8 bit(8), yr year,
         dt date, dtm datetime, dtm6 datetime(6), ts timestamp(3) NULL, tm time, ch char(3), vc varchar(50), tx text,
         bin binary(3), vb varbinary(10), bl blob, en enum('x', 'y z'), st set('a', 'b'), js json, u uuid, ip inet4
       )`,
      `INSERT INTO alltypes VALUES
        (1, -128, 255, -32768, 65535, -8388608, 16777215, -2147483648, 4294967295, -9223372036854775808, 18446744073709551615,
         -12345678901234.123456, 1.5, -2.5e-300, b'1', b'10000001', 2155, '2024-02-29', '2024-01-02 03:04:05', '2024-01-02 03:04:05.123456',
         '2024-06-30 20:00:00.250', '23:59:59', 'ab', 'héllo wörld', 'long text', 'abc', x'00ff', x'010203', 'y z', 'a,b',
         '{"k": [1, "two"]}', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '10.0.0.1'),
        (2, 127, 0, 32767, 0, 8388607, 0, 2147483647, 0, 9223372036854775807, 0, 0, 0, 0, b'0', b'0', 1901, '1000-01-01',
         '1970-01-01 00:00:00', '1970-01-01 00:00:00.000001', '1970-01-01 00:00:01.000', '00:00:00', '', '', '', '\\0\\0\\0', '', '', 'x', '',
         '[]', '00000000-0000-0000-0000-000000000000', '0.0.0.0'),
        (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
         NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`,
    );
    lite.run(
      `CREATE TABLE alltypes (id INTEGER PRIMARY KEY, i INTEGER, big BIGINT, r REAL, t TEXT, vc VARCHAR(20), bl BLOB, n NUMERIC,
         dec DECIMAL(10,2), b BOOLEAN, d DATE, dt DATETIME, js JSON, untyped, u UUID)`,
      `INSERT INTO alltypes VALUES
        (1, -9007199254740993, 9223372036854775807, 1.25, 'text', 'var', x'00ff', 3.5, 12.34, 1, '2024-02-29', '2024-01-02 03:04:05', '{"a":1}', 'anything', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'),
        (2, 0, -1, -0.5, '', '', x'', 0, -0.01, 0, '1970-01-01', '1970-01-01 00:00:00.5', '[]', 42, '00000000-0000-0000-0000-000000000000'),
        (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`,
    );
    gw = await startGateway({
      catalog: writeCatalog({
        database: 'lakegate',
        users: TEST_USERS,
        sources: { p: { kind: 'postgres', url: pgSrc.url }, m: { kind: 'mysql', url: my.url }, s: { kind: 'sqlite', path: lite.path } },
        schemas: {
          pgsrc: { alltypes: { source: 'p', table: 'public.alltypes' } },
          mysrc: { alltypes: { source: 'm' } },
          litesrc: { alltypes: { source: 's', table: 'alltypes' } },
        },
      }),
    });
    lg = await connect(gw.url());
  }, 120_000);

  afterAll(async () => {
    await lg?.end();
    await gw?.close();
    await Promise.allSettled([pgSrc?.drop(), my?.drop()]);
    lite?.drop();
  });

  async function typeOids(sql: string): Promise<Record<string, number>> {
    const r = await lg.query({ text: sql, rowMode: 'array' });
    return Object.fromEntries(r.fields.map((f) => [f.name, f.dataTypeID]));
  }

  it('PostgreSQL: values are the source text, types follow the mapping', async () => {
    const src = await connect(pgSrc.url);
    await src.query("SET TimeZone = 'UTC'");
    const exact = `id, b, i2, i4, i8, f4, f8, n, n38, t, vc, c, nm, byt, d, tm, tmtz, ts, ts3, tstz, iv, u, j, jb, i4a, ta, na, inet, money, x, e, dom, bits, pt, rng, mac`;
    const sql = `SELECT ${exact} FROM alltypes ORDER BY id`;
    const expected = await textQuery(src, sql);
    await src.end();
    const got = await textQuery(lg, `SELECT ${exact} FROM pgsrc.alltypes ORDER BY id`);
    expect(got.fields).toEqual(expected.fields);
    expect(got.rows).toEqual(expected.rows);
    const oids = await typeOids('SELECT * FROM pgsrc.alltypes');
    expect(oids).toMatchObject({
      b: 16, i2: 21, i4: 23, i8: 20, f4: 700, f8: 701, n: 1700, n38: 1700, n_free: 701, t: 25, vc: 25, c: 25, nm: 25, byt: 17, d: 1082,
      tm: 1083, tmtz: 1266, ts: 1114, ts3: 1114, tstz: 1184, iv: 1186, u: 2950, j: 114, jb: 114, i4a: 1007, ta: 1009, na: 1231,
      inet: 25, money: 25, x: 25, e: 25, dom: 23, bits: 25, pt: 25, rng: 25, mac: 25,
    });
    // unconstrained numeric has no exact DuckDB type: it comes as float8
    expect((await textQuery(lg, 'SELECT n_free FROM pgsrc.alltypes ORDER BY id')).rows).toEqual([['42.5'], ['0'], [null]]);
  });

  it('MariaDB: unsigned, enum, set, bit, json, uuid and temporal types', async () => {
    const got = await textQuery(lg, 'SELECT * FROM mysrc.alltypes ORDER BY id');
    expect(got.rows[0]).toEqual([
      '1', '-128', '255', '-32768', '65535', '-8388608', '16777215', '-2147483648', '4294967295', '-9223372036854775808',
      '18446744073709551615', '-12345678901234.123456', '1.5', '-2.5e-300', 't', '129', '2155', '2024-02-29', '2024-01-02 03:04:05',
      '2024-01-02 03:04:05.123456', '2024-06-30 20:00:00.25+00', '23:59:59', 'ab', 'héllo wörld', 'long text', '\\x616263',
      '\\x00ff', '\\x010203', 'y z', 'a,b', '{"k": [1, "two"]}', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '10.0.0.1',
    ]);
    expect(got.rows[1]).toEqual([
      '2', '127', '0', '32767', '0', '8388607', '0', '2147483647', '0', '9223372036854775807', '0', '0.000000', '0', '0', 'f', '0',
      '1901', '1000-01-01', '1970-01-01 00:00:00', '1970-01-01 00:00:00.000001', '1970-01-01 00:00:01+00', '00:00:00', '', '', '',
      '\\x000000', '\\x', '\\x', 'x', '', '[]', '00000000-0000-0000-0000-000000000000', '0.0.0.0',
    ]);
    expect(got.rows[2]).toEqual(['3', ...new Array(32).fill(null)]);
    const oids = await typeOids('SELECT * FROM mysrc.alltypes');
    expect(oids).toMatchObject({
      ti: 21, tiu: 21, si: 21, siu: 23, mi: 23, miu: 23, i: 23, iu: 20, bi: 20, biu: 1700, de: 1700, f: 700, d: 701, b1: 16, b8: 1700,
      yr: 21, dt: 1082, dtm: 1114, dtm6: 1114, ts: 1184, tm: 1083, ch: 25, vc: 25, tx: 25, bin: 17, vb: 17, bl: 17, en: 25, st: 25,
      js: 114, u: 2950, ip: 25,
    });
    // the enum keeps its values as a DuckDB ENUM: comparisons and sorting work on the labels
    expect((await textQuery(lg, `SELECT id FROM mysrc.alltypes WHERE en = 'y z'`)).rows).toEqual([['1']]);
  });

  it('SQLite: declared types map by affinity; no declared type is text', async () => {
    const got = await textQuery(lg, 'SELECT * FROM litesrc.alltypes ORDER BY id');
    expect(got.rows).toEqual([
      ['1', '-9007199254740993', '9223372036854775807', '1.25', 'text', 'var', '\\x00ff', '3.5', '12.34', 't', '2024-02-29', '2024-01-02 03:04:05', '{"a":1}', 'anything', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'],
      ['2', '0', '-1', '-0.5', '', '', '\\x', '0', '-0.01', 'f', '1970-01-01', '1970-01-01 00:00:00.5', '[]', '42', '00000000-0000-0000-0000-000000000000'],
      ['3', ...new Array(14).fill(null)],
    ]);
    const oids = await typeOids('SELECT * FROM litesrc.alltypes');
    expect(oids).toMatchObject({ id: 20, i: 20, big: 20, r: 701, t: 25, vc: 25, bl: 17, n: 701, dec: 1700, b: 16, d: 1082, dt: 1114, js: 114, untyped: 25, u: 2950 });
  });

  it('remote tables are visible in information_schema with their columns', async () => {
    const r = await textQuery(lg, `SELECT table_schema, count(*) FROM information_schema.columns WHERE table_name = 'alltypes' GROUP BY 1 ORDER BY 1`);
    expect(r.rows).toEqual([
      ['litesrc', '15'],
      ['mysrc', '33'],
      ['pgsrc', '37'],
    ]);
  });
});
