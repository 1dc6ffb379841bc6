import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSearchPath, SearchPathMapper } from '../../src/catalog/search-path.js';
import { EXAMPLE_LAKE, POSTGRES_URL, startGateway, TEST_USERS, type TestGateway } from '../support/gateway.js';

describe('search_path mapping', () => {
  it('parses PostgreSQL search_path values', () => {
    expect(parseSearchPath('"$user", public')).toEqual(['$user', 'public']);
    expect(parseSearchPath('Lake,"My Schema" ,  dims')).toEqual(['lake', 'My Schema', 'dims']);
    expect(parseSearchPath('"a""b"')).toEqual(['a"b']);
    expect(parseSearchPath('')).toEqual([]);
  });

  it('maps $user, public and unknown schemas', () => {
    const m = new SearchPathMapper({ schemas: [{ name: 'lake' }, { name: 'alice' }, { name: 'dims' }], defaultSchema: 'lake' });
    expect(m.toDuckDb('"$user", public', 'bob')).toBe('"lake"');
    expect(m.toDuckDb('"$user", public', 'alice')).toBe('"alice","lake"');
    expect(m.toDuckDb('dims, nowhere, public, lake', 'bob')).toBe('"dims","lake"');
    expect(m.toDuckDb('lakegate_internal, pg_catalog', 'bob')).toBe('"pg_catalog"');
    expect(m.toDuckDb('nowhere', 'bob')).toBe('');
    const withPublic = new SearchPathMapper({ schemas: [{ name: 'lake' }, { name: 'public' }], defaultSchema: 'lake' });
    expect(withPublic.toDuckDb('"$user", public', 'bob')).toBe('"public"');
  });
});

describe('default schema and search_path over the wire', () => {
  let gw: TestGateway;
  let oracle: pg.Client;

  beforeAll(async () => {
    gw = await startGateway({
      catalogDoc: {
        database: 'lakegate',
        default_schema: 'lake',
        users: TEST_USERS,
        schemas: {
          lake: { trips: { parquet: path.join(EXAMPLE_LAKE, 'trips/**/*.parquet'), hive_partitioning: true } },
          dims: { zones: { parquet: path.join(EXAMPLE_LAKE, 'zones.parquet') } },
          trust_user: { mine: { parquet: path.join(EXAMPLE_LAKE, 'zones.parquet') } },
        },
      },
    });
    oracle = new pg.Client(POSTGRES_URL);
    await oracle.connect();
  });

  afterAll(async () => {
    await oracle?.end();
    await gw?.close();
  });

  async function connect(user = 'lakegate'): Promise<pg.Client> {
    const c = new pg.Client(gw.url(user));
    await c.connect();
    return c;
  }

  it('resolves unqualified names in the default schema, and public as the default schema', async () => {
    const c = await connect();
    try {
      expect((await c.query('SHOW search_path')).rows[0].search_path).toBe('"$user", public');
      expect((await c.query('SELECT current_schema() AS s')).rows[0].s).toBe('lake');
      expect((await c.query('SELECT count(*)::int AS n FROM trips WHERE month = 1')).rows[0].n).toBe(86400);
      expect((await c.query('SELECT count(*)::int AS n FROM public.trips WHERE month = 1')).rows[0].n).toBe(86400);
      expect((await c.query('SELECT public.trips.month::int AS month FROM public.trips WHERE trip_id = 1')).rows[0].month).toBe(1);
    } finally {
      await c.end();
    }
  });

  it('applies SET search_path to the session, and ROLLBACK undoes it', async () => {
    const c = await connect();
    try {
      await c.query('SET search_path TO dims, lake');
      expect((await c.query('SELECT count(*)::int AS n FROM zones')).rows[0].n).toBe(265);
      expect((await c.query('SELECT count(*)::int AS n FROM trips WHERE month = 2')).rows[0].n).toBe(80826);
      await c.query('SET search_path = public');
      await c.query('BEGIN');
      await c.query('SET search_path TO dims');
      expect((await c.query('SELECT current_schema() AS s')).rows[0].s).toBe('dims');
      await c.query('ROLLBACK');
      expect((await c.query('SELECT current_schema() AS s')).rows[0].s).toBe('lake');
      // other sessions are not affected
      const other = await connect();
      expect((await other.query('SELECT current_schema() AS s')).rows[0].s).toBe('lake');
      await other.end();
    } finally {
      await c.end();
    }
  });

  it('fails like PostgreSQL when no schema on the path has the table', async () => {
    const c = await connect();
    try {
      await c.query('SET search_path TO nowhere');
      await oracle.query('SET search_path TO nowhere');
      const ours = await c.query('SELECT * FROM zones').catch((e: pg.DatabaseError) => e);
      const theirs = await oracle.query('SELECT * FROM zones').catch((e: pg.DatabaseError) => e);
      expect(ours).toBeInstanceOf(Error);
      expect(theirs).toBeInstanceOf(Error);
      expect((ours as pg.DatabaseError).code).toBe((theirs as pg.DatabaseError).code);
      expect((ours as pg.DatabaseError).message).toBe((theirs as pg.DatabaseError).message);
      await oracle.query('RESET search_path');
    } finally {
      await c.end();
    }
  });

  it('puts the schema named like the user first ("$user")', async () => {
    const c = await connect('trust_user');
    try {
      expect((await c.query('SELECT current_schema() AS s')).rows[0].s).toBe('trust_user');
      expect((await c.query('SELECT count(*)::int AS n FROM mine')).rows[0].n).toBe(265);
      expect((await c.query('SELECT count(*)::int AS n FROM trips WHERE month = 1')).rows[0].n).toBe(86400);
    } finally {
      await c.end();
    }
  });
});
