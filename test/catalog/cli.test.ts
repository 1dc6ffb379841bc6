import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { catalogDirWith, makeFixtureLake } from '../support/lake-fixture.js';
import { TEST_USERS } from '../support/gateway.js';

const BIN = path.resolve('bin/lakegate.cjs');

/** The CLI runs from dist/: `npm test` builds first; a stale build would test old code. */
function runCli(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

let fixture: string;
beforeAll(async () => {
  fixture = await makeFixtureLake();
});

describe('lakegate check-catalog', () => {
  it('accepts the example catalog', () => {
    const r = runCli(['check-catalog', 'catalog']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/catalog\.yaml: OK \(2 schemas, 4 tables, 2 views, 1 users\)/);
  });

  it('exits non-zero and prints every error with file, line and key', () => {
    const dir = catalogDirWith(
      fixture,
      ['schemas:', '  lake:', '    a: { parquet: lake/tripz/*.parquet }', '    b:', '      parquet: lake/one.parquet', '      columns: { nope: integer }', 'views:', '  lake.v: SELECT * FROM lake.missing', ''].join('\n'),
    );
    const r = runCli(['check-catalog', dir]);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([
      'catalog.yaml:3: schemas.lake.a.parquet: no files match "lake/tripz/*.parquet"',
      'catalog.yaml:6: schemas.lake.b.columns.nope: no column "nope" in the files (they have id, name, amount)',
    ]);
    // once the tables are right, the views are checked too
    fs.writeFileSync(path.join(dir, 'catalog.yaml'), ['schemas:', '  lake:', '    b: { parquet: lake/one.parquet }', 'views:', '  lake.v: SELECT * FROM lake.missing', ''].join('\n'));
    const v = runCli(['check-catalog', path.join(dir, 'catalog.yaml')]);
    expect(v.status).toBe(1);
    expect(v.stderr.trim()).toBe('catalog.yaml:5: views.lake.v: relation "missing" does not exist');
  });

  it('never prints secrets from the environment', () => {
    const secret = `s3cr3t-${process.pid}-${Math.random().toString(36).slice(2)}`;
    const dir = catalogDirWith(fixture, ['users:', '  - name: alice', '    password: ${LAKEGATE_TEST_SECRET}', '    plaintext_password: true', 'schemas:', '  lake:', '    a: { parquet: lake/nope/*.parquet }', ''].join('\n'));
    const r = runCli(['check-catalog', dir], { LAKEGATE_TEST_SECRET: secret });
    expect(r.status).toBe(1);
    expect(r.stdout + r.stderr).not.toContain(secret);
  });
});

describe('lakegate serve', () => {
  let proc: ChildProcess;
  let output = '';
  let dir: string;

  const waitFor = (re: RegExp, from = 0): Promise<RegExpExecArray> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${re} in:\n${output}`)), 30_000);
      const check = (): void => {
        const m = re.exec(output.slice(from));
        if (m) {
          clearTimeout(timer);
          proc.stdout!.off('data', check);
          resolve(m);
        }
      };
      proc.stdout!.on('data', check);
      check();
    });

  beforeAll(async () => {
    dir = catalogDirWith(fixture, stringify({ database: 'lakegate', users: TEST_USERS, schemas: { lake: { one: { parquet: 'lake/one.parquet' } } } }));
    proc = spawn(process.execPath, [BIN, 'serve', '--catalog', dir, '--port', '0', '--watch', 'off', '--log-level', 'info'], { stdio: ['ignore', 'pipe', 'pipe'] });
    proc.stdout!.setEncoding('utf8');
    proc.stdout!.on('data', (d: string) => (output += d));
    proc.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  });

  afterAll(() => {
    proc?.kill('SIGTERM');
  });

  it('reloads the catalog on SIGHUP', async () => {
    const port = Number((await waitFor(/"port":(\d+)/))[1]);
    const c = new pg.Client(`postgresql://lakegate:lakegate@127.0.0.1:${port}/lakegate`);
    await c.connect();
    try {
      expect(Number((await c.query('SELECT count(*) AS n FROM lake.one')).rows[0].n)).toBe(10);
      fs.writeFileSync(path.join(dir, 'catalog.yaml'), stringify({ database: 'lakegate', users: TEST_USERS, schemas: { lake: { one: { parquet: 'lake/parts' } } } }));
      const mark = output.length;
      proc.kill('SIGHUP');
      await waitFor(/"trigger":"SIGHUP".*"msg":"catalog reloaded"/, mark);
      expect(Number((await c.query('SELECT count(*) AS n FROM lake.one')).rows[0].n)).toBe(6);
      // a broken edit is logged and the server keeps serving the last good catalog
      fs.writeFileSync(path.join(dir, 'catalog.yaml'), 'schemas: [\n');
      const mark2 = output.length;
      proc.kill('SIGHUP');
      const line = await waitFor(/\{[^\n]*catalog reload rejected[^\n]*\}/, mark2);
      expect(JSON.parse(line[0]).error).toMatch(/^catalog\.yaml:\d+: invalid YAML/);
      expect(Number((await c.query('SELECT count(*) AS n FROM lake.one')).rows[0].n)).toBe(6);
    } finally {
      await c.end();
    }
  });
});
