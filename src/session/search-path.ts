import { quoteLiteral } from '../sql/quote.js';
import type { Session } from './session.js';

/** Turns a session's PostgreSQL search_path into its DuckDB connection's (supplied by the catalog). */
export interface SearchPathResolver {
  toDuckDb(pgSearchPath: string, user: string): string;
}


/**
 * Points the session's DuckDB connection at the schemas its search_path
 * names, before a statement is prepared. Only runs SET when the mapped value
 * changed (the client ran SET search_path, a transaction rolled it back, or a
 * catalog reload changed the schemas), so the usual cost is one comparison.
 */
export async function syncSearchPath(session: Session): Promise<void> {
  const resolver = session.searchPathResolver;
  if (!resolver) return;
  const want = resolver.toDuckDb(session.settings.get('search_path') ?? '', session.identity.user);
  if (want === session.appliedSearchPath) return;
  try {
    await session.engine.run(`SET search_path = ${quoteLiteral(want)}`);
  } catch {
    // a schema dropped by a reload between mapping and SET: fall back to DuckDB's default
    await session.engine.run('RESET search_path');
  }
  session.appliedSearchPath = want;
}
