import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { Gateway, type GatewayOptions } from '../../src/gateway.js';
import { silentLogger } from '../../src/observability/logger.js';

export const EXAMPLE_CATALOG = path.resolve('catalog');
export const EXAMPLE_LAKE = path.resolve('catalog/lake');

/** Test users, one per authentication method; every password is the user name. */
export const TEST_USERS = [
  { name: 'lakegate', password: 'SCRAM-SHA-256$4096:HxzESz6l4u33bBNDQYU9ew==$4+Y2iFvqWXyADACT5/4OG9f/KRCN9BeTiFgbtynKHyg=:GLDaAcZBV7cprx6OxJ15Mo+Ui93JsyIWndtTE0U3vYE=' },
  { name: 'scram_user', password: 'scram_user', method: 'scram-sha-256', plaintext_password: true },
  { name: 'md5_user', password: 'md5_user', method: 'md5', plaintext_password: true },
  { name: 'password_user', password: 'password_user', method: 'password', plaintext_password: true },
  { name: 'trust_user', method: 'trust' },
];

/** The example catalog's tables, with absolute paths, for catalogs written by tests. */
export function exampleSchemas(): Record<string, Record<string, unknown>> {
  return {
    lake: {
      trips: { parquet: path.join(EXAMPLE_LAKE, 'trips/**/*.parquet'), hive_partitioning: true, comment: 'One row per taxi trip' },
      zones: { parquet: path.join(EXAMPLE_LAKE, 'zones.parquet'), comment: 'Taxi zones' },
      payment_types: { csv: path.join(EXAMPLE_LAKE, 'payment_types.csv') },
    },
  };
}

/** Writes a catalog.yaml into a fresh temporary directory and returns the directory. */
export function writeCatalog(doc: Record<string, unknown>): string {
  const dir = fs.mkdtempSync(path.join(process.env.LAKEGATE_TEST_TMP ?? os.tmpdir(), 'lakegate-test-'));
  fs.writeFileSync(path.join(dir, 'catalog.yaml'), stringify(doc));
  return dir;
}

export interface TestGateway {
  gateway: Gateway;
  port: number;
  /** A connection URL for a user (password = user name, except lakegate/lakegate). */
  url(user?: string, database?: string): string;
  close(): Promise<void>;
}

/** Starts a gateway on an ephemeral port over the given catalog (default: example lake + test users). */
export async function startGateway(opts: Partial<GatewayOptions> & { catalogDoc?: Record<string, unknown> } = {}): Promise<TestGateway> {
  const catalog =
    opts.catalog ??
    writeCatalog(
      opts.catalogDoc ?? {
        database: 'lakegate',
        default_schema: 'lake',
        users: TEST_USERS,
        schemas: exampleSchemas(),
        views: { 'lake.daily_trips': 'SELECT CAST(pickup_at AS DATE) AS day, count(*) AS trips FROM lake.trips GROUP BY 1' },
      },
    );
  const gateway = await Gateway.start({ logger: silentLogger, ...opts, catalog, host: '127.0.0.1', port: 0 });
  const port = gateway.port;
  return {
    gateway,
    port,
    url: (user = 'lakegate', database = 'lakegate') => `postgresql://${user}:${user}@127.0.0.1:${port}/${database}`,
    close: () => gateway.close(),
  };
}

/** The machine's real PostgreSQL 15, the oracle for behaviour. */
export const POSTGRES_URL = process.env.LAKEGATE_TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
