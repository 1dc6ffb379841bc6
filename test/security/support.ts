import pg from 'pg';
import { exampleSchemas, startGateway, type TestGateway } from '../support/gateway.js';
import type { GatewayOptions } from '../../src/gateway.js';

/** Users of the security tests; every password is the user name. */
export const SECURITY_USERS = [
  // everything in lake, through a role
  { name: 'chief', password: 'chief', plaintext_password: true, roles: ['lake_readers'] },
  // zones fully; trips: four columns, January only, fare rounded
  {
    name: 'analyst',
    password: 'analyst',
    plaintext_password: true,
    grants: [
      { schema: 'lake', tables: ['zones'] },
      {
        schema: 'lake',
        tables: ['trips'],
        columns: ['trip_id', 'fare', 'payment_type', 'month'],
        row_filter: 'month = 1',
        column_masks: { fare: 'round(fare)' },
      },
    ],
  },
  // only payment types and the daily view
  { name: 'guest', password: 'guest', plaintext_password: true, grants: [{ schema: 'lake', tables: ['payment_types', 'daily_trips'] }] },
  // two roles on zones: every row with borough masked, Manhattan rows unmasked
  { name: 'regional', password: 'regional', plaintext_password: true, roles: ['zones_masked', 'manhattan'] },
  { name: 'nobody', password: 'nobody', plaintext_password: true, grants: [] },
  // an administrator: may run EXPLAIN ANALYZE
  { name: 'ops', password: 'ops', plaintext_password: true, roles: ['lake_readers'], admin: true },
];

export const SECURITY_ROLES = {
  lake_readers: { grants: [{ schema: 'lake' }] },
  zones_masked: { grants: [{ schema: 'lake', tables: ['zones'], column_masks: { borough: "'***'" } }] },
  manhattan: { grants: [{ schema: 'lake', tables: ['zones'], row_filter: "borough = 'Manhattan'" }] },
};

export function securityCatalog(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    database: 'lakegate',
    default_schema: 'lake',
    users: SECURITY_USERS,
    roles: SECURITY_ROLES,
    schemas: exampleSchemas(),
    views: { 'lake.daily_trips': 'SELECT CAST(pickup_at AS DATE) AS day, count(*) AS trips FROM lake.trips GROUP BY 1' },
    ...extra,
  };
}

export function startSecureGateway(opts: Partial<GatewayOptions> & { catalogDoc?: Record<string, unknown> } = {}): Promise<TestGateway> {
  return startGateway({ catalogDoc: securityCatalog(), ...opts });
}

/** Connects as a user (password = user name). */
export async function connect(gw: TestGateway, user: string, extra: Partial<pg.ClientConfig> = {}): Promise<pg.Client> {
  const client = new pg.Client({ host: '127.0.0.1', port: gw.port, user, password: user, database: 'lakegate', ...extra });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

export interface QueryError {
  code: string;
  message: string;
  detail?: string;
  hint?: string;
}

/** Runs a query expected to fail and returns the error fields. */
export async function failure(client: pg.Client, sql: string): Promise<QueryError> {
  try {
    await client.query(sql);
  } catch (e) {
    const err = e as pg.DatabaseError;
    return { code: err.code ?? '', message: err.message, detail: err.detail, hint: err.hint };
  }
  throw new Error(`expected an error from: ${sql}`);
}
