import type { DuckType } from '../types/duck-type.js';

/** A column of a remote table as clients see it. */
export interface FederatedColumn {
  /** The name clients use (the remote name, made unique case-insensitively). */
  name: string;
  /** The name on the source. */
  remoteName: string;
  remoteType: string;
  type: DuckType;
  nullable: boolean;
}

/** A table of an attached database, mapped into a catalog schema. */
export interface FederatedTable {
  /** Catalog schema and table name (what clients write). */
  schema: string;
  name: string;
  source: string;
  remoteSchema: string;
  remoteTable: string;
  columns: FederatedColumn[];
  primaryKey: string[];
  rowEstimate: number | null;
  comment?: string;
}

/** A table the catalog maps from a source that has not been reachable yet. */
export interface PendingTable {
  schema: string;
  name: string;
  source: string;
}

/** Glob on table names: `*` any run of characters, `?` one character; case-sensitive. */
export function globMatcher(patterns: readonly string[]): (name: string) => boolean {
  const res = patterns.map((p) => new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`));
  return (name) => res.some((r) => r.test(name));
}

/** Exposed column names, unique case-insensitively (DuckDB's identifiers are). */
export function uniqueColumnNames(remoteNames: readonly string[]): string[] {
  const seen = new Set<string>();
  return remoteNames.map((n) => {
    let name = n;
    for (let k = 2; seen.has(name.toLowerCase()); k++) name = `${n}_${k}`;
    seen.add(name.toLowerCase());
    return name;
  });
}

export function columnByName(t: FederatedTable, name: string): FederatedColumn | undefined {
  const exact = t.columns.find((c) => c.name === name);
  if (exact) return exact;
  const lower = name.toLowerCase();
  return t.columns.find((c) => c.name.toLowerCase() === lower);
}
