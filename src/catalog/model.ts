import type { UserSpec } from '../config/users.js';

/** A table over files in the lake. */
export interface LakeTable {
  kind: 'lake';
  schema: string;
  name: string;
  format: 'parquet' | 'csv' | 'json';
  /** Absolute path or glob. */
  path: string;
  hivePartitioning: boolean;
  comment?: string;
}

export interface ViewDef {
  kind: 'view';
  schema: string;
  name: string;
  sql: string;
  comment?: string;
}

export type CatalogObject = LakeTable | ViewDef;

/** The validated catalog: what clients see. */
export interface Catalog {
  /** Directory of the catalog file; relative paths resolve against it. */
  dir: string;
  file: string;
  database: string;
  defaultSchema: string;
  users: UserSpec[];
  schemas: { name: string; comment?: string }[];
  objects: CatalogObject[];
  server: { host?: string; port?: number };
}
