import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import pg from 'pg';
import { pino } from 'pino';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../../src/session/session.js';
import { EXAMPLE_LAKE, startGateway, type TestGateway, writeCatalog } from '../support/gateway.js';
import { connect, failure, securityCatalog } from './support.js';

const SECRET = 'pa55-in-env-9f2c1d';
const TRIED_PASSWORD = 'guessed-pw-77ab31';

function sessionOf(gw: TestGateway, user: string): Session {
  const s = [...gw.gateway.server.sessions].find((x) => x.identity.user === user);
  if (!s) throw new Error(`no session for ${user}`);
  return s;
}

describe('audit: objects touched, and secrets never in logs or errors', () => {
  let gw: TestGateway;
  const lines: string[] = [];

  beforeAll(async () => {
    process.env.LAKEGATE_TEST_SOURCE_SECRET = SECRET;
    const sink = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    const logger = pino({ level: 'trace' }, sink);
    gw = await startGateway({
      logger,
      catalogDoc: securityCatalog({
        sources: { crm: { kind: 'postgres', url: 'postgresql://crm:${LAKEGATE_TEST_SOURCE_SECRET}@127.0.0.1:1/crm', password: '${LAKEGATE_TEST_SOURCE_SECRET}' } },
        server: { auth: { max_failures: 1000 } },
      }),
    });
  });
  afterAll(async () => {
    await gw.close();
  });

  it('each statement is logged with user, client address, application_name, duration, rows and the objects it touched', async () => {
    const c = await connect(gw, 'analyst', { application_name: 'audit-test' });
    await c.query({ name: 'q1', text: 'SELECT count(*) FROM lake.trips t JOIN zones z ON z.zone_id = t.trip_id WHERE t.month = $1', values: [1] });
    const entry = sessionOf(gw, 'analyst').statements.get('q1')!;
    expect(entry.authorized?.objects.sort()).toEqual(['lake.trips', 'lake.zones']);
    await c.end();
    const statement = lines.map((l) => JSON.parse(l)).find((l) => l.event === 'statement' && l.application_name === 'audit-test' && String(l.query).includes('JOIN zones'));
    expect(statement).toMatchObject({ user: 'analyst', client: '127.0.0.1', rows: 1, status: 'ok' });
    expect(typeof statement.duration_ms).toBe('number');
    expect([...statement.objects].sort()).toEqual(['lake.trips', 'lake.zones']);
  });

  it('passwords tried, stored passwords and environment secrets appear in no log line and no error', async () => {
    const errors: string[] = [];
    // failed logins with psql and pg, including an unknown user
    for (const user of ['analyst', 'no_such_user']) {
      const e = await connect(gw, user, { password: TRIED_PASSWORD }).then(() => null, (err: Error) => err);
      errors.push(String(e?.message));
      await new Promise<void>((resolve) =>
        execFile('psql', [`postgresql://${user}@127.0.0.1:${gw.port}/lakegate`, '-X', '-c', 'select 1'], { env: { ...process.env, PGPASSWORD: TRIED_PASSWORD } }, (_err, _o, stderr) => {
          errors.push(stderr);
          resolve();
        }),
      );
    }
    const c = await connect(gw, 'chief');
    for (const sql of ['SHOW ALL', "SELECT current_setting('search_path')", 'SELECT * FROM pg_settings', 'SELECT * FROM duckdb_secrets()', 'SELECT * FROM lake.nope', 'SELECT nope FROM lake.zones']) {
      try {
        const r = await c.query(sql);
        errors.push(JSON.stringify(r.rows));
      } catch (e) {
        const err = e as pg.DatabaseError;
        errors.push([err.message, err.detail, err.hint].join(' '));
      }
    }
    await c.end();
    const catalogText = fs.readFileSync(path.join(path.dirname(gw.gateway.catalog.file), 'catalog.yaml'), 'utf8');
    expect(catalogText).toContain('${LAKEGATE_TEST_SOURCE_SECRET}'); // the file names the variable, never the value
    const logs = lines.join('');
    expect(logs).toContain('authentication failed'); // failures are logged ...
    expect(errors.filter((e) => e.includes('password authentication failed')).length).toBe(4);
    for (const secret of [SECRET, TRIED_PASSWORD, 'SCRAM-SHA-256$']) {
      expect(logs).not.toContain(secret);
      for (const e of errors) expect(e).not.toContain(secret);
    }
  });
});

describe('grants after a catalog reload', () => {
  let gw: TestGateway;
  let dir: string;

  beforeAll(async () => {
    dir = writeCatalog(securityCatalog());
    gw = await startGateway({ catalog: dir });
  });
  afterAll(async () => {
    await gw.close();
  });

  it('a reload changes what existing sessions may read, refreshes their visibility table and invalidates prepared statements', async () => {
    const guest = await connect(gw, 'guest');
    const analyst = await connect(gw, 'analyst');
    expect((await failure(guest, 'SELECT count(*) FROM lake.zones')).code).toBe('42501');
    await analyst.query({ name: 'jan', text: 'SELECT count(*)::int AS n FROM lake.trips' });
    const visible = async (user: string): Promise<string[]> =>
      (await sessionOf(gw, user).engine.rows('SELECT schema_name, table_name FROM lakegate_visible ORDER BY 1, 2')).map((r) => `${r.schema_name}.${r.table_name}`);
    expect(await visible('guest')).toEqual(['lake.daily_trips', 'lake.payment_types']);

    // new catalog: guest gets zones instead of the view, analyst's filter becomes February
    const doc = securityCatalog();
    const users = (doc.users as Record<string, unknown>[]).map((u) => {
      if (u.name === 'guest') return { ...u, grants: [{ schema: 'lake', tables: ['payment_types', 'zones'] }] };
      if (u.name === 'analyst') {
        const grants = (u.grants as Record<string, unknown>[]).map((g) => (g.row_filter ? { ...g, row_filter: 'month = 2' } : g));
        return { ...u, grants };
      }
      return u;
    });
    fs.writeFileSync(path.join(dir, 'catalog.yaml'), stringify({ ...doc, users }));
    expect(await gw.gateway.reload()).toMatchObject({ ok: true });

    expect((await guest.query('SELECT count(*)::int AS n FROM lake.zones')).rows[0].n).toBe(265);
    expect((await failure(guest, 'SELECT * FROM lake.daily_trips')).code).toBe('42501');
    expect(await visible('guest')).toEqual(['lake.payment_types', 'lake.zones']);
    const stale = await analyst.query({ name: 'jan', text: 'SELECT count(*)::int AS n FROM lake.trips' }).then(() => null, (e: pg.DatabaseError) => e);
    expect(stale?.code).toBe('0A000');
    expect((await analyst.query('SELECT DISTINCT month FROM lake.trips')).rows).toEqual([{ month: '2' }]);
    expect(gw.gateway.security.visibleObjects('analyst')).toEqual([
      { schema: 'lake', table: 'trips', columns: ['trip_id', 'fare', 'payment_type', 'month'] },
      { schema: 'lake', table: 'zones', columns: null },
    ]);
    await guest.end();
    await analyst.end();
  });

  it('a table added by a reload is covered by schema-wide grants and refused to others', async () => {
    const doc = securityCatalog();
    const schemas = doc.schemas as Record<string, Record<string, unknown>>;
    const lake = { ...schemas.lake, zones2: { parquet: path.join(EXAMPLE_LAKE, 'zones.parquet') } };
    fs.writeFileSync(path.join(dir, 'catalog.yaml'), stringify({ ...doc, schemas: { ...schemas, lake } }));
    expect(await gw.gateway.reload()).toMatchObject({ ok: true });
    const chief = await connect(gw, 'chief');
    expect((await chief.query('SELECT count(*)::int AS n FROM lake.zones2')).rows[0].n).toBe(265);
    const guest = await connect(gw, 'guest');
    expect((await failure(guest, 'SELECT count(*) FROM lake.zones2')).code).toBe('42501');
    await chief.end();
    await guest.end();
  });

  it('a reload with a broken grant is refused and the previous policy keeps serving', async () => {
    const doc = securityCatalog();
    const users = [...(doc.users as Record<string, unknown>[]), { name: 'typo', password: 'typo', plaintext_password: true, grants: [{ schema: 'lake', tables: ['zones'], columns: ['no_such_column'] }] }];
    fs.writeFileSync(path.join(dir, 'catalog.yaml'), stringify({ ...doc, users }));
    const outcome = await gw.gateway.reload();
    expect(outcome.ok).toBe(false);
    expect(outcome.error?.message).toMatch(/unknown column "no_such_column"/);
    const c = await connect(gw, 'guest');
    expect((await c.query('SELECT count(*)::int AS n FROM lake.payment_types')).rows[0].n).toBe(4);
    expect((await failure(c, 'SELECT count(*) FROM lake.zones')).code).toBe('42501');
    await c.end();
    const typo = await connect(gw, 'typo').then(() => null, (e: pg.DatabaseError) => e);
    expect(typo?.code).toBe('28P01');
  });
});
