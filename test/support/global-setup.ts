import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureExampleLake } from '../../src/catalog/example-lake.js';
import { ensureExampleShop } from '../../src/federation/example-shop.js';

/**
 * Generates the example lake once, before any test file starts a gateway over
 * it, and gives the run one temporary directory (LAKEGATE_TEST_TMP), removed
 * at the end.
 */
export default async function setup(): Promise<() => void> {
  await ensureExampleLake(path.resolve('catalog/lake'));
  ensureExampleShop(path.resolve('catalog/data/shop.db'));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lakegate-tests-'));
  process.env.LAKEGATE_TEST_TMP = tmp;
  return () => fs.rmSync(tmp, { recursive: true, force: true });
}
