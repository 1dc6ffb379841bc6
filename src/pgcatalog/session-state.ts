import type { EngineConnection } from '../engine/connection.js';
import { allSettingDefinitions, baseValue, SessionSettings, settingDefinition, type SettingDefinition } from '../session/settings.js';
import { PG_SERVER_VERSION, PG_SERVER_VERSION_NUM } from '../version.js';
import { sqlString } from './names.js';

/**
 * Per-connection state the catalog emulation reads inside DuckDB. DuckDB
 * TEMP tables belong to one connection, so every session has its own:
 *
 * - `lakegate_session(name, setting)`: the session's settings that differ
 *   from the server defaults, plus its identity (`lakegate.user`,
 *   `lakegate.backend_pid`, ...). current_setting(), pg_settings,
 *   current_user and current_schema() read it. (DuckDB's getvariable() is
 *   folded into prepared statements, so it cannot carry values that change.)
 * - `lakegate_visible(schema_name, table_name)`: the visibility hook. Every
 *   emulated catalog shows only objects matched by a row; '*' matches all.
 *   Until grants exist the row ('*', '*') makes everything visible; a security
 *   layer replaces the rows with what the connected user may see
 *   (`setVisibleObjects`).
 */
export async function createSessionTables(conn: EngineConnection): Promise<void> {
  await conn.run('CREATE TEMP TABLE IF NOT EXISTS lakegate_session (name VARCHAR, setting VARCHAR, base VARCHAR)');
  await conn.run('CREATE TEMP TABLE IF NOT EXISTS lakegate_visible (schema_name VARCHAR, table_name VARCHAR)');
  const rows = await conn.rows('SELECT count(*)::INTEGER AS n FROM temp.main.lakegate_visible');
  if (Number(rows[0]?.n ?? 0) === 0) await conn.run("INSERT INTO temp.main.lakegate_visible VALUES ('*', '*')");
}

/**
 * Replaces what catalog queries on this connection may see: (schema, table)
 * pairs, '*' for any. For the security layer; the default shows everything.
 */
export async function setVisibleObjects(conn: EngineConnection, objects: { schema: string; table: string }[]): Promise<void> {
  await conn.run('DELETE FROM temp.main.lakegate_visible');
  if (objects.length === 0) return;
  await conn.run(`INSERT INTO temp.main.lakegate_visible VALUES ${objects.map((o) => `(${sqlString(o.schema)}, ${sqlString(o.table)})`).join(', ')}`);
}

export interface BootSetting extends SettingDefinition {
  /** The value a new session starts with on lakegate (PostgreSQL's boot value with lakegate's overrides). */
  value: string;
}

let boot: BootSetting[] | null = null;
let bootByName: Map<string, string> | null = null;

/** Every PostgreSQL setting with the value a lakegate session starts with. */
export function bootSettings(): BootSetting[] {
  if (!boot) {
    const s = new SessionSettings({ serverVersion: PG_SERVER_VERSION, serverVersionNum: PG_SERVER_VERSION_NUM, user: '', timeZone: 'UTC' });
    boot = allSettingDefinitions().map((d) => ({ ...d, value: s.get(d.name) ?? d.setting }));
    bootByName = new Map(boot.map((b) => [b.name.toLowerCase(), b.value]));
  }
  return boot;
}

export interface SessionIdentityValues {
  user: string;
  processId: number;
  remoteAddress: string;
  startedAt: Date;
}

/** Keeps one connection's `lakegate_session` table in step with the session's settings. */
export class PgSessionState {
  private syncedVersion = -1;
  private syncedInTransaction = false;
  private started = false;

  constructor(
    private readonly conn: EngineConnection,
    private readonly settings: SessionSettings,
    private readonly identity: SessionIdentityValues,
  ) {}

  /** Creates the connection's tables; call once when the session starts. */
  async start(): Promise<void> {
    if (this.started) return;
    await createSessionTables(this.conn);
    this.started = true;
  }

  /**
   * Writes the settings into DuckDB when they changed since the last write.
   * A write made inside a transaction may be rolled back with it, so it is
   * repeated after the transaction.
   */
  async sync(inTransaction: boolean): Promise<void> {
    if (this.syncedVersion === this.settings.version && !this.syncedInTransaction) return;
    // tables created inside a transaction that was rolled back are gone: create them again if needed
    if (this.syncedInTransaction) this.started = false;
    await this.start();
    bootSettings();
    const rows: [string, string, string][] = [
      ['lakegate.user', this.identity.user, this.identity.user],
      ['lakegate.backend_pid', String(this.identity.processId), String(this.identity.processId)],
      ['lakegate.client_addr', this.identity.remoteAddress, this.identity.remoteAddress],
      ['lakegate.backend_start', this.identity.startedAt.toISOString(), this.identity.startedAt.toISOString()],
    ];
    for (const r of this.settings.all()) {
      const key = r.name.toLowerCase();
      if (bootByName!.get(key) === r.setting) continue;
      const def = settingDefinition(key);
      rows.push([key, r.setting, def ? baseValue(def, r.setting) : r.setting]);
    }
    await this.conn.run('DELETE FROM temp.main.lakegate_session');
    await this.conn.run(`INSERT INTO temp.main.lakegate_session VALUES ${rows.map((r) => `(${r.map(sqlString).join(', ')})`).join(', ')}`);
    this.syncedVersion = this.settings.version;
    this.syncedInTransaction = inTransaction;
  }
}
