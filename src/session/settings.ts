import { PgError, SqlState } from '../errors.js';
import { resolveTimeZone } from '../types/timezone.js';
import pgSettings from './data/pg-settings.json' with { type: 'json' };

export interface SettingDefinition {
  name: string;
  setting: string;
  unit: string | null;
  category: string;
  short_desc: string;
  context: string;
  vartype: string;
  min_val: string | null;
  max_val: string | null;
  enumvals: string[] | null;
}

/** PostgreSQL 15's settings (pg_settings), keyed by lower-case name. */
const definitions = new Map<string, SettingDefinition>();
for (const d of pgSettings as SettingDefinition[]) definitions.set(d.name.toLowerCase(), d);

export function settingDefinition(name: string): SettingDefinition | undefined {
  return definitions.get(name.toLowerCase());
}

export function allSettingDefinitions(): SettingDefinition[] {
  return [...definitions.values()];
}

/** Settings PostgreSQL reports with ParameterStatus whenever they change (GUC_REPORT). */
export const REPORTED = [
  'application_name',
  'client_encoding',
  'DateStyle',
  'default_transaction_read_only',
  'in_hot_standby',
  'integer_datetimes',
  'IntervalStyle',
  'is_superuser',
  'server_encoding',
  'server_version',
  'session_authorization',
  'standard_conforming_strings',
  'TimeZone',
] as const;

const reportedLower = new Set(REPORTED.map((n) => n.toLowerCase()));

export interface ServerIdentity {
  serverVersion: string;
  serverVersionNum: string;
  user: string;
  timeZone: string;
}

/** Values that differ from the PostgreSQL boot defaults for a lakegate server. */
function overrides(id: ServerIdentity): Record<string, string> {
  return {
    server_version: id.serverVersion,
    server_version_num: id.serverVersionNum,
    server_encoding: 'UTF8',
    client_encoding: 'UTF8',
    timezone: id.timeZone,
    log_timezone: id.timeZone,
    session_authorization: id.user,
    is_superuser: 'off',
    integer_datetimes: 'on',
    standard_conforming_strings: 'on',
    datestyle: 'ISO, MDY',
    intervalstyle: 'postgres',
    default_transaction_isolation: 'read committed',
    transaction_isolation: 'read committed',
    transaction_read_only: 'off',
    lc_collate: 'C.UTF-8',
    lc_ctype: 'C.UTF-8',
    max_connections: '100',
    role: 'none',
    search_path: '"$user", public',
    application_name: '',
  };
}

const TIME_UNITS: [string, number][] = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['min', 60_000],
  ['s', 1000],
  ['ms', 1],
  ['us', 0.001],
];
const MEMORY_UNITS: [string, number][] = [
  ['TB', 1024 ** 4],
  ['GB', 1024 ** 3],
  ['MB', 1024 ** 2],
  ['kB', 1024],
  ['B', 1],
];

function unitTable(unit: string): [string, number][] | null {
  if (['ms', 's', 'min'].includes(unit)) return TIME_UNITS;
  if (['kB', 'MB', '8kB', 'B'].includes(unit)) return MEMORY_UNITS;
  return null;
}

function unitFactor(unit: string, table: [string, number][]): number {
  if (unit === '8kB') return 8192;
  return table.find(([u]) => u === unit)?.[1] ?? 1;
}

/** Parses "5s", "100", "1min" for a setting whose base unit is `unit`; returns base units. */
function parseWithUnit(name: string, raw: string, unit: string): number {
  const table = unitTable(unit)!;
  const m = /^\s*(-?\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(raw);
  if (!m) throw invalidValue(name, raw);
  const value = Number(m[1]);
  if (!m[2]) return Math.round(value);
  const u = table.find(([x]) => x === m[2]);
  if (!u) throw new PgError(SqlState.InvalidParameterValue, `invalid value for parameter "${name}": "${raw}"`, { hint: `Valid units for this parameter are ${table.map(([x]) => `"${x}"`).join(', ')}.` });
  return Math.round((value * u[1]) / unitFactor(unit, table));
}

/** Formats base units the way SHOW does: the largest unit that divides evenly. */
function formatWithUnit(value: number, unit: string): string {
  const table = unitTable(unit)!;
  if (value === 0 || value === -1) return String(value);
  const bytes = value * unitFactor(unit, table);
  for (const [u, f] of table) {
    if (f >= unitFactor(unit, table) && bytes % f === 0) return `${bytes / f}${u}`;
  }
  return `${value}${unit}`;
}

function invalidValue(name: string, raw: string): PgError {
  return new PgError(SqlState.InvalidParameterValue, `invalid value for parameter "${name}": "${raw}"`);
}

function parseBool(name: string, raw: string): string {
  const v = raw.trim().toLowerCase();
  if (['on', 'true', 'yes', '1', 't', 'y'].includes(v)) return 'on';
  if (['off', 'false', 'no', '0', 'f', 'n'].includes(v)) return 'off';
  throw new PgError(SqlState.InvalidParameterValue, `parameter "${name}" requires a Boolean value`);
}

/** Checks and normalizes a value the way PostgreSQL would store it. */
export function normalizeSetting(def: SettingDefinition, raw: string): string {
  const name = def.name;
  switch (name.toLowerCase()) {
    case 'timezone': {
      if (!resolveTimeZone(raw)) throw new PgError(SqlState.InvalidParameterValue, `invalid value for parameter "TimeZone": "${raw}"`);
      return raw;
    }
    case 'client_encoding': {
      // PostgreSQL ignores everything but letters and digits in encoding names (asyncpg sends 'utf-8' with the quotes)
      const v = raw.toUpperCase().replace(/[^A-Z0-9]/g, '');
      if (v === 'UTF8' || v === 'UNICODE') return 'UTF8';
      throw new PgError(SqlState.FeatureNotSupported, `client_encoding "${raw}" is not supported: lakegate speaks UTF8 only`);
    }
    case 'datestyle': {
      const parts = raw.split(',').map((p) => p.trim().toUpperCase());
      const styles = parts.filter((p) => ['ISO', 'SQL', 'POSTGRES', 'GERMAN'].includes(p));
      const orders = parts.filter((p) => ['MDY', 'DMY', 'YMD', 'US', 'EURO', 'EUROPEAN', 'NONEURO', 'NONEUROPEAN'].includes(p));
      if (styles.length + orders.length !== parts.length) throw invalidValue('DateStyle', raw);
      if (styles.some((s) => s !== 'ISO')) throw new PgError(SqlState.FeatureNotSupported, `DateStyle "${raw}" is not supported: lakegate prints dates in ISO style`);
      const order = orders[0] ?? 'MDY';
      const norm = order === 'US' || order.startsWith('NONEURO') ? 'MDY' : order.startsWith('EURO') ? 'DMY' : order;
      return `ISO, ${norm}`;
    }
    case 'intervalstyle':
      if (raw.toLowerCase() !== 'postgres') throw new PgError(SqlState.FeatureNotSupported, `IntervalStyle "${raw}" is not supported: lakegate prints intervals in postgres style`);
      return 'postgres';
    default:
      break;
  }
  switch (def.vartype) {
    case 'bool':
      return parseBool(name, raw);
    case 'integer':
    case 'real': {
      let n: number;
      if (def.unit && unitTable(def.unit)) n = parseWithUnit(name, raw, def.unit);
      else {
        n = Number(raw);
        if (raw.trim() === '' || Number.isNaN(n)) {
          throw new PgError(SqlState.InvalidParameterValue, `invalid value for parameter "${name}": "${raw}"`);
        }
        if (def.vartype === 'integer') n = Math.round(n);
      }
      const min = def.min_val === null ? -Infinity : Number(def.min_val);
      const max = def.max_val === null ? Infinity : Number(def.max_val);
      if (n < min || n > max) {
        throw new PgError(SqlState.InvalidParameterValue, `${n} is outside the valid range for parameter "${name}" (${def.min_val} .. ${def.max_val})`);
      }
      return def.unit && unitTable(def.unit) ? formatWithUnit(n, def.unit) : String(n);
    }
    case 'enum': {
      const v = raw.toLowerCase();
      const hit = def.enumvals?.find((e) => e.toLowerCase() === v);
      if (!hit) {
        throw new PgError(SqlState.InvalidParameterValue, `invalid value for parameter "${name}": "${raw}"`, {
          hint: def.enumvals ? `Available values: ${def.enumvals.join(', ')}.` : undefined,
        });
      }
      return hit;
    }
    default:
      return raw;
  }
}

/** A value in base units (pg_settings.setting, boot values) as SHOW prints it ("4096" kB → "4MB"). */
export function displayValue(def: SettingDefinition, base: string): string {
  if (!def.unit || !unitTable(def.unit) || !/^-?\d+(\.\d+)?$/.test(base)) return base;
  return formatWithUnit(Number(base), def.unit);
}

/** A value as SET stores it ("64MB") in the setting's base units, as pg_settings.setting shows it ("65536"). */
export function baseValue(def: SettingDefinition, value: string): string {
  if (!def.unit || !unitTable(def.unit)) return value;
  try {
    return String(parseWithUnit(def.name, value, def.unit));
  } catch {
    return value;
  }
}

/** Milliseconds for a time-valued setting such as statement_timeout ("5s" → 5000). */
export function settingMillis(value: string): number {
  const m = /^(-?\d+(?:\.\d+)?)([a-z]*)$/i.exec(value.trim());
  if (!m) return 0;
  const unit = TIME_UNITS.find(([u]) => u === m[2]);
  return Number(m[1]) * (unit ? unit[1] : 1);
}

/**
 * The per-session setting store (what SET, SHOW, RESET and current_setting
 * see). SET inside a transaction is undone by ROLLBACK, and SET LOCAL lasts
 * until the end of the transaction, as in PostgreSQL.
 */
export class SessionSettings {
  private readonly defaults = new Map<string, string>();
  private values = new Map<string, string>();
  private custom = new Map<string, string>();
  private txnSnapshot: { values: Map<string, string>; custom: Map<string, string> } | null = null;
  private localSnapshot: { values: Map<string, string>; custom: Map<string, string> } | null = null;
  private readonly changed = new Set<string>();
  /** Bumped on every change, so copies of the settings (the catalog emulation's) know when to refresh. */
  version = 0;

  constructor(identity: ServerIdentity) {
    const o = overrides(identity);
    for (const [key, def] of definitions) this.defaults.set(key, o[key] ?? displayValue(def, def.setting));
    for (const [key, v] of Object.entries(o)) if (!this.defaults.has(key)) this.defaults.set(key, v);
  }

  /** Sets a startup value (from the startup packet); it becomes the RESET value. */
  setDefault(name: string, value: string): void {
    const def = settingDefinition(name);
    const key = name.toLowerCase();
    if (!def) {
      if (key.includes('.')) this.defaults.set(key, value);
      return;
    }
    this.defaults.set(key, normalizeSetting(def, value));
    this.version++;
  }

  get(name: string): string | undefined {
    const key = name.toLowerCase();
    return this.custom.get(key) ?? this.values.get(key) ?? this.defaults.get(key);
  }

  /** Canonical spelling of a setting name, as SHOW's column header uses it. */
  canonicalName(name: string): string {
    return settingDefinition(name)?.name ?? name.toLowerCase();
  }

  /** Validates and applies SET; `inTransaction` decides whether ROLLBACK can undo it. */
  set(name: string, value: string | null, local: boolean): void {
    const key = name.toLowerCase();
    const def = settingDefinition(key);
    if (!def && !key.includes('.')) {
      throw new PgError(SqlState.UndefinedObject, `unrecognized configuration parameter "${name}"`);
    }
    if (def) checkSettable(def);
    if (local) this.localSnapshot ??= this.snapshot();
    if (value === null) {
      if (def) this.values.delete(key);
      else this.custom.delete(key);
    } else if (def) {
      this.values.set(key, normalizeSetting(def, value));
    } else {
      this.custom.set(key, value);
    }
    if (reportedLower.has(key)) this.changed.add(def?.name ?? key);
    this.version++;
  }

  reset(name: string): void {
    if (name === 'all') {
      for (const key of this.values.keys()) if (reportedLower.has(key)) this.changed.add(settingDefinition(key)!.name);
      this.values = new Map();
      this.custom = new Map();
      this.version++;
      return;
    }
    this.set(name, null, false);
  }

  private snapshot(): { values: Map<string, string>; custom: Map<string, string> } {
    return { values: new Map(this.values), custom: new Map(this.custom) };
  }

  private restore(s: { values: Map<string, string>; custom: Map<string, string> }): void {
    for (const key of new Set([...this.values.keys(), ...s.values.keys()])) {
      if (reportedLower.has(key) && this.values.get(key) !== s.values.get(key)) this.changed.add(settingDefinition(key)!.name);
    }
    this.values = s.values;
    this.custom = s.custom;
    this.version++;
  }

  beginTransaction(): void {
    this.txnSnapshot = this.snapshot();
    this.localSnapshot = null;
  }

  /** At COMMIT: session-level SETs stay, SET LOCAL values are dropped. */
  commitTransaction(): void {
    if (this.localSnapshot) {
      // undo only what SET LOCAL changed: restore the pre-LOCAL state of those keys
      this.restore(this.localSnapshot);
    }
    this.txnSnapshot = null;
    this.localSnapshot = null;
  }

  rollbackTransaction(): void {
    if (this.txnSnapshot) this.restore(this.txnSnapshot);
    this.txnSnapshot = null;
    this.localSnapshot = null;
  }

  /** Names of reported settings changed since the last call (for ParameterStatus). */
  takeChanged(): string[] {
    const out = [...this.changed];
    this.changed.clear();
    return out;
  }

  /** Every setting with its current value, for SHOW ALL and pg_settings. */
  all(): { name: string; setting: string; description: string }[] {
    const rows = allSettingDefinitions().map((d) => ({ name: d.name, setting: this.get(d.name) ?? d.setting, description: d.short_desc }));
    for (const [key, v] of this.custom) rows.push({ name: key, setting: v, description: '' });
    return rows.sort((a, b) => a.name.toLowerCase().localeCompare(b.name.toLowerCase()));
  }
}

function checkSettable(def: SettingDefinition): void {
  switch (def.context) {
    case 'user':
      return;
    case 'internal':
      throw new PgError(SqlState.CantChangeRuntimeParam, `parameter "${def.name}" cannot be changed`);
    case 'postmaster':
      throw new PgError(SqlState.CantChangeRuntimeParam, `parameter "${def.name}" cannot be changed without restarting the server`);
    case 'sighup':
      throw new PgError(SqlState.CantChangeRuntimeParam, `parameter "${def.name}" cannot be changed now`);
    case 'backend':
    case 'superuser-backend':
      throw new PgError(SqlState.CantChangeRuntimeParam, `parameter "${def.name}" cannot be set after connection start`);
    case 'superuser':
      // accepted and remembered: lakegate sessions may set what a PostgreSQL superuser may (it changes nothing underneath)
      return;
    default:
      return;
  }
}
