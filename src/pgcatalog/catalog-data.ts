import data from './data/pg-catalog.json' with { type: 'json' };

/** PostgreSQL 15 catalog facts dumped by scripts/dump-pg-catalog.mjs. */
export interface RelationSpec {
  oid: number;
  relkind: string;
  /** [column name, PostgreSQL type name] in attnum order. */
  columns: [string, string][];
}

export const PG_DATA = data as unknown as {
  informationSchemaOid: number;
  relations: Record<string, RelationSpec>;
  rows: Record<string, unknown[][]>;
  keywords: [string, string, boolean, string, string][];
};

/** Emulated relations of one PostgreSQL schema, by name. */
export function relationsOf(schema: 'pg_catalog' | 'information_schema'): Map<string, RelationSpec> {
  const out = new Map<string, RelationSpec>();
  for (const [key, spec] of Object.entries(PG_DATA.relations)) {
    const dot = key.indexOf('.');
    if (key.slice(0, dot) === schema) out.set(key.slice(dot + 1), spec);
  }
  return out;
}

export const PG_CATALOG_RELATIONS = relationsOf('pg_catalog');
export const INFORMATION_SCHEMA_RELATIONS = relationsOf('information_schema');

/** PostgreSQL type name → OID, for the built-in types. */
export const TYPE_OID_BY_NAME: Map<string, number> = (() => {
  const cols = PG_DATA.relations['pg_catalog.pg_type']!.columns.map((c) => c[0]);
  const oidAt = cols.indexOf('oid');
  const nameAt = cols.indexOf('typname');
  return new Map(PG_DATA.rows.pg_type!.map((r) => [String(r[nameAt]), Number(r[oidAt])]));
})();

/** Keywords PostgreSQL reserves (quote_ident quotes them). */
export const RESERVED_KEYWORDS: string[] = PG_DATA.keywords.filter((k) => k[1] !== 'U').map((k) => k[0]);
