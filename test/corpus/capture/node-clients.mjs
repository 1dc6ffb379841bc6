// Drives Kysely's PostgreSQL introspector and postgres.js (with its start-up
// array-type fetch) so their catalog queries land in the capture log.
// Usage: node node-clients.mjs <postgresql-url>
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import postgres from 'postgres';

const url = process.argv[2];
const db = new Kysely({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, application_name: 'kysely-probe', max: 1 }) }) });
console.log(JSON.stringify(await db.introspection.getSchemas()));
console.log(JSON.stringify((await db.introspection.getTables({ withInternalKyselyTables: false })).map((t) => `${t.schema}.${t.name}`)));
await db.destroy();

const sql = postgres(url, { connection: { application_name: 'postgresjs-probe' }, max: 1 });
console.log(JSON.stringify(await sql`SELECT zone_id, borough FROM lake.zones WHERE zone_id = ${1}`));
console.log(JSON.stringify(await sql`SELECT ${[1, 2]}::int[] AS a`));
await sql.end();
