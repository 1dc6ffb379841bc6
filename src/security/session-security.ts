import { quoteLiteral } from '../catalog/install.js';
import type { EngineConnection } from '../engine/connection.js';
import { PgError, SqlState } from '../errors.js';
import { deparseStatement, parseSql, type AstNode } from '../sql/ast.js';
import { scan, type Token } from '../sql/scanner.js';
import type { Statement } from '../sql/statement.js';
import { PgAuthorizer, type AuthorizeContext } from './authorize.js';
import { DuckAuthorizer, parseKeepingNumbers, referenceSignature, stringifyKeepingNumbers, stripLocations } from './duck-authorize.js';
import { denied, NeedTempTables } from './errors.js';
import type { AuthorizedStatement, SecurityManager } from './manager.js';

/** The per-session table that catalog emulation filters through: what this user may list. */
export const VISIBLE_TABLE = 'lakegate_visible';

export interface SessionSecurityOptions {
  user: string;
  /** Longest statement text accepted, in characters (0 = no limit). */
  maxQuerySize: number;
  /** The session's current search_path setting. */
  searchPath(): string;
  /** Whether the session is inside a transaction block (then the visibility table is not refreshed). */
  inTransaction(): boolean;
}

/** A statement ready for the compatibility pipeline, with what the audit log records. */
export interface Authorized extends AuthorizedStatement {
  generation: number;
}

/** libpg-query's parse error as PostgreSQL reports it (42601 with a 1-based character position). */
function pgSyntaxError(e: unknown, text: string): PgError {
  const details = (e as { sqlDetails?: { message?: string; cursorPosition?: number } }).sqlDetails;
  const at = details?.cursorPosition;
  const position = typeof at === 'number' ? Buffer.from(text).subarray(0, at).toString().length + 1 : undefined;
  return new PgError(SqlState.SyntaxError, details?.message ?? 'syntax error', { position });
}

/** Splits a search_path value into schema names ("$user" becomes the user). */
export function parseSearchPath(value: string, user: string): string[] {
  const out: string[] = [];
  for (const raw of value.match(/"(?:[^"]|"")*"|[^,\s]+/g) ?? []) {
    const name = raw.startsWith('"') ? raw.slice(1, -1).replace(/""/g, '"') : raw.toLowerCase();
    out.push(name === '$user' ? user : name);
  }
  return out;
}

/**
 * One session's side of security: authorizes each statement for the session's
 * user (cached per generation, user and search_path), keeps the session's
 * visibility table in step with the catalog, and re-checks prepared
 * statements after a reload.
 */
export class SessionSecurity {
  private visibleGeneration = -1;

  constructor(
    private readonly manager: SecurityManager,
    private readonly engine: EngineConnection,
    private readonly opts: SessionSecurityOptions,
  ) {}

  get user(): string {
    return this.opts.user;
  }

  /** May run EXPLAIN ANALYZE (see UserAccess.admin). */
  get admin(): boolean {
    return this.manager.access(this.opts.user)?.admin ?? false;
  }

  /**
   * Creates and fills the session's visibility table (at session start).
   * Same shape as the pg_catalog emulation's hook table: (schema_name,
   * table_name), '*' matching anything there; an empty list is written as a
   * row that matches nothing, so "no rows" can never be mistaken for "show all".
   */
  async start(): Promise<void> {
    await this.engine.run(`CREATE TEMP TABLE IF NOT EXISTS ${VISIBLE_TABLE} (schema_name VARCHAR, table_name VARCHAR)`);
    await this.refreshVisible();
  }

  private async refreshVisible(): Promise<void> {
    const generation = this.manager.generation;
    const rows = this.manager.visibilityRows(this.opts.user);
    await this.engine.run(`DELETE FROM temp.main.${VISIBLE_TABLE}`);
    const values = rows.length === 0 ? ["('', '')"] : rows.map(([s, t]) => `(${quoteLiteral(s)}, ${quoteLiteral(t)})`);
    for (let i = 0; i < values.length; i += 500) {
      await this.engine.run(`INSERT INTO temp.main.${VISIBLE_TABLE} VALUES ${values.slice(i, i + 500).join(', ')}`);
    }
    this.visibleGeneration = generation;
  }

  /** Authorizes one statement; returns the SQL to run (qualified, secure views substituted). */
  async authorize(text: string, tokens: Token[]): Promise<Authorized> {
    const max = this.opts.maxQuerySize;
    if (max > 0 && text.length > max) {
      throw new PgError(SqlState.ProgramLimitExceeded, `statement of ${text.length} characters exceeds max_query_size (${max})`);
    }
    if (this.visibleGeneration !== this.manager.generation && !this.opts.inTransaction()) await this.refreshVisible();
    const generation = this.manager.generation;
    const searchPath = this.opts.searchPath();
    const key = `${generation}\0${this.opts.user}\0${searchPath}\0${text}`;
    const cached = this.manager.cache.get(key);
    if (cached) return { ...cached, generation };
    let stmt: AstNode;
    try {
      const parsed = parseSql(text);
      if (parsed.stmts?.length !== 1) throw denied('permission denied: one statement at a time');
      stmt = parsed.stmts[0]!.stmt as AstNode;
    } catch (e) {
      if (e instanceof PgError) throw e;
      // only a statement that starts with a word can be DuckDB syntax; anything else is PostgreSQL's syntax error
      if (tokens[0]?.kind !== 'keyword' && tokens[0]?.kind !== 'ident') throw pgSyntaxError(e, text);
      const duck = await this.duckdbStatement(text, searchPath);
      const result: AuthorizedStatement = { text: duck.sql, tokens: scan(duck.sql), objects: duck.objects };
      if (!duck.usedTemp) this.manager.cache.set(key, result);
      return { ...result, generation };
    }
    let outcome;
    try {
      outcome = this.run(stmt, searchPath, null);
    } catch (e) {
      if (!(e instanceof NeedTempTables)) throw e;
      stmt = (parseSql(text).stmts![0]!.stmt as AstNode);
      outcome = this.run(stmt, searchPath, await this.tempTables());
    }
    const sql = outcome.changed ? deparseStatement(stmt) : text;
    const result: AuthorizedStatement = { text: sql, tokens: sql === text ? tokens : scan(sql), objects: outcome.objects };
    if (!outcome.usedTemp) this.manager.cache.set(key, result);
    return { ...result, generation };
  }

  private context(searchPath: string, temp: Set<string> | null, emulation = true): AuthorizeContext {
    const access = this.manager.access(this.opts.user);
    if (!access) throw denied(`permission denied: user "${this.opts.user}" no longer exists`);
    return {
      access,
      database: this.manager.database,
      defaultSchema: this.manager.defaultSchema,
      searchPath: parseSearchPath(searchPath, this.opts.user),
      tempTables: temp,
      builtinTableFunctions: this.manager.builtinTableFunctions,
      secureViewName: (n) => this.manager.installedView(n),
      secureViewQuery: (n) => this.manager.secureViewQuery(n),
      secureViewDuckQuery: (n) => this.manager.secureViewDuckQuery(n),
      emulation,
    };
  }

  private run(stmt: AstNode, searchPath: string, temp: Set<string> | null) {
    return new PgAuthorizer(this.context(searchPath, temp)).authorize(stmt);
  }

  private async tempTables(): Promise<Set<string>> {
    const rows = await this.engine.rows("SELECT lower(table_name) AS name FROM duckdb_tables() WHERE database_name = 'temp'");
    return new Set(rows.map((r) => String(r.name)));
  }

  private async serialize(sql: string): Promise<{ error?: boolean; error_type?: string; error_message?: string; statements?: { node: Record<string, unknown> }[] }> {
    const rows = await this.engine.rows(`SELECT json_serialize_sql(${quoteLiteral(sql)}) AS j`);
    return parseKeepingNumbers(String(rows[0]?.j ?? '{}'));
  }

  /**
   * SQL that PostgreSQL's grammar rejects: a syntax error if DuckDB rejects it
   * too; a DuckDB SELECT is authorized on DuckDB's own AST and printed back;
   * any other DuckDB statement (ATTACH, PRAGMA, COPY TO, ...) is refused.
   */
  private async duckdbStatement(text: string, searchPath: string): Promise<{ sql: string; objects: string[]; usedTemp: boolean }> {
    let info;
    try {
      info = await this.serialize(text);
    } catch {
      throw new PgError(SqlState.SyntaxError, 'syntax error');
    }
    if (info.error) {
      if (info.error_type === 'parser') {
        // DuckDB reports a byte offset; PostgreSQL's position counts characters from 1
        const at = Number((info as { position?: string }).position);
        const position = Number.isFinite(at) ? Buffer.from(text).subarray(0, at).toString().length + 1 : undefined;
        throw new PgError(SqlState.SyntaxError, (info.error_message ?? 'syntax error').replace(/\n[\s\S]*$/, ''), { position });
      }
      throw denied('permission denied: this statement is not allowed', 'lakegate runs queries over its catalog; only SELECT and temporary tables are allowed.');
    }
    if (info.statements?.length !== 1) throw denied('permission denied: one statement at a time');
    const authorizeOnce = (temp: Set<string> | null) => {
      const copy = structuredClone(info.statements![0]!.node);
      stripLocations(copy);
      // DuckDB syntax is not rewritten by the pg_catalog emulation: its functions stay DuckDB's
      const outcome = new DuckAuthorizer(this.context(searchPath, temp, false)).authorize(copy);
      return { node: copy, outcome };
    };
    let result;
    try {
      result = authorizeOnce(null);
    } catch (e) {
      if (!(e instanceof NeedTempTables)) throw e;
      result = authorizeOnce(await this.tempTables());
    }
    const json = stringifyKeepingNumbers({ error: false, statements: [{ node: result.node, named_param_map: [] }] });
    const printed = await this.engine.rows(`SELECT json_deserialize_sql(${quoteLiteral(json)}) AS s`);
    const sql = String(printed[0]?.s ?? '');
    // DuckDB must read the printed SQL back with exactly the references that were checked
    const back = await this.serialize(sql);
    if (back.error || back.statements?.length !== 1 || referenceSignature(back.statements[0]!.node) !== referenceSignature(result.node)) {
      throw denied('permission denied: this statement could not be authorized', 'Write it in PostgreSQL syntax.');
    }
    return { sql, objects: result.outcome.objects, usedTemp: result.outcome.usedTemp };
  }

  /** Re-authorizes a prepared statement after the catalog changed; refuses it if access changed. */
  async recheck(entry: { statement: Statement; authorized?: Authorized }): Promise<void> {
    const prev = entry.authorized;
    const st = entry.statement;
    if (!prev || prev.generation === this.manager.generation || st.kind !== 'query') return;
    const again = await this.authorize(st.text, st.tokens);
    if (again.text !== prev.text) {
      throw new PgError(SqlState.FeatureNotSupported, 'cached plan must not change result type', {
        detail: 'Access rules changed since the statement was prepared; prepare it again.',
      });
    }
    entry.authorized = again;
  }
}
