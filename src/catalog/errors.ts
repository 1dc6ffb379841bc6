/** One problem in a catalog file, located at a line and a dotted key. */
export interface CatalogIssue {
  /** The catalog file's name as shown in messages (its base name). */
  file: string;
  /** 1-based line, when known. */
  line?: number;
  /** Dotted key path, e.g. `schemas.lake.trips.parquet`. */
  key: string;
  message: string;
}

export function formatIssue(i: CatalogIssue): string {
  const where = i.line === undefined ? i.file : `${i.file}:${i.line}`;
  return i.key ? `${where}: ${i.key}: ${i.message}` : `${where}: ${i.message}`;
}

/**
 * A catalog that cannot be served. The message has one line per issue, each
 * naming the file, the line and the key:
 * `catalog.yaml:14: schemas.lake.trips.parquet: no files match "lake/tripz/*.parquet"`.
 */
export class CatalogError extends Error {
  readonly issues: CatalogIssue[];

  constructor(messageOrIssues: string | CatalogIssue[]) {
    // in file order; issues without a line (about the file as a whole) first
    const issues = typeof messageOrIssues === 'string' ? [] : [...messageOrIssues].sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
    super(typeof messageOrIssues === 'string' ? messageOrIssues : issues.map(formatIssue).join('\n'));
    this.issues = issues;
  }
}
