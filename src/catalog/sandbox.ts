import path from 'node:path';
import type { CatalogIssue } from './errors.js';
import type { Catalog, LakeTable } from './model.js';

/** What DuckDB may read once it is locked: whole directories and single files. */
export interface Sandbox {
  directories: string[];
  paths: string[];
}

const GLOB_CHARS = /[*?[{]/;

function withSlash(dir: string): string {
  return dir.endsWith(path.sep) ? dir : `${dir}${path.sep}`;
}

function isInside(p: string, dir: string): boolean {
  return p === dir || p.startsWith(withSlash(dir));
}

/**
 * What one lake table needs to read: the fixed directory before its first
 * glob character, or for a single file the directory that holds it. When that
 * directory also holds the catalog file, only the table's file is allowed, so
 * clients can never read catalog.yaml (and the password verifiers in it).
 */
export function tableReadRoot(t: LakeTable, catalogFile: string): { dir: string } | { file: string } {
  const globAt = t.path.search(GLOB_CHARS);
  if (globAt >= 0) {
    const prefix = t.path.slice(0, globAt);
    return { dir: prefix.endsWith(path.sep) ? prefix.slice(0, -1) : path.dirname(prefix) };
  }
  const dir = path.dirname(t.path);
  if (isInside(catalogFile, dir)) return { file: t.path };
  return { dir };
}

/** Directories and files the catalog's lake tables (and declared lake roots) need. */
export function lakeSandbox(catalog: Catalog): Sandbox {
  const dirs = new Set<string>(catalog.lakeRoots);
  const files = new Set<string>();
  for (const o of catalog.objects) {
    if (o.kind !== 'lake') continue;
    const root = tableReadRoot(o, catalog.file);
    if ('dir' in root) dirs.add(root.dir);
    else files.add(root.file);
  }
  // nested directories are covered by their parents
  const sorted = [...dirs].sort((a, b) => a.length - b.length);
  const directories: string[] = [];
  for (const d of sorted) if (!directories.some((p) => isInside(d, p))) directories.push(d);
  const paths = [...files].filter((f) => !directories.some((d) => isInside(f, d)));
  return { directories, paths };
}

/**
 * Lake tables that the catalog's own directory would expose: a glob there
 * would make catalog.yaml readable, so it is refused.
 */
export function sandboxIssues(catalog: Catalog): CatalogIssue[] {
  const issues: CatalogIssue[] = [];
  for (const o of catalog.objects) {
    if (o.kind !== 'lake') continue;
    const root = tableReadRoot(o, catalog.file);
    if ('dir' in root && isInside(catalog.file, root.dir)) {
      const at = ['schemas', o.schema, o.name, o.format];
      const message = `"${o.pathAsWritten}" would let clients read ${root.dir}, which holds the catalog file: keep lake files in a directory without it`;
      issues.push(catalog.source ? catalog.source.issue(at, message) : { file: catalog.file, key: at.join('.'), message });
    }
  }
  return issues;
}

/**
 * Lake tables of `catalog` that a server locked to `allowed` cannot read.
 * DuckDB's sandbox cannot be widened after it is locked, so such a reload is
 * refused and the server must be restarted to serve them.
 */
export function outsideSandbox(catalog: Catalog, allowed: Sandbox): CatalogIssue[] {
  const issues: CatalogIssue[] = [];
  const covered = (p: string): boolean => allowed.directories.some((d) => isInside(p, d)) || allowed.paths.includes(p);
  for (const o of catalog.objects) {
    if (o.kind !== 'lake') continue;
    const root = tableReadRoot(o, catalog.file);
    const need = 'dir' in root ? root.dir : root.file;
    if (covered(need)) continue;
    const at = ['schemas', o.schema, o.name, o.format];
    const list = [...allowed.directories.map(withSlash), ...allowed.paths].join(', ') || 'none';
    const message = `"${o.pathAsWritten}" is outside what this server may read (${list}): DuckDB's sandbox is fixed at startup, so restart lakegate to serve it (or declare its directory in lake_roots before starting)`;
    issues.push(catalog.source ? catalog.source.issue(at, message) : { file: catalog.file, key: at.join('.'), message });
  }
  return issues;
}
