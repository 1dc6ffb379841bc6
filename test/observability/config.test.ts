import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/load.js';
import { optionsMarkdownTable, resolveServeConfig, SERVE_OPTIONS, type OptionSpec } from '../../src/config/options.js';
import { loadServeConfig } from '../../src/config/serve-config.js';
import { exampleSchemas, TEST_USERS, writeCatalog } from '../support/gateway.js';
import { assertBuilt, startCli } from './support.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

function runCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/lakegate.cjs'), ...args], { cwd: ROOT, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const squash = (s: string): string => s.replace(/\s+/g, ' ');

describe('configuration layering: flag > environment > catalog server: > default', () => {
  it('takes each value from the highest layer that sets it', () => {
    const { config, sources } = resolveServeConfig(
      {
        port: { value: 7000, source: 'flag' },
        logLevel: { value: 'debug', source: 'env' },
      },
      { listen: '0.0.0.0:6000', log_level: 'warn', max_connections: '12', shutdown_grace: '2min' },
    );
    expect(config).toMatchObject({ port: 7000, host: '0.0.0.0', logLevel: 'debug', maxConnections: 12, shutdownGraceMs: 120_000, replicaId: 0, httpPort: { host: '127.0.0.1', port: 9187 } });
    expect(sources).toMatchObject({ port: 'flag', host: 'catalog', logLevel: 'env', maxConnections: 'catalog', shutdownGraceMs: 'catalog', replicaId: 'default', httpPort: 'default' });
    expect(config.threads).toBeUndefined();
  });

  it('reads the catalog file server: section, and the catalog loader validates the same keys', () => {
    const dir = writeCatalog({
      database: 'lakegate',
      users: TEST_USERS,
      schemas: exampleSchemas(),
      server: { listen: '127.0.0.1:6543', http_port: 'off', log_level: 'warn', replica_id: 7, query_history_size: 50 },
    });
    const { config, sources } = loadServeConfig({ catalog: { value: dir, source: 'flag' } });
    expect(config).toMatchObject({ host: '127.0.0.1', port: 6543, httpPort: null, logLevel: 'warn', replicaId: 7, queryHistorySize: 50 });
    expect(sources.replicaId).toBe('catalog');
    expect(loadCatalog(dir).server).toMatchObject({ host: '127.0.0.1', port: 6543 });

    const bad = writeCatalog({ database: 'lakegate', users: TEST_USERS, schemas: exampleSchemas(), server: { replica_id: 300 } });
    expect(() => loadCatalog(bad)).toThrow(/server\.replica_id: replica id: must be between 0 and 127/);
    expect(() => loadServeConfig({ catalog: { value: bad, source: 'flag' } })).toThrow(/server\.replica_id/);
    const unknown = writeCatalog({ database: 'lakegate', users: TEST_USERS, schemas: exampleSchemas(), server: { lisen: '1:2' } });
    expect(() => loadCatalog(unknown)).toThrow(/server/);
  });

  it('parses durations, sizes and the HTTP address as documented', () => {
    const parse = (key: string, raw: string): unknown => (SERVE_OPTIONS.find((o) => o.key === key) as OptionSpec<unknown>).parse(raw);
    expect(parse('httpPort', 'off')).toBeNull();
    expect(parse('httpPort', '9999')).toEqual({ host: '127.0.0.1', port: 9999 });
    expect(parse('httpPort', '0.0.0.0:9187')).toEqual({ host: '0.0.0.0', port: 9187 });
    expect(parse('httpPort', '[::1]:9187')).toEqual({ host: '::1', port: 9187 });
    expect(parse('shutdownGraceMs', '45')).toBe(45_000);
    expect(parse('shutdownGraceMs', '500ms')).toBe(500);
    expect(parse('logMinDuration', '250')).toBe(250);
    expect(parse('logMinDuration', '1s')).toBe(1000);
    expect(parse('memoryLimit', '4GB')).toBe('4GB');
    expect(() => parse('memoryLimit', 'lots')).toThrow(/memory limit/);
    expect(() => parse('port', '70000')).toThrow(/between 0 and 65535/);
    expect(() => parse('logLevel', 'loud')).toThrow(/one of trace/);
  });
});

describe('the CLI', () => {
  beforeAll(() => assertBuilt());

  it('lakegate serve --help and lakegate --help list every option with its default and environment variable', async () => {
    const serveHelp = await runCli(['serve', '--help']);
    const topHelp = await runCli(['--help']);
    expect(serveHelp.code).toBe(0);
    expect(topHelp.code).toBe(0);
    for (const help of [squash(serveHelp.stdout), squash(topHelp.stdout)]) {
      for (const o of SERVE_OPTIONS) {
        expect(help).toContain(o.flag);
        expect(help).toContain(`default: ${o.defaultText};`);
        expect(help).toContain(`env: ${o.env}`);
      }
    }
  });

  it('takes options from the environment and the catalog, flags first, and reports where each came from', async () => {
    const catalog = writeCatalog({
      database: 'lakegate',
      users: TEST_USERS,
      schemas: exampleSchemas(),
      server: { listen: '127.0.0.1:1', http_port: 'off', log_level: 'warn', replica_id: 5 },
    });
    const cli = startCli(['serve', '--catalog', catalog, '--http-port', '127.0.0.1:0', '--log-format', 'json'], { LAKEGATE_PORT: '0', LAKEGATE_LOG_LEVEL: 'info' });
    try {
      const config = await cli.waitForLog((r) => r.event === 'config', 'config');
      expect(config.sources).toMatchObject({ port: 'env', host: 'catalog', httpPort: 'flag', logLevel: 'env', replicaId: 'catalog', maxConnections: 'default' });
      expect(config.replica_id).toBe(5);
      const listening = await cli.waitForLog((r) => r.event === 'listening', 'listening');
      expect(listening.port).not.toBe(1);
      expect(listening.replica_id).toBe(5);
      await cli.waitForLog((r) => r.event === 'http_listening', 'http_listening');
    } finally {
      cli.child.kill('SIGTERM');
    }
    expect((await cli.exit).code).toBe(0);
  });

  it('refuses an invalid value with a message naming the option', async () => {
    const r = await runCli(['serve', '--port', '0', '--http-port', 'off'], { LAKEGATE_REPLICA_ID: '300' });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('replica id: must be between 0 and 127');
  });
});

describe('README', () => {
  it('documents every option in one configuration table generated from the declarations', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const m = /<!-- options:start -->\n([\s\S]*?)\n<!-- options:end -->/.exec(readme);
    expect(m, 'README.md needs the options table between <!-- options:start --> and <!-- options:end -->').not.toBeNull();
    expect(m![1]).toBe(optionsMarkdownTable());
  });
});
