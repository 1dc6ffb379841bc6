/**
 * What the catalog says about access: grants held by users and roles. A grant
 * names a schema and some (or all) of its tables, optionally only some columns,
 * a row filter and column masks (SQL expressions over the table's columns).
 */
export interface GrantSpec {
  schema: string;
  /** '*' = every table and view of the schema, present and future. */
  tables: '*' | string[];
  /** Only these columns (requires a table list); undefined = all columns. */
  columns?: string[];
  /** Rows this grant exposes: a SQL boolean expression over the table's columns. */
  rowFilter?: string;
  /** Column name → SQL expression shown instead of the value. */
  columnMasks?: Record<string, string>;
  /** What the grant allows; default select. Writes need a source that accepts them. */
  privileges?: ('select' | 'insert' | 'update' | 'delete')[];
}

/** A named group of grants; users and other roles include it by name. */
export interface RoleSpec {
  name: string;
  roles: string[];
  grants: GrantSpec[];
}

/** Who holds grants: a user or a role. */
export interface GrantHolder {
  name: string;
  roles?: string[];
  grants?: GrantSpec[];
}
