import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { POSTGRES_URL } from '../../support/gateway.js';

/** The machine's MariaDB (root, no password). */
export const MYSQL_URL = process.env.LAKEGATE_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';

/** A name no concurrent test run uses: lower case, suffixed with pid and randomness. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
}

export function pgUrl(database: string, base = POSTGRES_URL): string {
  const u = new URL(base);
  u.pathname = `/${database}`;
  return u.toString();
}

/** A scratch PostgreSQL database, dropped by `drop()`. */
export class PgDatabase {
  private constructor(
    readonly name: string,
    readonly url: string,
  ) {}

  static async create(prefix = 'lg_fed'): Promise<PgDatabase> {
    const name = uniqueName(prefix);
    const admin = new pg.Client(POSTGRES_URL);
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE "${name}"`);
    } finally {
      await admin.end();
    }
    return new PgDatabase(name, pgUrl(name));
  }

  /** Runs statements in this database. */
  async run(...sql: string[]): Promise<void> {
    const c = new pg.Client(this.url);
    await c.connect();
    try {
      for (const s of sql) await c.query(s);
    } finally {
      await c.end();
    }
  }

  async query<T extends pg.QueryResultRow = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    const c = new pg.Client(this.url);
    await c.connect();
    try {
      return (await c.query<T>(sql, params)).rows;
    } finally {
      await c.end();
    }
  }

  async drop(): Promise<void> {
    const admin = new pg.Client(POSTGRES_URL);
    await admin.connect();
    try {
      await admin.query(`DROP DATABASE IF EXISTS "${this.name}" WITH (FORCE)`);
    } finally {
      await admin.end();
    }
  }
}

/** A scratch MariaDB database, dropped by `drop()`. */
export class MysqlDatabase {
  private constructor(
    readonly name: string,
    readonly url: string,
  ) {}

  static async create(prefix = 'lg_fed'): Promise<MysqlDatabase> {
    const name = uniqueName(prefix);
    const c = await mysql.createConnection(MYSQL_URL);
    try {
      await c.query(`CREATE DATABASE \`${name}\``);
    } finally {
      await c.end();
    }
    return new MysqlDatabase(name, `${MYSQL_URL}/${name}`);
  }

  async run(...sql: string[]): Promise<void> {
    const c = await mysql.createConnection({ uri: this.url, multipleStatements: false });
    try {
      for (const s of sql) await c.query(s);
    } finally {
      await c.end();
    }
  }

  async query<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    const c = await mysql.createConnection({ uri: this.url, dateStrings: true, timezone: 'Z', supportBigNumbers: true, bigNumberStrings: true, jsonStrings: true });
    try {
      await c.query("SET time_zone = '+00:00'");
      const [rows] = await c.query(sql, params);
      return rows as T[];
    } finally {
      await c.end();
    }
  }

  async drop(): Promise<void> {
    const c = await mysql.createConnection(MYSQL_URL);
    try {
      await c.query(`DROP DATABASE IF EXISTS \`${this.name}\``);
    } finally {
      await c.end();
    }
  }
}

/** A scratch SQLite file in its own temporary directory. */
export class SqliteFile {
  readonly path: string;
  private constructor(readonly dir: string) {
    this.path = path.join(dir, 'source.db');
  }

  static create(): SqliteFile {
    return new SqliteFile(fs.mkdtempSync(path.join(os.tmpdir(), 'lakegate-sqlite-')));
  }

  run(...sql: string[]): void {
    const db = new Database(this.path);
    try {
      for (const s of sql) db.exec(s);
    } finally {
      db.close();
    }
  }

  drop(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
