import { Command, Help, InvalidArgumentError, Option } from 'commander';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { checkCatalog } from './catalog/check.js';
import { ensureExampleLakeFor } from './catalog/example-lake.js';
import { CatalogError } from './catalog/load.js';
import { OptionError, optionHelp, SERVE_OPTIONS, type OptionSpec } from './config/options.js';
import { loadServeConfig, type GivenOptions } from './config/serve-config.js';
import { Gateway } from './gateway.js';
import { createLogger, type Logger } from './observability/logger.js';
import { hashPassword } from './server/auth/scram.js';
import { LAKEGATE_VERSION, PACKAGE_ROOT } from './version.js';

const program = new Command();
program.name('lakegate').description('PostgreSQL wire-protocol gateway over a Parquet lake and attached databases, executed in DuckDB').version(LAKEGATE_VERSION);

const specByAttribute = new Map<string, OptionSpec<unknown>>();
const defaultHelp = new Help();

const serve = program
  .command('serve')
  .description('serve a catalog over the PostgreSQL protocol (options: flag > environment > catalog server: > default)');
for (const spec of SERVE_OPTIONS as readonly OptionSpec<unknown>[]) {
  const option = new Option(spec.flag, spec.description).env(spec.env).argParser((raw: string) => {
    try {
      return spec.parse(raw);
    } catch (e) {
      throw new InvalidArgumentError(e instanceof Error ? e.message : String(e));
    }
  });
  specByAttribute.set(option.attributeName(), spec);
  serve.addOption(option);
}
serve.configureHelp({
  optionDescription: (option) => {
    const spec = specByAttribute.get(option.attributeName());
    return spec ? optionHelp(spec) : defaultHelp.optionDescription(option);
  },
});

program.addHelpText(
  'after',
  `\nOptions of "lakegate serve" (flag > environment > catalog server: > default):\n${(SERVE_OPTIONS as readonly OptionSpec<unknown>[])
    .map((o) => `  ${o.flag.padEnd(34)} ${optionHelp(o)}`)
    .join('\n')}\n`,
);

function exitAfterFlush(logger: Logger, code: number): void {
  logger.flush(() => process.exit(code));
  // a stuck transport must not keep the process alive
  setTimeout(() => process.exit(code), 2000).unref();
}

serve.action(async (_opts: Record<string, unknown>, cmd: Command) => {
  const given: GivenOptions = {};
  for (const [attr, spec] of specByAttribute) {
    const source = cmd.getOptionValueSource(attr);
    if (source === 'cli' || source === 'env') given[spec.key] = { value: cmd.getOptionValue(attr), source: source === 'cli' ? 'flag' : 'env' };
  }
  let config;
  let sources;
  try {
    ({ config, sources } = loadServeConfig(given));
  } catch (e) {
    console.error(`lakegate: ${e instanceof OptionError || e instanceof CatalogError ? e.message : String(e)}`);
    process.exit(2);
  }
  const logger = createLogger(config.logLevel, config.logFormat);
  logger.info({ event: 'config', sources, http_port: config.httpPort ? `${config.httpPort.host}:${config.httpPort.port}` : 'off', shutdown_grace_ms: config.shutdownGraceMs, replica_id: config.replicaId }, 'configuration');
  let gateway: Gateway;
  try {
    gateway = await Gateway.start({
      catalog: config.catalog!,
      host: config.host,
      port: config.port,
      logger,
      threads: config.threads,
      memoryLimit: config.memoryLimit,
      tempDirectory: config.tempDirectory,
      maxConnections: config.maxConnections,
      http: config.httpPort,
      httpRequired: sources.httpPort !== 'default',
      replicaId: config.replicaId,
      logMinDurationMs: config.logMinDuration,
      queryHistorySize: config.queryHistorySize,
      systemSchema: config.systemSchema,
      watchCatalog: config.watch,
      tlsConfig: {
        cert: config.tlsCert && path.resolve(config.tlsCert),
        key: config.tlsKey && path.resolve(config.tlsKey),
        required: config.tlsRequired,
        selfSigned: config.tlsSelfSigned,
      },
      statementTimeoutMs: config.statementTimeout,
      maxStatementTimeoutMs: config.maxStatementTimeout,
      idleSessionTimeoutMs: config.idleSessionTimeout,
      maxResultRows: config.maxResultRows,
      maxQuerySize: config.maxQuerySize,
      maxMessageSize: config.maxMessageSize,
    });
  } catch (e) {
    logger.fatal({ event: 'startup_failed', err: e instanceof CatalogError ? undefined : e }, e instanceof Error ? `cannot start: ${e.message}` : 'cannot start');
    exitAfterFlush(logger, 1);
    return;
  }
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn({ event: 'shutdown', phase: 'forced', signal }, `second ${signal}: exiting now`);
      gateway.abort();
      exitAfterFlush(logger, signal === 'SIGINT' ? 130 : 143);
      return;
    }
    stopping = true;
    logger.info({ event: 'signal', signal, grace_ms: config.shutdownGraceMs }, `received ${signal}: shutting down (a second signal exits at once)`);
    gateway.shutdown(config.shutdownGraceMs).then(
      () => exitAfterFlush(logger, 0),
      (e: unknown) => {
        logger.error({ event: 'shutdown_failed', err: e }, 'shutdown failed');
        exitAfterFlush(logger, 1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', () => void gateway.reload('SIGHUP'));
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
