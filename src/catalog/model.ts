import type { UserSpec } from '../config/users.js';
import type { RoleSpec } from '../security/model.js';
import type { ServerConfig } from './sections/server.js';

/** A column declared in the catalog; undeclared types come from the files. */
export interface DeclaredColumn {
  name: string;
  /** Type as written (PostgreSQL or DuckDB spelling), checked against the data. */
  type?: string;
  comment?: string;
}

/** Reader options for CSV tables (DuckDB `read_csv`). */
export interface CsvOptions {
  delimiter?: string;
  header?: boolean;
  quote?: string;
  escape?: string;
  nullString?: string;
  skip?: number;
  /** Column name → type, overriding the sniffed types. */
  types?: Record<string, string>;
  dateFormat?: string;
  timestampFormat?: string;
}

/** A table over files in the lake. */
export interface LakeTable {
  kind: 'lake';
  schema: string;
  name: string;
  format: 'parquet' | 'csv' | 'json';
  /** Absolute path or glob (a directory is turned into a recursive glob). */
  path: string;
  /** The path as written in the catalog (for messages; `${NAME}` references unexpanded). */
  pathAsWritten: string;
  hivePartitioning: boolean;
  /** Partition column → type, when the catalog types the partition columns. */
  hiveTypes?: Record<string, string>;
  /** Files with different column sets are combined by column name. */
  unionByName: boolean;
  csv?: CsvOptions;
  jsonFormat?: 'newline_delimited' | 'array' | 'auto';
  /** When declared, the table exposes exactly these columns, checked against the files. */
  columns?: DeclaredColumn[];
  comment?: string;
}

export interface ViewDef {
  kind: 'view';
  schema: string;
  name: string;
  /** DuckDB SQL. */
  sql: string;
  /** When declared, checked against the view's result columns; comments are installed. */
  columns?: DeclaredColumn[];
  comment?: string;
}

/** One table of an attached database, mapped by name. */
export interface RemoteTable {
  kind: 'remote';
  schema: string;
  name: string;
  source: string;
  /** Schema (or database) on the source; undefined = the source's default. */
  remoteSchema?: string;
  remoteTable: string;
  comment?: string;
}

/** A whole remote schema imported into a catalog schema (tables discovered at load). */
export interface RemoteImport {
  kind: 'import';
  schema: string;
  source: string;
  remoteSchema?: string;
  /** Glob patterns on table names; empty include = all. */
  include: string[];
  exclude: string[];
}

export type CatalogObject = LakeTable | ViewDef | RemoteTable;

export type SourceKind = 'postgres' | 'mysql' | 'sqlite' | 'duckdb';

/** An attached database as declared (secrets already substituted from the environment). */
export interface SourceSpec {
  name: string;
  kind: SourceKind;
  /** Connection URL (postgres/mysql), or undefined when given by fields. */
  url?: string;
  host?: string;
  port?: number;
  user?: string;
  password?: string;
  database?: string;
  /** sqlite/duckdb file (absolute). */
  path?: string;
  /** Remote schema for tables named without one (postgres: public, mysql: the database, sqlite/duckdb: main). */
  defaultSchema?: string;
  readOnly: boolean;
  poolSize: number;
  connectTimeoutMs: number;
  /** 0 = no limit beyond the client's statement_timeout. */
  queryTimeoutMs: number;
  /** Rows per round trip when streaming a remote result. */
  batchRows: number;
  /** Largest key list pushed as a dynamic filter (0 = never). */
  dynamicFilterMaxKeys: number;
  /** Pause between reconnection attempts while the source is down. */
  retryIntervalMs: number;
}

/** The validated catalog: what clients see. */
export interface Catalog {
  /** Directory of the catalog file; relative paths resolve against it. */
  dir: string;
  file: string;
  database: string;
  defaultSchema: string;
  users: UserSpec[];
  roles: RoleSpec[];
  schemas: { name: string; comment?: string }[];
  objects: CatalogObject[];
  imports: RemoteImport[];
  sources: SourceSpec[];
  server: ServerConfig;
  /**
   * Extra directories the server may read besides those the lake tables need
   * (absolute). A reload can only add tables under directories allowed at
   * startup, so declare lake roots here to add tables without a restart.
   */
  lakeRoots: string[];
  /** The catalog text with line positions, for errors found after loading. */
  source?: import('./source-map.js').CatalogSource;
}
