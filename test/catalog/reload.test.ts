import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReloadOutcome } from '../../src/catalog/runtime.js';
import { Gateway } from '../../src/gateway.js';
import { catalogDirWith, makeFixtureLake, testTempDir } from '../support/lake-fixture.js';
import { TEST_USERS } from '../support/gateway.js';
import { stringify } from 'yaml';

/** A logger whose JSON lines the test can read. */
function capturingLogger(): { logger: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s)) });
  return { logger, lines };
}

function nextReload(gw: Gateway): Promise<ReloadOutcome> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no reload happened')), 20_000);
    gw.runtime.once('reload', (o: ReloadOutcome) => {
      clearTimeout(timer);
      resolve(o);
    });
  });
}

/** Saves the way editors do: write a new file, rename it over the old one. */
function saveCatalog(dir: string, doc: Record<string, unknown> | string): void {
  const tmp = path.join(dir, `.catalog.yaml.${process.pid}.tmp`);
  fs.writeFileSync(tmp, typeof doc === 'string' ? doc : stringify(doc));
  fs.renameSync(tmp, path.join(dir, 'catalog.yaml'));
}

const base = (tables: Record<string, unknown>, views: Record<string, unknown> = {}): Record<string, unknown> => ({
  database: 'lakegate',
  default_schema: 'lake',
  users: TEST_USERS,
  schemas: { lake: tables },
  views,
});

describe('hot reload while a client stays connected', () => {
  let fixture: string;
  let dir: string;
  let gw: Gateway;
  let log: ReturnType<typeof capturingLogger>;
  let client: pg.Client;

  beforeAll(async () => {
    fixture = await makeFixtureLake();
    dir = catalogDirWith(fixture, stringify(base({ one: { parquet: 'lake/one.parquet' } })));
    log = capturingLogger();
    gw = await Gateway.start({ catalog: dir, host: '127.0.0.1', port: 0, logger: log.logger, watchCatalog: true, watchDebounceMs: 50 });
    client = new pg.Client(`postgresql://lakegate:lakegate@127.0.0.1:${gw.port}/lakegate`);
    await client.connect();
  });

  afterAll(async () => {
    await client?.end();
    await gw?.close();
  });

  const count = async (sql: string): Promise<number> => Number((await client.query(sql)).rows[0].n);
  const prepared = { name: 'count_one', text: 'SELECT count(*) AS n FROM lake.one' };

  it('adds a table, changes a path, rejects a broken file and applies the fix, without dropping the session', async () => {
    expect(await count('SELECT count(*) AS n FROM lake.one')).toBe(10);
    expect(Number((await client.query(prepared)).rows[0].n)).toBe(10);

    // a second session holds a transaction open across the reloads
    const holder = new pg.Client(`postgresql://lakegate:lakegate@127.0.0.1:${gw.port}/lakegate`);
    await holder.connect();
    await holder.query('BEGIN');
    expect(Number((await holder.query('SELECT count(*) AS n FROM lake.one')).rows[0].n)).toBe(10);

    // 1. add a table
    let reloaded = nextReload(gw);
    saveCatalog(dir, base({ one: { parquet: 'lake/one.parquet' }, people: { csv: 'lake/people.csv', delimiter: ';' } }));
    expect((await reloaded).ok).toBe(true);
    expect(await count('SELECT count(*) AS n FROM lake.people')).toBe(3);

    // 2. change a path (written in place this time)
    reloaded = nextReload(gw);
    fs.writeFileSync(path.join(dir, 'catalog.yaml'), stringify(base({ one: { parquet: 'lake/parts/**/*.parquet' }, people: { csv: 'lake/people.csv', delimiter: ';' } })));
    expect((await reloaded).ok).toBe(true);
    expect(await count('SELECT count(*) AS n FROM lake.one')).toBe(6);
    // a statement prepared before the reload runs against the new definition
    expect(Number((await client.query(prepared)).rows[0].n)).toBe(6);
    // the open transaction still sees the catalog it started with, until it ends
    expect(Number((await holder.query('SELECT count(*) AS n FROM lake.one')).rows[0].n)).toBe(10);
    await holder.query('COMMIT');
    expect(Number((await holder.query('SELECT count(*) AS n FROM lake.one')).rows[0].n)).toBe(6);

    // 3. break the file: rejected, logged with file:line, the last good catalog keeps serving
    reloaded = nextReload(gw);
    saveCatalog(dir, stringify(base({ one: { parquet: 'lake/parts/**/*.parquet' }, people: { csv: 'lake/people.csv', delimiter: ';' }, gone: { parquet: 'lake/tripz/*.parquet' } })));
    const broken = await reloaded;
    expect(broken.ok).toBe(false);
    expect(broken.error?.message).toMatch(/^catalog\.yaml:\d+: schemas\.lake\.gone\.parquet: no files match "lake\/tripz\/\*\.parquet"$/);
    const logged = log.lines.find((l) => l.msg === 'catalog reload rejected; the last good catalog keeps serving');
    expect(logged?.error).toBe(broken.error?.message);
    expect(await count('SELECT count(*) AS n FROM lake.one')).toBe(6);
    expect(await count('SELECT count(*) AS n FROM lake.people')).toBe(3);

    // invalid YAML is rejected the same way
    reloaded = nextReload(gw);
    saveCatalog(dir, 'schemas:\n  lake: [\n');
    const invalid = await reloaded;
    expect(invalid.ok).toBe(false);
    expect(invalid.error?.message).toMatch(/^catalog\.yaml:\d+: invalid YAML: /);
    expect(await count('SELECT count(*) AS n FROM lake.one')).toBe(6);

    // 4. fix it: drop a table, add a view
    reloaded = nextReload(gw);
    saveCatalog(dir, base({ one: { parquet: 'lake/parts/**/*.parquet' } }, { 'lake.big': 'SELECT * FROM lake.one WHERE id > 4' }));
    expect((await reloaded).ok).toBe(true);
    expect(await count('SELECT count(*) AS n FROM lake.big')).toBe(2);
    const dropped = await client.query('SELECT * FROM lake.people').catch((e: pg.DatabaseError) => e);
    expect((dropped as pg.DatabaseError).code).toBe('42P01');

    // the session never dropped: same backend, still usable
    expect(gw.server.sessions.size).toBe(2);
    await holder.end();
  });

  it('ignores a save that does not change the file', async () => {
    const reloaded = nextReload(gw);
    fs.utimesSync(path.join(dir, 'catalog.yaml'), new Date(), new Date());
    fs.writeFileSync(path.join(dir, 'catalog.yaml'), fs.readFileSync(path.join(dir, 'catalog.yaml')));
    const o = await reloaded;
    expect(o).toMatchObject({ ok: true, changed: false });
  });

  it('refuses a reload that needs a directory outside the locked sandbox, naming it', async () => {
    const outside = testTempDir('outside-');
    fs.copyFileSync(path.join(fixture, 'lake', 'one.parquet'), path.join(outside, 'x.parquet'));
    saveCatalog(dir, base({ one: { parquet: 'lake/parts/**/*.parquet' }, x: { parquet: path.join(outside, '*.parquet') } }));
    const o = await gw.reload('api');
    expect(o.ok).toBe(false);
    expect(o.error?.message).toContain(`schemas.lake.x.parquet: "${path.join(outside, '*.parquet')}" is outside what this server may read`);
    expect(o.error?.message).toContain('restart lakegate to serve it');
    expect(await count('SELECT count(*) AS n FROM lake.one')).toBe(6);
    // DuckDB itself refuses the directory too (the sandbox is locked, not just checked)
    const direct = await client.query(`SELECT count(*) FROM read_parquet('${path.join(outside, 'x.parquet')}')`).catch((e: pg.DatabaseError) => e);
    expect((direct as pg.DatabaseError).code).toBe('42501');
  });
});

describe('lake_roots let a reload add tables anywhere under them', () => {
  it('adds a table in a new directory under a declared root', async () => {
    const fixture = await makeFixtureLake();
    const dir = catalogDirWith(fixture, stringify({ ...base({ one: { parquet: 'lake/one.parquet' } }), lake_roots: ['lake'] }));
    const gw = await Gateway.start({ catalog: dir, host: '127.0.0.1', port: 0, logger: pino({ level: 'silent' }) });
    try {
      saveCatalog(dir, { ...base({ one: { parquet: 'lake/one.parquet' }, hive: { parquet: 'lake/hive/**/*.parquet', hive_partitioning: true } }), lake_roots: ['lake'] });
      const o = await gw.reload('api');
      expect(o.ok).toBe(true);
      const c = new pg.Client(`postgresql://lakegate:lakegate@127.0.0.1:${gw.port}/lakegate`);
      await c.connect();
      expect(Number((await c.query('SELECT count(*) AS n FROM lake.hive')).rows[0].n)).toBe(20);
      await c.end();
    } finally {
      await gw.close();
    }
  });
});

describe('reload contract with the other rooms', () => {
  it('runs after-install hooks at start and on reload, and puts the previous catalog back when one fails', async () => {
    const fixture = await makeFixtureLake();
    const dir = catalogDirWith(fixture, stringify(base({ one: { parquet: 'lake/one.parquet' } })));
    const calls: string[] = [];
    const hook = async (ctx: import('../../src/catalog/runtime.js').AfterInstallContext): Promise<void> => {
      const names = ctx.catalog.objects.map((o) => o.name).join(',');
      calls.push(`${ctx.reason}:${names}`);
      // the hook sees the installed catalog in DuckDB
      const rows = await ctx.conn.rows("SELECT count(*) AS n FROM duckdb_views() WHERE schema_name = 'lake'");
      expect(Number(rows[0]!.n)).toBe(ctx.catalog.objects.length);
      if (names.includes('boom')) throw new Error('the pg_catalog emulation failed');
    };
    const log = capturingLogger();
    const gw = await Gateway.start({ catalog: dir, host: '127.0.0.1', port: 0, logger: log.logger, afterInstall: [hook] });
    const c = new pg.Client(`postgresql://lakegate:lakegate@127.0.0.1:${gw.port}/lakegate`);
    await c.connect();
    try {
      expect(calls).toEqual(['start:one']);
      saveCatalog(dir, base({ one: { parquet: 'lake/one.parquet' }, boom: { parquet: 'lake/one.parquet' } }));
      const o = await gw.reload('api');
      expect(o.ok).toBe(false);
      expect(o.error?.message).toBe('the pg_catalog emulation failed');
      expect(calls).toEqual(['start:one', 'reload:one,boom', 'restore:one']);
      // the table the failed catalog added is gone again; the old one serves
      expect(((await c.query('SELECT * FROM lake.boom').catch((e: pg.DatabaseError) => e)) as pg.DatabaseError).code).toBe('42P01');
      expect(Number((await c.query('SELECT count(*) AS n FROM lake.one')).rows[0].n)).toBe(10);
      expect(gw.catalog.objects.map((x) => x.name)).toEqual(['one']);
      expect(log.lines.some((l) => l.msg === 'catalog reload rejected; the last good catalog keeps serving' && l.error === 'the pg_catalog emulation failed')).toBe(true);
    } finally {
      await c.end();
      await gw.close();
    }
  });

  it('applies new users and a new default schema to running and new sessions', async () => {
    const fixture = await makeFixtureLake();
    const doc = (users: unknown[], defaultSchema: string): Record<string, unknown> => ({
      database: 'lakegate',
      default_schema: defaultSchema,
      users,
      schemas: { lake: { one: { parquet: 'lake/one.parquet' } }, other: { one: { parquet: 'lake/parts' } } },
    });
    const dir = catalogDirWith(fixture, stringify(doc([TEST_USERS[0]], 'lake')));
    const gw = await Gateway.start({ catalog: dir, host: '127.0.0.1', port: 0, logger: pino({ level: 'silent' }) });
    const c = new pg.Client(`postgresql://lakegate:lakegate@127.0.0.1:${gw.port}/lakegate`);
    await c.connect();
    try {
      expect(Number((await c.query('SELECT count(*) AS n FROM one')).rows[0].n)).toBe(10);
      const refused = new pg.Client(`postgresql://md5_user:md5_user@127.0.0.1:${gw.port}/lakegate`);
      await expect(refused.connect()).rejects.toThrow();
      saveCatalog(dir, doc([TEST_USERS[0], TEST_USERS[2]], 'other'));
      expect((await gw.reload('api')).ok).toBe(true);
      // the running session's unqualified names follow the new default schema
      expect(Number((await c.query('SELECT count(*) AS n FROM one')).rows[0].n)).toBe(6);
      expect(Number((await c.query('SELECT count(*) AS n FROM public.one')).rows[0].n)).toBe(6);
      const added = new pg.Client(`postgresql://md5_user:md5_user@127.0.0.1:${gw.port}/lakegate`);
      await added.connect();
      expect(Number((await added.query('SELECT count(*) AS n FROM lake.one')).rows[0].n)).toBe(10);
      await added.end();
    } finally {
      await c.end();
      await gw.close();
    }
  });
});

describe('catalog files mounted from a Kubernetes ConfigMap', () => {
  it('reloads when the ..data symlink is swapped', async () => {
    const fixture = await makeFixtureLake();
    const dir = catalogDirWith(fixture, '');
    fs.rmSync(path.join(dir, 'catalog.yaml'));
    const version = (name: string, doc: Record<string, unknown>): void => {
      fs.mkdirSync(path.join(dir, name));
      fs.writeFileSync(path.join(dir, name, 'catalog.yaml'), stringify(doc));
    };
    version('..v1', base({ one: { parquet: 'lake/one.parquet' } }));
    fs.symlinkSync('..v1', path.join(dir, '..data'));
    fs.symlinkSync('..data/catalog.yaml', path.join(dir, 'catalog.yaml'));
    const gw = await Gateway.start({ catalog: dir, host: '127.0.0.1', port: 0, logger: pino({ level: 'silent' }), watchCatalog: true, watchDebounceMs: 50 });
    try {
      const changed = new Promise<ReloadOutcome>((resolve) => {
        const onReload = (o: ReloadOutcome): void => {
          if (!o.changed) return;
          gw.runtime.off('reload', onReload);
          resolve(o);
        };
        gw.runtime.on('reload', onReload);
      });
      // what the kubelet does: write the new version, point ..data at it atomically
      version('..v2', base({ one: { parquet: 'lake/one.parquet' }, parts: { parquet: 'lake/parts' } }));
      fs.symlinkSync('..v2', path.join(dir, '..data_tmp'));
      fs.renameSync(path.join(dir, '..data_tmp'), path.join(dir, '..data'));
      expect((await changed).ok).toBe(true);
      expect(gw.catalog.objects.map((o) => o.name)).toEqual(['one', 'parts']);
    } finally {
      await gw.close();
    }
  });
});
