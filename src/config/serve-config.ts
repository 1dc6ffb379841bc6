import fs from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { catalogFile } from '../catalog/load.js';
import { PACKAGE_ROOT } from '../version.js';
import { OptionError, resolveServeConfig, serverSectionSchema, SERVE_OPTIONS, type ServeConfig, type ServerSection, type ValueSource } from './options.js';

export const EXAMPLE_CATALOG = path.join(PACKAGE_ROOT, 'catalog');

/**
 * Reads only the `server:` section of a catalog file, so the configuration
 * (log level among it) is settled before the catalog itself is loaded and
 * logged about. The full loader validates the same section again.
 */
export function readServerSection(catalogPath: string): ServerSection {
  const file = catalogFile(catalogPath);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new OptionError(`${file}: cannot read catalog file`);
  }
  const doc = parseDocument(text);
  if (doc.errors.length > 0) return {}; // the catalog loader reports syntax errors with their line
  const server = (doc.toJS() as { server?: unknown } | null)?.server;
  if (server === undefined || server === null) return {};
  const parsed = serverSectionSchema.safeParse(server);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new OptionError(`${path.basename(file)}: server.${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data as ServerSection;
}

/** What commander parsed: each option's value and whether a flag or the environment set it. */
export type GivenOptions = Record<string, { value: unknown; source: 'flag' | 'env' } | undefined>;

/** Flag > environment > catalog `server:` > default. */
export function loadServeConfig(given: GivenOptions): { config: ServeConfig; sources: Record<string, ValueSource> } {
  const catalog = (given.catalog?.value as string | undefined) ?? EXAMPLE_CATALOG;
  const section = readServerSection(catalog);
  const resolved = resolveServeConfig(given, section);
  resolved.config.catalog = catalog;
  return resolved;
}

export { SERVE_OPTIONS };
