import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { stableOid } from '../../src/catalog/oids.js';
import { Engine } from '../../src/engine/engine.js';
import { installHelpers } from '../../src/catalog/internal.js';
import { startGateway } from '../support/gateway.js';

type OidRow = { schema_name: string; relation_name: string; kind: string; oid: string };

async function relationOids(): Promise<OidRow[]> {
  const gw = await startGateway();
  try {
    return (await gw.gateway.engine.adminConnection.rows('SELECT * EXCLUDE (origin) FROM lakegate_internal.catalog_relations ORDER BY 1, 2')) as OidRow[];
  } finally {
    await gw.close();
  }
}

describe('stable OIDs', () => {
  it('gives every catalog relation the same OID across two server restarts', async () => {
    const first = await relationOids();
    const second = await relationOids();
    const third = await relationOids();
    expect(first.map((r) => `${r.schema_name}.${r.relation_name}`)).toEqual(['lake.daily_trips', 'lake.payment_types', 'lake.trips', 'lake.zones']);
    expect(second).toEqual(first);
    expect(third).toEqual(first);
    for (const r of first) expect(Number(r.oid)).toBe(stableOid(r.kind as 'table' | 'view', r.schema_name, r.relation_name));
    expect(new Set(first.map((r) => r.oid)).size).toBe(first.length);
    for (const r of first) expect(Number(r.oid)).toBeGreaterThanOrEqual(16384);
  });

  it('computes the same OIDs in SQL (lakegate_internal.stable_oid) as in TypeScript', async () => {
    const engine = await Engine.open({ threads: 1 });
    const conn = await engine.connect();
    try {
      await installHelpers(conn);
      const cases: [string, string[]][] = [
        ['schema', ['lake']],
        ['table', ['lake', 'trips']],
        ['view', ['lake', 'daily_trips']],
        ['table', ['Schéma', 'Tâble_ü']],
        ['type', ['public', "it's \"quoted\""]],
        ['table', ['', '']],
        ['table', ['日本', '表']],
      ];
      for (const [kind, names] of cases) {
        const list = `[${names.map((n) => `'${n.replace(/'/g, "''")}'`).join(', ')}]::VARCHAR[]`;
        const rows = await conn.rows(`SELECT lakegate_internal.stable_oid('${kind}', ${list}) AS oid`);
        expect(Number(rows[0]!.oid), `${kind} ${names.join('.')}`).toBe(stableOid(kind as 'table', ...names));
      }
    } finally {
      conn.close();
      engine.close();
    }
  });

  // Needs the pg_catalog emulation (built in parallel on another branch): enable after merging.
  it('shows clients the same pg_class/pg_namespace OIDs across restarts, equal to catalog_relations', async () => {
    const read = async () => {
      const gw = await startGateway();
      const c = new pg.Client(gw.url());
      await c.connect();
      try {
        const rel = await c.query(`SELECT c.relname, c.oid::bigint AS oid FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'lake' ORDER BY 1`);
        const ns = await c.query(`SELECT oid::bigint AS oid FROM pg_catalog.pg_namespace WHERE nspname = 'lake'`);
        const reg = await c.query(`SELECT 'lake.trips'::regclass::oid::bigint AS oid`);
        return { rel: rel.rows, ns: ns.rows[0].oid, reg: reg.rows[0].oid };
      } finally {
        await c.end();
        await gw.close();
      }
    };
    const a = await read();
    const b = await read();
    expect(b).toEqual(a);
    expect(Number(a.ns)).toBe(stableOid('schema', 'lake'));
    expect(Number(a.reg)).toBe(stableOid('table', 'lake', 'trips'));
  });
});
