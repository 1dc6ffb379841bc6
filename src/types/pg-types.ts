/**
 * PostgreSQL 15 built-in types that lakegate produces or accepts, with the
 * OIDs, lengths and array types clients expect (from pg_type.dat).
 */
export interface PgType {
  oid: number;
  name: string;
  /** pg_type.typlen: fixed size in bytes, or -1 for varlena. */
  len: number;
  arrayOid: number;
  /** For array types: the element type OID, else 0. */
  elemOid: number;
  /** pg_type.typcategory */
  category: string;
}

function t(oid: number, name: string, len: number, arrayOid: number, category: string): PgType {
  return { oid, name, len, arrayOid, elemOid: 0, category };
}

export const PgTypes = {
  bool: t(16, 'bool', 1, 1000, 'B'),
  bytea: t(17, 'bytea', -1, 1001, 'U'),
  char: t(18, 'char', 1, 1002, 'Z'),
  name: t(19, 'name', 64, 1003, 'S'),
  int8: t(20, 'int8', 8, 1016, 'N'),
  int2: t(21, 'int2', 2, 1005, 'N'),
  int2vector: t(22, 'int2vector', -1, 1006, 'A'),
  int4: t(23, 'int4', 4, 1007, 'N'),
  regproc: t(24, 'regproc', 4, 1008, 'N'),
  text: t(25, 'text', -1, 1009, 'S'),
  oid: t(26, 'oid', 4, 1028, 'N'),
  tid: t(27, 'tid', 6, 1010, 'U'),
  xid: t(28, 'xid', 4, 1011, 'U'),
  cid: t(29, 'cid', 4, 1012, 'U'),
  oidvector: t(30, 'oidvector', -1, 1013, 'A'),
  json: t(114, 'json', -1, 199, 'U'),
  xml: t(142, 'xml', -1, 143, 'U'),
  pg_node_tree: t(194, 'pg_node_tree', -1, 0, 'Z'),
  float4: t(700, 'float4', 4, 1021, 'N'),
  float8: t(701, 'float8', 8, 1022, 'N'),
  unknown: t(705, 'unknown', -2, 0, 'X'),
  money: t(790, 'money', 8, 791, 'N'),
  inet: t(869, 'inet', -1, 1041, 'I'),
  aclitem: t(1033, 'aclitem', 12, 1034, 'U'),
  bpchar: t(1042, 'bpchar', -1, 1014, 'S'),
  varchar: t(1043, 'varchar', -1, 1015, 'S'),
  date: t(1082, 'date', 4, 1182, 'D'),
  time: t(1083, 'time', 8, 1183, 'D'),
  timestamp: t(1114, 'timestamp', 8, 1115, 'D'),
  timestamptz: t(1184, 'timestamptz', 8, 1185, 'D'),
  interval: t(1186, 'interval', 16, 1187, 'T'),
  timetz: t(1266, 'timetz', 12, 1270, 'D'),
  bit: t(1560, 'bit', -1, 1561, 'V'),
  varbit: t(1562, 'varbit', -1, 1563, 'V'),
  numeric: t(1700, 'numeric', -1, 1231, 'N'),
  regprocedure: t(2202, 'regprocedure', 4, 2207, 'N'),
  regoper: t(2203, 'regoper', 4, 2208, 'N'),
  regclass: t(2205, 'regclass', 4, 2210, 'N'),
  regtype: t(2206, 'regtype', 4, 2211, 'N'),
  record: t(2249, 'record', -1, 2287, 'P'),
  cstring: t(2275, 'cstring', -2, 1263, 'P'),
  any: t(2276, 'any', 4, 0, 'P'),
  anyarray: t(2277, 'anyarray', -1, 0, 'P'),
  void: t(2278, 'void', 4, 0, 'P'),
  uuid: t(2950, 'uuid', 16, 2951, 'U'),
  jsonb: t(3802, 'jsonb', -1, 3807, 'U'),
  regnamespace: t(4089, 'regnamespace', 4, 4090, 'N'),
  regrole: t(4096, 'regrole', 4, 4097, 'N'),
} as const satisfies Record<string, PgType>;

export type PgTypeName = keyof typeof PgTypes;

const byOid = new Map<number, PgType>();
for (const ty of Object.values(PgTypes)) {
  byOid.set(ty.oid, ty);
  if (ty.arrayOid) {
    byOid.set(ty.arrayOid, {
      oid: ty.arrayOid,
      name: `_${ty.name}`,
      len: -1,
      arrayOid: 0,
      elemOid: ty.oid,
      category: 'A',
    });
  }
}

export function pgTypeByOid(oid: number): PgType | undefined {
  return byOid.get(oid);
}

export function allPgTypes(): PgType[] {
  return [...byOid.values()];
}

/** typmod for numeric(p,s) as PostgreSQL encodes it. */
export function numericTypmod(precision: number, scale: number): number {
  return ((precision << 16) | scale) + 4;
}
