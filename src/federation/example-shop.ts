import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';

/** Bump when the generated data changes, so an old file is regenerated. */
const VERSION = 1;

/**
 * Writes the example catalog's SQLite database (`shop`): customers who live
 * in the lake's taxi zones and the trips they took, so a newcomer can join
 * lake and database tables in their first minute. Deterministic; skipped
 * when a file of the current version is already there. Not committed: it is
 * generated at first start, like the example lake.
 */
export function ensureExampleShop(file: string, log: (msg: string) => void = () => {}): boolean {
  if (fs.existsSync(file)) {
    try {
      const db = new Database(file, { readonly: true });
      const v = db.pragma('user_version', { simple: true });
      db.close();
      if (v === VERSION) return false;
    } catch {
      /* not a database of ours: regenerate */
    }
  }
  log(`generating the example shop database ${file}`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  fs.rmSync(tmp, { force: true });
  const db = new Database(tmp);
  try {
    db.exec(`
      CREATE TABLE customers (
        customer_id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        email TEXT,
        home_zone_id INTEGER NOT NULL,
        tier TEXT NOT NULL,
        signup_date DATE NOT NULL
      );
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)
      INSERT INTO customers
      SELECT i, 'Customer ' || printf('%04d', i),
             CASE WHEN i % 17 = 0 THEN NULL ELSE 'customer' || i || '@example.com' END,
             1 + (i * 37) % 265,
             CASE WHEN i % 10 = 0 THEN 'gold' WHEN i % 3 = 0 THEN 'silver' ELSE 'standard' END,
             date('2020-01-01', '+' || ((i * 7) % 1400) || ' days')
      FROM n;

      CREATE TABLE rides (
        trip_id INTEGER PRIMARY KEY,
        customer_id INTEGER NOT NULL REFERENCES customers (customer_id),
        rating INTEGER
      );
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50000)
      INSERT INTO rides
      SELECT i * 20, 1 + (i * 7919) % 1000, CASE WHEN i % 5 = 0 THEN NULL ELSE 1 + i % 5 END
      FROM n;
    `);
    db.pragma(`user_version = ${VERSION}`);
  } finally {
    db.close();
  }
  fs.renameSync(tmp, file);
  return true;
}
