import { Engine } from '../engine/engine.js';
import { installCatalog } from './install.js';
import { loadCatalog } from './load.js';
import type { Catalog } from './model.js';
import { CatalogError } from './errors.js';
import { sandboxIssues } from './sandbox.js';

/**
 * Validates a catalog without serving it: everything `serve` checks (the file,
 * the lake files and declared columns, the views' SQL), in a throwaway
 * in-memory DuckDB whose transaction is rolled back. Throws a CatalogError
 * listing every problem found.
 */
export async function checkCatalog(dirOrFile: string): Promise<Catalog> {
  const catalog = loadCatalog(dirOrFile);
  const issues = sandboxIssues(catalog);
  if (issues.length > 0) throw new CatalogError(issues);
  const engine = await Engine.open({ threads: 1 });
  try {
    const conn = await engine.connect();
    try {
      await installCatalog(conn, catalog, { commit: false });
    } finally {
      conn.close();
    }
  } finally {
    engine.close();
  }
  return catalog;
}
