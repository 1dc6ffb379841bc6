import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawClient, rawQuery } from '../support/clients.js';
import { POSTGRES_URL, startGateway, type TestGateway } from '../support/gateway.js';

/**
 * Each expression is selected from lakegate and from the real PostgreSQL 15
 * with the same client; column types and every value's text (and binary)
 * representation must be identical.
 */
const EXPRESSIONS: string[] = [
  'true',
  'false',
  'NULL::boolean',
  '1::smallint',
  '(-32768)::smallint',
  '2147483647',
  '(-2147483648)::int',
  '9223372036854775807::bigint',
  '(-9223372036854775807)::bigint',
  '1234567890123::bigint',
  '1.5::float4',
  '0.1::float4',
  '3.4028235e38::float4',
  '1e-7::float4',
  '1234567.8::float4',
  '0.1::float8',
  '1e300::float8',
  '1e15::float8',
  '1e14::float8',
  '1e-5::float8',
  '123456789.123::float8',
  '-2.5e-300::float8',
  '12.34::float8',
  '(-0.5)::float8',
  '0.0001::float8',
  '0.00012345678::float8',
  '123456789.12345678::float8',
  '99999999999999.5::float8',
  '5e-324::float8',
  '1.7976931348623157e308::float8',
  "'NaN'::float8",
  "'Infinity'::float8",
  "'-Infinity'::float8",
  '123.45::numeric(10,2)',
  '(-0.01)::numeric(5,2)',
  '0::numeric(10,3)',
  '1::numeric(10,0)',
  '12345678901234567.89::numeric(19,2)',
  '99999999999999999999999999999999999.999::numeric(38,3)',
  '(-12345.6789)::numeric(18,6)',
  '0.0001::numeric(10,4)',
  "'-12345.6789'::numeric",
  "'100'::numeric",
  '0.1::numeric + 0.2::numeric',
  "'0.000001'::numeric",
  "'hello'",
  "''",
  "'unicode ✓ é 日本'",
  "'quote '' and \\ backslash'",
  "'\\x0001ff'::bytea",
  "''::bytea",
  "'2024-01-02'::date",
  "'0001-01-01'::date",
  "'1999-12-31'::date",
  "'9999-12-31'::date",
  "'infinity'::date",
  "'-infinity'::date",
  "'04:05:06'::time",
  "'04:05:06.789'::time",
  "'23:59:59.999999'::time",
  "'00:00:00'::time",
  "'2024-01-02 03:04:05'::timestamp",
  "'2024-01-02 03:04:05.5'::timestamp",
  "'2024-01-02 03:04:05.123456'::timestamp",
  "'1970-01-01 00:00:00'::timestamp",
  "'1969-12-31 23:59:59.999999'::timestamp",
  "'infinity'::timestamp",
  "'-infinity'::timestamp",
  "'2024-01-02 03:04:05+00'::timestamptz",
  "'2024-06-01 12:00:00.25+02'::timestamptz",
  "'1 day'::interval",
  "'1 year 2 months 3 days 04:05:06.5'::interval",
  "'-1 day 2 hours'::interval",
  "'1 day -2 hours'::interval",
  "'00:00:00'::interval",
  "'3 months'::interval",
  "'-1 year'::interval",
  "'100 hours 7 minutes'::interval",
  "interval '1' month",
  "interval '90' day",
  "interval '3' year",
  "interval '1-2' year to month",
  "interval '5' second",
  "(date '1995-09-01' + interval '1' month)::date + 4 / 2",
  "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid",
  "'00000000-0000-0000-0000-000000000000'::uuid",
  "'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid",
  'ARRAY[1, 2, 3]',
  "ARRAY['a', 'b c', NULL, '', 'x\"y', 'NULL']",
  'ARRAY[1.5, 2.25]::float8[]',
  'ARRAY[true, false]',
  "ARRAY['2024-01-01'::date, '2024-02-29'::date]",
  'ARRAY[1::bigint, NULL]',
];

async function both(gw: TestGateway, binary: boolean): Promise<[pg.Client, pg.Client]> {
  return [await rawClient(gw.url(), binary), await rawClient(POSTGRES_URL, binary)];
}

describe('literal values match PostgreSQL 15', () => {
  let gw: TestGateway;
  let text: [pg.Client, pg.Client];
  let binary: [pg.Client, pg.Client];
  beforeAll(async () => {
    gw = await startGateway();
    text = await both(gw, false);
    binary = await both(gw, true);
    for (const c of [text[1], binary[1]]) await c.query("SET TimeZone = 'UTC'");
  });
  afterAll(async () => {
    for (const c of [...text, ...binary]) await c.end();
    await gw.close();
  });

  for (const expr of EXPRESSIONS) {
    it(`text: SELECT ${expr}`, async () => {
      const sql = `SELECT ${expr} AS v`;
      const [ours, theirs] = await Promise.all([rawQuery(text[0], sql), rawQuery(text[1], sql)]);
      expect(ours.fields[0]!.dataTypeID).toBe(theirs.fields[0]!.dataTypeID);
      expect(ours.rows).toEqual(theirs.rows);
    });
    it(`binary: SELECT ${expr}`, async () => {
      const sql = `SELECT ${expr} AS v`;
      const [ours, theirs] = await Promise.all([rawQuery(binary[0], sql), rawQuery(binary[1], sql)]);
      expect(ours.fields[0]!.dataTypeID).toBe(theirs.fields[0]!.dataTypeID);
      expect(ours.rows).toEqual(theirs.rows);
    });
  }
});
