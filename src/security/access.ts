import { INTERNAL_SCHEMA, quoteIdent } from '../catalog/install.js';
import type { UserSpec } from '../config/users.js';
import type { RelationDirectory, RelationInfo } from './directory.js';
import type { GrantSpec, RoleSpec } from './model.js';
import { reservedSchema, SYSTEM_SCHEMAS } from './sandbox.js';

export class AccessConfigError extends Error {}

/** One grant as it applies to one relation. */
interface Applied {
  /** Visible columns (lower-case), or null for all. */
  columns: Set<string> | null;
  rowFilter?: string;
  /** Lower-case column → mask expression. */
  masks: Map<string, string>;
  /** Who granted it, for error messages. */
  from: string;
}

/** What a user may read of one relation. */
export interface TableAccess {
  schema: string;
  name: string;
  /** Visible columns in table order. */
  columns: string[];
  /** Whether every column is visible. */
  allColumns: boolean;
  /** The per-user view that applies column grants, row filters and masks; undefined when the table is read as is. */
  secureView?: string;
}

export interface VisibleObject {
  schema: string;
  table: string;
  /** Visible columns; null when every column is visible. */
  columns: string[] | null;
}

export interface SecureView {
  name: string;
  sql: string;
}

interface NormalizedGrant {
  schema: string;
  tables: '*' | Set<string>;
  spec: GrantSpec;
  from: string;
}

function secureViewName(user: string, rel: RelationInfo): string {
  return `secure:${user}:${rel.schema}.${rel.name}`;
}

const paren = (e: string): string => `(${e})`;

/**
 * The SQL of a secure view: a column is shown when any grant shows it, as the
 * value where an unmasked grant's row filter holds, else its mask; rows are
 * those any grant's filter admits. Returns null when the user reads the table as is.
 */
function secureViewSql(rel: RelationInfo, applied: Applied[]): { sql: string | null; columns: string[] } {
  const columns = rel.columns.filter((c) => applied.some((a) => a.columns === null || a.columns.has(c.toLowerCase())));
  const allColumns = columns.length === rel.columns.length;
  const unfiltered = applied.some((a) => !a.rowFilter);
  let restricted = !allColumns || !unfiltered;
  const exprs = columns.map((c) => {
    const key = c.toLowerCase();
    const ref = quoteIdent(c);
    const showing = applied.filter((a) => a.columns === null || a.columns.has(key));
    // most privileged first: unmasked before masked, unfiltered last (it is the ELSE)
    const branches = [...showing].sort((x, y) => Number(x.masks.has(key)) - Number(y.masks.has(key)));
    const plainAll = branches.find((a) => !a.rowFilter && !a.masks.has(key));
    if (plainAll) return ref;
    restricted = true;
    const elseBranch = branches.find((a) => !a.rowFilter);
    const whens = branches.filter((a) => a.rowFilter).map((a) => `WHEN ${paren(a.rowFilter!)} THEN ${a.masks.has(key) ? paren(a.masks.get(key)!) : ref}`);
    const elseExpr = elseBranch ? (elseBranch.masks.has(key) ? paren(elseBranch.masks.get(key)!) : ref) : 'NULL';
    const value = whens.length === 0 ? elseExpr : `CASE ${whens.join(' ')} ELSE ${elseExpr} END`;
    return `${value} AS ${ref}`;
  });
  if (!restricted) return { sql: null, columns };
  const where = unfiltered ? '' : ` WHERE ${applied.map((a) => paren(a.rowFilter!)).join(' OR ')}`;
  return { sql: `SELECT ${exprs.join(', ')} FROM ${quoteIdent(rel.schema)}.${quoteIdent(rel.name)}${where}`, columns };
}

/** What one user may read, derived from its grants and its roles' grants. */
export class UserAccess {
  private readonly cache = new Map<string, TableAccess | null>();

  constructor(
    readonly user: string,
    private readonly grants: NormalizedGrant[],
    private readonly directory: RelationDirectory,
    /** No grants are configured anywhere: every user reads everything. */
    private readonly open: boolean,
    private readonly adminFlag: boolean,
  ) {}

  /**
   * A catalog without grants is a trusted setup: every user reads every table,
   * and DuckDB's own catalogs (which list every object) are not hidden.
   */
  get trusted(): boolean {
    return this.open;
  }

  /** May run EXPLAIN ANALYZE (its output names lake files): users marked admin, everyone in a trusted catalog. */
  get admin(): boolean {
    return this.adminFlag || this.open;
  }

  private applied(rel: RelationInfo): Applied[] {
    if (this.open) return [{ columns: null, masks: new Map(), from: 'open catalog' }];
    const out: Applied[] = [];
    const s = rel.schema.toLowerCase();
    const t = rel.name.toLowerCase();
    for (const g of this.grants) {
      if (g.schema !== s) continue;
      if (g.tables !== '*' && !g.tables.has(t)) continue;
      if (!(g.spec.privileges ?? ['select']).includes('select')) continue;
      const masks = new Map(Object.entries(g.spec.columnMasks ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
      out.push({ columns: g.spec.columns ? new Set(g.spec.columns.map((c) => c.toLowerCase())) : null, rowFilter: g.spec.rowFilter, masks, from: g.from });
    }
    return out;
  }

  /** The user's access to an existing relation, or null when it may not read it. */
  table(schema: string, name: string): TableAccess | null {
    const rel = this.directory.find(schema, name);
    if (!rel) return null;
    const key = `${rel.schema}\0${rel.name}`;
    const hit = this.cache.get(key);
    if (hit !== undefined) return hit;
    const applied = this.applied(rel);
    let access: TableAccess | null = null;
    if (applied.length > 0) {
      const { sql, columns } = secureViewSql(rel, applied);
      access = { schema: rel.schema, name: rel.name, columns, allColumns: columns.length === rel.columns.length };
      if (sql !== null) access.secureView = secureViewName(this.user, rel);
    }
    this.cache.set(key, access);
    return access;
  }

  schemaExists(name: string): boolean {
    return this.directory.schema(name) !== undefined;
  }

  /** The schema's name as declared (DuckDB's case). */
  schemaName(name: string): string {
    return this.directory.schema(name) ?? name;
  }

  relationExists(schema: string, name: string): boolean {
    return this.directory.find(schema, name) !== undefined;
  }

  /** No grant on the schema restricts columns, rows or values (so unknown tables in it can be read as they are). */
  schemaUnrestricted(schema: string): boolean {
    if (this.open) return true;
    const s = schema.toLowerCase();
    return this.grants.filter((g) => g.schema === s).every((g) => !g.spec.columns && !g.spec.rowFilter && !g.spec.columnMasks);
  }

  /**
   * Whether the user may write the table: in a trusted catalog always (the
   * source decides whether it is writable); otherwise a grant that covers it
   * must list the privilege and restrict nothing (writes through column
   * grants, row filters or masks are not supported).
   */
  canWrite(schema: string, name: string, verb: 'insert' | 'update' | 'delete'): boolean {
    if (this.open) return true;
    const s = schema.toLowerCase();
    const t = name.toLowerCase();
    return this.grants.some(
      (g) =>
        g.schema === s &&
        (g.tables === '*' || g.tables.has(t)) &&
        (g.spec.privileges ?? ['select']).includes(verb) &&
        !g.spec.columns &&
        !g.spec.rowFilter &&
        !g.spec.columnMasks,
    );
  }

  /** Whether the user may read every relation of the schema (then a missing name is no secret). */
  schemaFullyVisible(schema: string): boolean {
    if (this.open) return this.directory.schema(schema) !== undefined;
    const s = schema.toLowerCase();
    return this.grants.some((g) => g.schema === s && g.tables === '*');
  }

  /** Everything this user may list: for pg_catalog/information_schema filtering. */
  visibleObjects(): VisibleObject[] {
    const out: VisibleObject[] = [];
    for (const rel of this.directory.all()) {
      const a = this.table(rel.schema, rel.name);
      if (a) out.push({ schema: a.schema, table: a.name, columns: a.allColumns ? null : a.columns });
    }
    return out;
  }

  /**
   * Rows for the session's lakegate_visible table, in the pg_catalog
   * emulation's terms ('*' matches anything): a trusted catalog shows all, a
   * schema-wide grant its whole schema (also tables a source adds later).
   */
  visibilityRows(): [string, string][] {
    if (this.open) return [['*', '*']];
    const out = new Map<string, [string, string]>();
    for (const g of this.grants) {
      if (!(g.spec.privileges ?? ['select']).includes('select')) continue;
      const schema = this.directory.schema(g.schema) ?? g.spec.schema;
      const tables = g.tables === '*' ? ['*'] : [...g.tables].map((t) => this.directory.find(g.schema, t)?.name ?? t);
      for (const t of tables) out.set(`${schema}\0${t}`, [schema, t]);
    }
    return [...out.values()];
  }

  /** The secure views this user's reads go through. */
  secureViews(): SecureView[] {
    const out: SecureView[] = [];
    for (const rel of this.directory.all()) {
      const applied = this.applied(rel);
      if (applied.length === 0) continue;
      const { sql } = secureViewSql(rel, applied);
      if (sql !== null) out.push({ name: secureViewName(this.user, rel), sql });
    }
    return out;
  }

  /** Checks that grants name existing columns (a typo must not silently hide or show data). */
  validate(): void {
    for (const g of this.grants) {
      const rels = g.tables === '*' ? this.directory.inSchema(g.schema) : [...g.tables].map((t) => this.directory.find(g.schema, t)).filter((r): r is RelationInfo => !!r);
      for (const rel of rels) {
        const cols = new Set(rel.columns.map((c) => c.toLowerCase()));
        for (const c of [...(g.spec.columns ?? []), ...Object.keys(g.spec.columnMasks ?? {})]) {
          if (!cols.has(c.toLowerCase())) throw new AccessConfigError(`${g.from}: grant on ${rel.schema}.${rel.name} names unknown column "${c}"`);
        }
      }
    }
  }
}

/** Everyone's access, built from the catalog's users and roles. */
export class AccessPolicy {
  private readonly users = new Map<string, UserAccess>();
  readonly open: boolean;

  constructor(users: UserSpec[], roles: RoleSpec[], readonly directory: RelationDirectory) {
    this.open = roles.length === 0 && users.every((u) => u.grants === undefined && (u.roles?.length ?? 0) === 0);
    const roleByName = new Map(roles.map((r) => [r.name, r]));
    for (const u of users) {
      const grants: NormalizedGrant[] = [];
      const seen = new Set<string>();
      const addGrants = (list: GrantSpec[] | undefined, from: string): void => {
        for (const g of list ?? []) grants.push(normalize(g, from));
      };
      const addRole = (name: string, from: string): void => {
        if (seen.has(name)) return;
        seen.add(name);
        const role = roleByName.get(name);
        if (!role) throw new AccessConfigError(`${from}: no role named "${name}"`);
        addGrants(role.grants, `roles.${name}`);
        for (const r of role.roles) addRole(r, `roles.${name}`);
      };
      addGrants(u.grants, `users.${u.name}`);
      for (const r of u.roles ?? []) addRole(r, `users.${u.name}`);
      this.users.set(u.name, new UserAccess(u.name, grants, directory, this.open, u.admin ?? false));
    }
    for (const r of roles) for (const inner of r.roles) if (!roleByName.has(inner)) throw new AccessConfigError(`roles.${r.name}: no role named "${inner}"`);
    for (const a of this.users.values()) a.validate();
  }

  forUser(name: string): UserAccess | undefined {
    return this.users.get(name);
  }

  secureViews(): SecureView[] {
    return [...this.users.values()].flatMap((u) => u.secureViews());
  }
}

function normalize(g: GrantSpec, from: string): NormalizedGrant {
  const schema = g.schema.toLowerCase();
  if (schema === INTERNAL_SCHEMA || reservedSchema(schema) || SYSTEM_SCHEMAS.has(schema) || schema === 'pg_temp') {
    throw new AccessConfigError(`${from}: schema "${g.schema}" cannot be granted`);
  }
  return { schema, tables: g.tables === '*' ? '*' : new Set(g.tables.map((t) => t.toLowerCase())), spec: g, from };
}

export const SECURE_VIEW_SCHEMA = INTERNAL_SCHEMA;
