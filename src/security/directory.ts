import { INTERNAL_SCHEMA, quoteLiteral } from '../catalog/install.js';
import type { EngineConnection } from '../engine/connection.js';

export interface RelationInfo {
  schema: string;
  name: string;
  /** Column names in table order. */
  columns: string[];
}

const NOT_CATALOG = ['pg_catalog', 'information_schema', INTERNAL_SCHEMA];

/**
 * The relations that exist in the gateway's DuckDB database (catalog schemas
 * only), read after the catalog is installed. Lookups are case-insensitive,
 * as DuckDB's name resolution is.
 */
export class RelationDirectory {
  private readonly bySchema = new Map<string, Map<string, RelationInfo>>();
  private readonly schemaNames = new Map<string, string>();

  constructor(relations: RelationInfo[], schemas: string[]) {
    for (const s of schemas) this.schemaNames.set(s.toLowerCase(), s);
    for (const r of relations) {
      const key = r.schema.toLowerCase();
      this.schemaNames.set(key, r.schema);
      let m = this.bySchema.get(key);
      if (!m) this.bySchema.set(key, (m = new Map()));
      m.set(r.name.toLowerCase(), r);
    }
  }

  /** Reads schemas, tables, views and their columns from DuckDB (the `main` schema only if the catalog declares it). */
  static async load(conn: EngineConnection, catalogSchemas: string[]): Promise<RelationDirectory> {
    const excluded = NOT_CATALOG.map(quoteLiteral).join(', ');
    const declared = new Set(catalogSchemas.map((s) => s.toLowerCase()));
    const keep = (schema: string): boolean => schema.toLowerCase() !== 'main' || declared.has('main');
    const schemaRows = await conn.rows(
      `SELECT schema_name FROM duckdb_schemas() WHERE database_name = current_database() AND NOT internal AND schema_name NOT IN (${excluded})`,
    );
    const columnRows = await conn.rows(
      `SELECT schema_name, table_name, column_name FROM duckdb_columns() WHERE database_name = current_database() AND schema_name NOT IN (${excluded}) ORDER BY schema_name, table_name, column_index`,
    );
    const relations = new Map<string, RelationInfo>();
    for (const r of columnRows) {
      const schema = String(r.schema_name);
      if (!keep(schema)) continue;
      const key = `${schema}\0${String(r.table_name)}`;
      let rel = relations.get(key);
      if (!rel) relations.set(key, (rel = { schema, name: String(r.table_name), columns: [] }));
      rel.columns.push(String(r.column_name));
    }
    const schemas = schemaRows.map((r) => String(r.schema_name)).filter(keep);
    return new RelationDirectory([...relations.values()], [...new Set([...schemas, ...catalogSchemas])]);
  }

  find(schema: string, name: string): RelationInfo | undefined {
    return this.bySchema.get(schema.toLowerCase())?.get(name.toLowerCase());
  }

  /** The schema's name as declared, or undefined when no such catalog schema exists. */
  schema(name: string): string | undefined {
    return this.schemaNames.get(name.toLowerCase());
  }

  inSchema(schema: string): RelationInfo[] {
    return [...(this.bySchema.get(schema.toLowerCase())?.values() ?? [])];
  }

  all(): RelationInfo[] {
    return [...this.bySchema.values()].flatMap((m) => [...m.values()]);
  }
}
