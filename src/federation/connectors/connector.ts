import type { SourceSpec } from '../../catalog/model.js';
import type { DuckType } from '../../types/duck-type.js';
import type { Dialect } from '../dialect.js';

/** One column of a remote table, with the DuckDB type it is presented as. */
export interface RemoteColumn {
  name: string;
  /** The source's own spelling of the type: numeric(12,2), int(10) unsigned... */
  remoteType: string;
  type: DuckType;
  nullable: boolean;
}

/** A table (or view) found on a source by discovery. */
export interface RemoteTableMeta {
  /** Schema (postgres), database (mysql) or attached database name (sqlite) on the source. */
  schema: string;
  name: string;
  columns: RemoteColumn[];
  primaryKey: string[];
  /** The source's own row-count estimate, when it keeps one. */
  rowEstimate: number | null;
}

/** A statement compiled for the source: SQL in its dialect with positional parameters. */
export interface RemoteStatement {
  sql: string;
  parameters: readonly unknown[];
}

/** A connection held for the length of a client transaction. */
export interface SourceTransaction {
  readonly source: string;
  /** Connector-specific connection. */
  readonly handle: unknown;
}

export interface RunOptions {
  /** Aborted when the client cancels or the statement times out. */
  signal?: AbortSignal;
  /** The source's own per-query limit (0 = none). */
  timeoutMs: number;
  /** Rows per round trip. */
  batchRows: number;
  /** Run on this transaction's connection instead of a pooled one. */
  transaction?: SourceTransaction;
}

/** Receives streamed rows; the next batch is read only after the promise settles. */
export type RowSink = (rows: unknown[][]) => void | Promise<void>;

export interface WriteResult {
  /** Rows the source reports as inserted, updated or deleted. */
  affected: number;
}

/**
 * What lakegate needs from one kind of attached database: discovery of
 * tables and column types, streamed reads of a compiled statement, writes,
 * transactions pinned to one connection, and cancellation on the source.
 */
export interface Connector {
  readonly spec: SourceSpec;
  readonly dialect: Dialect;
  /** True when values arrive as PostgreSQL text (bytea as \x.., arrays as {..}). */
  readonly pgText: boolean;
  /** The remote schema used for tables named without one. */
  defaultSchema(): string;
  /** Opens (or checks) a connection; rejects with a class-08 PgError when the source is unreachable. */
  ping(): Promise<void>;
  /** Tables of one remote schema (all when `tables` is null) with their columns. */
  discover(schema: string, tables: string[] | null): Promise<RemoteTableMeta[]>;
  /** Streams the rows of a query to `sink` in batches; resolves with the row count. */
  query(stmt: RemoteStatement, sink: RowSink, opts: RunOptions): Promise<number>;
  /** Runs a write; rows of a RETURNING clause go to `sink`. */
  write(stmt: RemoteStatement, sink: RowSink | null, opts: RunOptions): Promise<WriteResult>;
  begin(): Promise<SourceTransaction>;
  commit(tx: SourceTransaction): Promise<void>;
  rollback(tx: SourceTransaction): Promise<void>;
  /** Connections currently checked out of the pool (for leak checks and metrics). */
  busyConnections(): number;
  close(): Promise<void>;
}
