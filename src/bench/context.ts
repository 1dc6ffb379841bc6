/** What every workload gets: the options, where data lives, and where to report. */
export interface BenchOptions {
  quick: boolean;
  /** Workloads to run (null: all). */
  only: Set<string> | null;
  /** Timed repetitions per measurement (medians of these). */
  runs: number;
  /** TPC-H scale factor of the analytics data. */
  scale: number;
  /** DuckDB threads, for lakegate and in-process DuckDB alike. */
  threads: number;
  /** Rows of the bulk-streaming table. */
  streamRows: number;
  /** Rows for the client-bound streaming clients (node `pg`, psql). */
  clientRows: number;
  /** Rows of the memory check result (0: skipped). */
  hugeRows: number;
  /** Seconds per pgbench run. */
  pgbenchSeconds: number;
  /** Seconds of the concurrent analytics mix. */
  mixSeconds: number;
  idleConnections: number;
  activeClients: number;
  /** work_mem for PostgreSQL's analytics sessions. */
  pgWorkMem: string;
  /** PostgreSQL statement_timeout per analytics query, in seconds. */
  pgTimeoutSeconds: number;
  /** Write --cpu-prof profiles of the lakegate servers into this directory. */
  profileDir: string | null;
}

export interface BenchContext {
  opts: BenchOptions;
  dataDir: string;
  /** Progress, to stderr. */
  log(line: string): void;
  /** Results for people, to stdout. */
  print(text: string): void;
}

/** A workload: runs, prints its tables, and returns every figure for the JSON report. */
export type WorkloadRun = (ctx: BenchContext) => Promise<Record<string, unknown>>;
