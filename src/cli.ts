import { Command, Option } from 'commander';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { checkCatalog } from './catalog/check.js';
import { ensureExampleLakeFor } from './catalog/example-lake.js';
import { CatalogError } from './catalog/load.js';
import { Gateway } from './gateway.js';
import { createLogger } from './observability/logger.js';
import { hashPassword } from './server/auth/scram.js';
import { LAKEGATE_VERSION, PACKAGE_ROOT } from './version.js';

const program = new Command();
program.name('lakegate').description('PostgreSQL wire-protocol gateway over a Parquet lake and attached databases, executed in DuckDB').version(LAKEGATE_VERSION);

program
  .command('serve')
  .description('serve a catalog over the PostgreSQL protocol')
  .addOption(new Option('--catalog <dir>', 'catalog directory or catalog.yaml').default(path.join(PACKAGE_ROOT, 'catalog'), 'the example catalog').env('LAKEGATE_CATALOG'))
  .addOption(new Option('--host <host>', 'address to listen on').default(undefined, 'catalog server.listen, else 127.0.0.1').env('LAKEGATE_HOST'))
  .addOption(new Option('--port <port>', 'port to listen on (0 picks a free port)').default(undefined, 'catalog server.listen, else 5433').env('LAKEGATE_PORT').argParser((v) => Number(v)))
  .addOption(new Option('--log-level <level>', 'log level').choices(['trace', 'debug', 'info', 'warn', 'error', 'silent']).default('info').env('LAKEGATE_LOG_LEVEL'))
  .addOption(new Option('--threads <n>', 'DuckDB worker threads').default(undefined, 'number of cores').env('LAKEGATE_THREADS').argParser((v) => Number(v)))
  .addOption(new Option('--memory-limit <size>', 'DuckDB memory limit, e.g. 4GB').default(undefined, '80% of RAM').env('LAKEGATE_MEMORY_LIMIT'))
  .addOption(new Option('--max-connections <n>', 'maximum concurrent client connections').default(100).env('LAKEGATE_MAX_CONNECTIONS').argParser((v) => Number(v)))
  .addOption(new Option('--no-watch', 'do not reload the catalog when its file changes (SIGHUP still reloads)').env('LAKEGATE_NO_WATCH'))
  .action(async (opts: { catalog: string; host?: string; port?: number; logLevel: string; threads?: number; memoryLimit?: string; maxConnections: number; watch: boolean }) => {
    const logger = createLogger(opts.logLevel);
    try {
      const gateway = await Gateway.start({
        catalog: opts.catalog,
        host: opts.host,
        port: opts.port,
        logger,
        threads: opts.threads,
        memoryLimit: opts.memoryLimit,
        maxConnections: opts.maxConnections,
        watchCatalog: opts.watch,
      });
      process.on('SIGHUP', () => void gateway.reload('SIGHUP'));
      const stop = (): void => {
        logger.info('shutting down');
        void gateway.close().then(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    } catch (e) {
      if (e instanceof CatalogError) logger.fatal(`cannot start: the catalog has errors:\n${e.message}`);
      else logger.fatal(e, 'cannot start');
      setTimeout(() => process.exit(1), 100);
    }
  });

program
  .command('check-catalog')
  .description('validate a catalog without serving it; exits non-zero on errors')
  .argument('[dir]', 'catalog directory or catalog.yaml', path.join(PACKAGE_ROOT, 'catalog'))
  .action(async (dir: string) => {
    try {
      await ensureExampleLakeFor(dir, PACKAGE_ROOT, (m) => console.error(m));
      const c = await checkCatalog(dir);
      const tables = c.objects.filter((o) => o.kind !== 'view').length;
      const views = c.objects.length - tables;
      console.log(`${c.file}: OK (${c.schemas.length} schemas, ${tables} tables, ${views} views, ${c.users.length} users)`);
    } catch (e) {
      console.error(e instanceof Error ? e.message : String(e));
      process.exitCode = 1;
    }
  });

program
  .command('hash-password')
  .description('print a SCRAM-SHA-256 verifier for a password (read from stdin or prompted)')
  .option('--iterations <n>', 'PBKDF2 iterations', (v) => Number(v), 4096)
  .action(async (opts: { iterations: number }) => {
    const rl = createInterface({ input: process.stdin, output: process.stdin.isTTY ? process.stderr : undefined, terminal: process.stdin.isTTY });
    if (process.stdin.isTTY) process.stderr.write('Password: ');
    const password = await new Promise<string>((resolve) => rl.once('line', resolve));
    rl.close();
    console.log(hashPassword(password, opts.iterations));
  });

await program.parseAsync(process.argv);
