/**
 * Stable OIDs for catalog objects: a hash of the object's kind and qualified
 * name, so the same table keeps the same OID across sessions, reloads and
 * restarts without any stored state (psql, pgjdbc and Npgsql cache OIDs).
 * User objects live above PostgreSQL's FirstNormalObjectId (16384).
 */
export function stableOid(kind: 'schema' | 'table' | 'view' | 'type' | 'function' | 'index' | 'constraint' | 'source' | 'database' | 'role', ...names: string[]): number {
  let h = 0x811c9dc5;
  const text = `${kind}\u0000${names.join('\u0000')}`;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  const FIRST_NORMAL_OID = 16384;
  return FIRST_NORMAL_OID + (h % (0x7fffffff - FIRST_NORMAL_OID));
}
