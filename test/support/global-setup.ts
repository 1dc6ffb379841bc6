import path from 'node:path';
import { ensureExampleLake } from '../../src/catalog/example-lake.js';
import { ensureExampleShop } from '../../src/federation/example-shop.js';

/** Generates the example lake once, before any test file starts a gateway over it. */
export default async function setup(): Promise<void> {
  await ensureExampleLake(path.resolve('catalog/lake'));
  ensureExampleShop(path.resolve('catalog/data/shop.db'));
}
