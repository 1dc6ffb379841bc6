import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../support/gateway.js';
import { RawClient, serialize } from '../support/raw-client.js';

const i16 = (v: number) => { const b = Buffer.alloc(2); b.writeInt16BE(v); return b; };
const i32 = (v: number) => { const b = Buffer.alloc(4); b.writeInt32BE(v); return b; };
const i64 = (v: bigint) => { const b = Buffer.alloc(8); b.writeBigInt64BE(v); return b; };
const f32 = (v: number) => { const b = Buffer.alloc(4); b.writeFloatBE(v); return b; };
const f64 = (v: number) => { const b = Buffer.alloc(8); b.writeDoubleBE(v); return b; };
const interval = (micros: bigint, days: number, months: number) => Buffer.concat([i64(micros), i32(days), i32(months)]);
/** numeric binary: ndigits, weight, sign, dscale, base-10000 digits */
const numeric = (digits: number[], weight: number, neg: boolean, dscale: number) => Buffer.concat([i16(digits.length), i16(weight), i16(neg ? 0x4000 : 0), i16(dscale), ...digits.map(i16)]);
/** one-dimensional binary array */
const array = (elemOid: number, items: (Buffer | null)[]) =>
  Buffer.concat([i32(1), i32(items.some((x) => x === null) ? 1 : 0), i32(elemOid), i32(items.length), i32(1), ...items.map((x) => (x === null ? i32(-1) : Buffer.concat([i32(x.length), x])))]);

/** [name, type OID, SQL type, text value, binary value]: each is bound both ways, on lakegate and on PostgreSQL. */
const CASES: [string, number, string, string, Buffer][] = [
  ['bool', 16, 'bool', 'true', Buffer.from([1])],
  ['int2', 21, 'int2', '-1234', i16(-1234)],
  ['int4', 23, 'int4', '2147483647', i32(2147483647)],
  ['int8', 20, 'int8', '-9223372036854775808', i64(-9223372036854775808n)],
  ['float4', 700, 'float4', '1.5', f32(1.5)],
  ['float8', 701, 'float8', '0.1', f64(0.1)],
  ['text', 25, 'text', 'héllo, wörld', Buffer.from('héllo, wörld')],
  ['varchar', 1043, 'varchar', 'abc', Buffer.from('abc')],
  ['bytea', 17, 'bytea', '\\x00ff10', Buffer.from([0, 255, 16])],
  ['date', 1082, 'date', '2024-02-29', i32(8825)],
  ['timestamp', 1114, 'timestamp', '2024-01-02 03:04:05.5', i64(757479845500000n)],
  ['timestamptz', 1184, 'timestamptz', '2024-01-02 03:04:05+00', i64(757479845000000n)],
  ['time', 1083, 'time', '04:05:06.789', i64(14706789000n)],
  ['interval', 1186, 'interval', '1 year 2 mons 3 days 04:05:06', interval(14706000000n, 3, 14)],
  ['uuid', 2950, 'uuid', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', Buffer.from('a0eebc999c0b4ef8bb6d6bb9bd380a11', 'hex')],
  ['numeric', 1700, 'numeric', '-12345.6789', numeric([1, 2345, 6789], 1, true, 4)],
  ['json', 114, 'json', '{"a": [1, 2]}', Buffer.from('{"a": [1, 2]}')],
  ['int4[]', 1007, 'int4[]', '{1,NULL,3}', array(23, [i32(1), null, i32(3)])],
  ['text[]', 1009, 'text[]', '{a,"b c"}', array(25, [Buffer.from('a'), Buffer.from('b c')])],
];

async function bindAndRead(c: RawClient, sqlType: string, oid: number, value: string | Buffer): Promise<string> {
  c.send(
    serialize.parse({ text: `SELECT $1::${sqlType} AS v`, types: [oid] }),
    serialize.bind({ values: [value] }),
    serialize.execute({}),
    serialize.sync(),
  );
  const m = await c.until('readyForQuery');
  const err = m.find((x) => x.name === 'error') as unknown as { message: string } | undefined;
  if (err) throw new Error(err.message);
  return (m.find((x) => x.name === 'dataRow') as unknown as { fields: string[] }).fields[0]!;
}

describe('Bind parameters in text and binary decode as in PostgreSQL', () => {
  let gw: TestGateway;
  let ours: RawClient;
  let theirs: RawClient;
  beforeAll(async () => {
    gw = await startGateway();
    ours = await RawClient.connect(gw.port);
    theirs = await RawClient.connect(5432, 'postgres', 'postgres');
    theirs.send(serialize.query("SET TimeZone = 'UTC'"));
    await theirs.until('readyForQuery');
  });
  afterAll(async () => {
    ours.end();
    theirs.end();
    await gw.close();
  });

  for (const [name, oid, sqlType, text, binary] of CASES) {
    it(`${name} (text)`, async () => {
      const expected = await bindAndRead(theirs, sqlType, oid, text);
      expect(await bindAndRead(ours, sqlType, oid, text)).toBe(expected);
    });
    it(`${name} (binary)`, async () => {
      const expected = await bindAndRead(theirs, sqlType, oid, binary);
      expect(await bindAndRead(ours, sqlType, oid, binary)).toBe(expected);
    });
  }

  it('a parameter given without a type is text, as in PostgreSQL', async () => {
    ours.send(serialize.parse({ text: 'SELECT $1 AS v' }), serialize.describe({ type: 'S', name: '' }), serialize.sync());
    const m = await ours.until('readyForQuery');
    expect((m[1] as unknown as { dataTypeIDs: number[] }).dataTypeIDs).toEqual([25]);
    expect((m[2] as unknown as { fields: { dataTypeID: number }[] }).fields[0]!.dataTypeID).toBe(25);
  });

  it('a malformed binary parameter is an error, not a crash', async () => {
    ours.send(serialize.parse({ text: 'SELECT $1::int4', types: [23] }), serialize.bind({ values: [Buffer.from([1, 2])] }), serialize.execute({}), serialize.sync());
    const m = await ours.until('readyForQuery');
    expect((m.find((x) => x.name === 'error') as unknown as { code: string }).code).toBe('22023');
  });
});
