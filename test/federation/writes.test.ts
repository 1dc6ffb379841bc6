import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleSchemas, startGateway, TEST_USERS, writeCatalog, type TestGateway } from '../support/gateway.js';
import { connect } from './support/compare.js';
import { MysqlDatabase, PgDatabase } from './support/sources.js';

interface Database {
  'crm.accounts': { id: number; name: string; balance: string; created: Date; tags: string[] | null };
  'shop.orders': { id: number; account_id: number; item: string; qty: number; note: string | null; placed: Date };
  'ro.accounts': { id: number; name: string };
  'crm.nopk': { a: number; b: string };
  'lake.zones': { zone_id: number; borough: string };
}

async function failure(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    return e as { code: string; message: string };
  }
  throw new Error('expected a failure');
}

/**
 * Writes to remote tables through lakegate with a real ORM (Kysely over the
 * PostgreSQL protocol): INSERT/SELECT/UPDATE/DELETE with RETURNING against a
 * PostgreSQL-backed and a MariaDB-backed table, client transactions mapped
 * onto the source's transaction, and the refusals (two sources, read-only
 * source, lake table) leaving nothing written anywhere.
 */
describe('writes to remote tables', () => {
  let crm: PgDatabase;
  let shop: MysqlDatabase;
  let gw: TestGateway;
  let db: Kysely<Database>;
  let pool: pg.Pool;

  beforeAll(async () => {
    [crm, shop] = await Promise.all([PgDatabase.create('lg_writes'), MysqlDatabase.create('lg_writes')]);
    await crm.run(
      `CREATE TABLE accounts (id serial PRIMARY KEY, name text NOT NULL, balance numeric(12,2) NOT NULL DEFAULT 0,
         created timestamptz NOT NULL DEFAULT now(), tags text[])`,
      'CREATE TABLE nopk (a int, b text)',
      `INSERT INTO nopk VALUES (1, 'one'), (2, 'two')`,
    );
    await shop.run(
      `CREATE TABLE orders (id int AUTO_INCREMENT PRIMARY KEY, account_id int NOT NULL, item varchar(50) NOT NULL, qty int NOT NULL DEFAULT 1,
         note text NULL, placed datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6))`,
    );
    gw = await startGateway({
      catalog: writeCatalog({
        database: 'lakegate',
        default_schema: 'lake',
        users: TEST_USERS,
        sources: {
          crm: { kind: 'postgres', url: crm.url, read_only: false },
          crm_ro: { kind: 'postgres', url: crm.url },
          shop: { kind: 'mysql', url: shop.url, read_only: false },
        },
        schemas: {
          ...exampleSchemas(),
          crm: { accounts: { source: 'crm' }, nopk: { source: 'crm' } },
          ro: { accounts: { source: 'crm_ro', table: 'accounts' } },
          shop: { orders: { source: 'shop' } },
        },
      }),
    });
    pool = new pg.Pool({ connectionString: gw.url(), max: 3 });
    pool.on('error', () => undefined);
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  }, 120_000);

  afterAll(async () => {
    await db?.destroy();
    await gw?.close();
    await Promise.allSettled([crm?.drop(), shop?.drop()]);
  });

  describe('Kysely CRUD on a PostgreSQL-backed table', () => {
    it('insert ... returning gives the values the source generated', async () => {
      const row = await db.insertInto('crm.accounts').values({ name: 'Ada', balance: '10.50', tags: ['a', 'b c'] }).returning(['id', 'created', 'balance', 'tags']).executeTakeFirstOrThrow();
      expect(row.id).toBeGreaterThan(0);
      expect(row.balance).toBe('10.50');
      expect(row.tags).toEqual(['a', 'b c']);
      const onSource = await crm.query<{ id: number; created: Date }>('SELECT id, created FROM accounts WHERE name = $1', ['Ada']);
      expect(onSource).toEqual([{ id: row.id, created: row.created }]);
    });

    it('select, update ... returning, delete ... returning', async () => {
      const { id } = await db.insertInto('crm.accounts').values({ name: 'Grace', balance: '1.00' }).returning('id').executeTakeFirstOrThrow();
      const read = await db.selectFrom('crm.accounts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      expect(read).toMatchObject({ id, name: 'Grace', balance: '1.00', tags: null });
      const updated = await db.updateTable('crm.accounts').set({ balance: sql`balance + 5`, name: 'Grace H.' }).where('id', '=', id).returning(['balance', 'name']).executeTakeFirstOrThrow();
      expect(updated).toEqual({ balance: '6.00', name: 'Grace H.' });
      // a WHERE the source cannot evaluate exactly goes by primary key
      const keyed = await db.updateTable('crm.accounts').set({ balance: '7.25' }).where(sql`length(name)`, '=', 8).where('id', '=', id).executeTakeFirst();
      expect(Number(keyed.numUpdatedRows)).toBe(1);
      expect((await crm.query<{ balance: string }>('SELECT balance FROM accounts WHERE id = $1', [id]))[0]!.balance).toBe('7.25');
      const deleted = await db.deleteFrom('crm.accounts').where('id', '=', id).returning(['id', 'name']).executeTakeFirstOrThrow();
      expect(deleted).toEqual({ id, name: 'Grace H.' });
      expect(await crm.query('SELECT 1 FROM accounts WHERE id = $1', [id])).toEqual([]);
    });

    it('multi-row insert with DEFAULT in some rows', async () => {
      const rows = await db
        .insertInto('crm.accounts')
        .values([{ name: 'm1' }, { name: 'm2', balance: '2.00' }])
        .returning(['name', 'balance'])
        .execute();
      expect(rows.sort((a, b) => a.name.localeCompare(b.name))).toEqual([
        { name: 'm1', balance: '0.00' },
        { name: 'm2', balance: '2.00' },
      ]);
    });
  });

  describe('Kysely CRUD on a MariaDB-backed table', () => {
    it('insert, select, update, delete with RETURNING', async () => {
      const ins = await db.insertInto('shop.orders').values({ account_id: 1, item: 'widget', qty: 2 }).returning(['id', 'qty', 'placed']).executeTakeFirstOrThrow();
      expect(ins.id).toBeGreaterThan(0);
      expect(ins.qty).toBe(2);
      expect(ins.placed).toBeInstanceOf(Date);
      await db.insertInto('shop.orders').values({ account_id: 1, item: 'WIDGET', qty: 9 }).execute();
      const read = await db.selectFrom('shop.orders').select(['item', 'qty', 'note']).where('id', '=', ins.id).executeTakeFirstOrThrow();
      expect(read).toEqual({ item: 'widget', qty: 2, note: null });
      // MariaDB compares 'widget' = 'WIDGET' as equal; lakegate compares bytes, as PostgreSQL does
      const upd = await db.updateTable('shop.orders').set({ qty: sql`qty * 10`, note: 'bulk' }).where('item', '=', 'widget').returning(['id', 'qty', 'note']).execute();
      expect(upd).toEqual([{ id: ins.id, qty: 20, note: 'bulk' }]);
      const upper = await shop.query<{ qty: number }>('SELECT qty FROM orders WHERE item = BINARY ?', ['WIDGET']);
      expect(upper).toEqual([{ qty: 9 }]);
      const del = await db.deleteFrom('shop.orders').where('item', '=', 'WIDGET').returning(['item']).execute();
      expect(del).toEqual([{ item: 'WIDGET' }]);
      const left = await shop.query<{ item: string }>('SELECT item FROM orders');
      expect(left).toEqual([{ item: 'widget' }]);
    });

    it('INSERT ... SELECT from the lake into MariaDB', async () => {
      const c = await connect(gw.url());
      const r = await c.query(`INSERT INTO shop.orders (account_id, item, qty) SELECT zone_id, borough, zone_id * 2 FROM lake.zones WHERE zone_id <= 5`);
      expect(r.command).toBe('INSERT');
      expect(r.rowCount).toBe(5);
      const rows = await shop.query<{ account_id: number; qty: number }>('SELECT account_id, qty FROM orders WHERE account_id <= 5 AND item <> ? ORDER BY account_id', ['widget']);
      expect(rows.map((x) => [x.account_id, x.qty])).toEqual([
        [1, 2],
        [2, 4],
        [3, 6],
        [4, 8],
        [5, 10],
      ]);
      await c.end();
    });
  });

  describe('transactions', () => {
    it('commit and rollback map onto the source transaction; reads see the transaction\'s own writes', async () => {
      await db.transaction().execute(async (trx) => {
        await trx.insertInto('crm.accounts').values({ name: 'tx-commit' }).execute();
        const seen = await trx.selectFrom('crm.accounts').select('name').where('name', '=', 'tx-commit').execute();
        expect(seen).toEqual([{ name: 'tx-commit' }]);
        // not yet visible outside the transaction
        expect(await crm.query('SELECT 1 FROM accounts WHERE name = $1', ['tx-commit'])).toEqual([]);
      });
      expect(await crm.query('SELECT name FROM accounts WHERE name = $1', ['tx-commit'])).toEqual([{ name: 'tx-commit' }]);
      await expect(
        db.transaction().execute(async (trx) => {
          await trx.insertInto('shop.orders').values({ account_id: 77, item: 'tx-rollback' }).execute();
          throw new Error('abort');
        }),
      ).rejects.toThrow('abort');
      expect(await shop.query('SELECT 1 FROM orders WHERE item = ?', ['tx-rollback'])).toEqual([]);
      expect(gw.gateway.federation.busyConnections()).toBe(0);
    });

    it('a transaction writing to two sources is refused and nothing is written anywhere', async () => {
      const e = await failure(
        db.transaction().execute(async (trx) => {
          await trx.insertInto('crm.accounts').values({ name: 'two-sources' }).execute();
          await trx.insertInto('shop.orders').values({ account_id: 1, item: 'two-sources' }).execute();
        }),
      );
      expect(e.code).toBe('0A000');
      expect(e.message).toContain('more than one source');
      expect(await crm.query('SELECT 1 FROM accounts WHERE name = $1', ['two-sources'])).toEqual([]);
      expect(await shop.query('SELECT 1 FROM orders WHERE item = ?', ['two-sources'])).toEqual([]);
    });

    it('writes to a read-only source or a lake table are refused (25006), also inside a transaction', async () => {
      const ro = await failure(db.insertInto('ro.accounts').values({ name: 'nope' }).execute());
      expect(ro.code).toBe('25006');
      const lake = await failure(db.insertInto('lake.zones').values({ zone_id: 999, borough: 'x' }).execute());
      expect(lake.code).toBe('25006');
      const mixed = await failure(
        db.transaction().execute(async (trx) => {
          await trx.insertInto('crm.accounts').values({ name: 'with-lake' }).execute();
          await trx.deleteFrom('lake.zones').where('zone_id', '=', 1).execute();
        }),
      );
      expect(mixed.code).toBe('25006');
      expect(await crm.query('SELECT 1 FROM accounts WHERE name = ANY($1)', [['nope', 'with-lake']])).toEqual([]);
      const c = await connect(gw.url());
      expect((await c.query('SELECT count(*) AS n FROM lake.zones')).rows[0].n).toBe('265');
      await c.end();
    });

    it('a read-only client transaction refuses remote writes', async () => {
      const c = await connect(gw.url());
      await c.query('BEGIN READ ONLY');
      const e = await failure(c.query(`INSERT INTO crm.accounts (name) VALUES ('ro-tx')`));
      expect(e.code).toBe('25006');
      await c.query('ROLLBACK');
      await c.end();
    });
  });

  describe('command tags and limits', () => {
    it('UPDATE and DELETE report the rows the source changed', async () => {
      const c = await connect(gw.url());
      await c.query(`INSERT INTO crm.accounts (name) VALUES ('zz1'), ('zz2'), ('zz3')`);
      const u = await c.query(`UPDATE crm.accounts SET balance = 3 WHERE name LIKE 'zz%'`);
      expect([u.command, u.rowCount]).toEqual(['UPDATE', 3]);
      const d = await c.query(`DELETE FROM crm.accounts WHERE name IN ('zz1', 'zz2')`);
      expect([d.command, d.rowCount]).toEqual(['DELETE', 2]);
      const p = await c.query('UPDATE crm.accounts SET balance = balance + $1::numeric WHERE name = $2', ['0.5', 'zz3']);
      expect(p.rowCount).toBe(1);
      expect((await crm.query<{ balance: string }>(`SELECT balance FROM accounts WHERE name = 'zz3'`))[0]!.balance).toBe('3.50');
      await c.end();
    });

    it('a table without a primary key takes only statements that translate exactly', async () => {
      const c = await connect(gw.url());
      expect((await c.query(`UPDATE crm.nopk SET b = 'uno' WHERE a = 1`)).rowCount).toBe(1);
      const e = await failure(c.query(`UPDATE crm.nopk SET b = upper(b) WHERE a = 2`));
      expect(e.code).toBe('0A000');
      expect(e.message).toContain('primary key');
      expect(await crm.query('SELECT a, b FROM nopk ORDER BY a')).toEqual([
        { a: 1, b: 'uno' },
        { a: 2, b: 'two' },
      ]);
      await c.end();
    });
  });
});
