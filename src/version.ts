import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root (where package.json and catalog/ live). */
export const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const LAKEGATE_VERSION: string = (() => {
  try {
    return JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')).version as string;
  } catch {
    return '0.0.0';
  }
})();

/** What clients see as the server version: PostgreSQL 15 wire semantics. */
export const PG_SERVER_VERSION = `15.0 (lakegate ${LAKEGATE_VERSION})`;
export const PG_SERVER_VERSION_NUM = '150000';
