import { quoteIdent } from '../sql/quote.js';
import { CatalogError } from '../catalog/errors.js';
import type { Catalog } from '../catalog/model.js';
import type { EngineConnection } from '../engine/connection.js';
import { PgError, SqlState } from '../errors.js';
import type { Session } from '../session/session.js';
import { FunctionError, registerIntToBoolFunction, registerRowsFunction, type Cell, type ColumnDef } from './duckdb-functions.js';
import { redactSqlText } from './logger.js';
import { truncateQuery, type QueryHistory } from './query-history.js';
import type { SystemAccess } from './system-access.js';

/**
 * `lakegate.query_history`, `lakegate.sessions`, `lakegate.cancel(pid)` and
 * `lakegate.terminate(pid)`.
 *
 * Sessions have separate DuckDB connections, but all of this state lives in
 * the Node process, so the views read it through JS table functions (run on
 * the main thread; fine for tables of at most a few thousand rows). The
 * functions learn the calling connection from DuckDB, map it to its session,
 * and ask the SystemAccess policy whether that user may see or signal.
 */

/** Names in DuckDB's system catalog (the views and macros in the system schema call them). */
const FN = {
  history: 'lakegate_query_history',
  sessions: 'lakegate_sessions',
  cancel: 'lakegate_cancel_backend',
  terminate: 'lakegate_terminate_backend',
} as const;

export const SYSTEM_VIEWS = ['query_history', 'sessions'] as const;

export interface SystemTablesContext {
  sessions(): Iterable<Session>;
  history: QueryHistory;
  access(): SystemAccess;
}

const HISTORY_COLUMNS: ColumnDef[] = [
  { name: 'seq', type: 'BIGINT' },
  { name: 'pid', type: 'INTEGER' },
  { name: 'user_name', type: 'VARCHAR' },
  { name: 'application_name', type: 'VARCHAR' },
  { name: 'client_addr', type: 'VARCHAR' },
  { name: 'query', type: 'VARCHAR' },
  { name: 'started_at', type: 'TIMESTAMPTZ' },
  { name: 'duration_ms', type: 'DOUBLE' },
  { name: 'rows', type: 'BIGINT' },
  { name: 'bytes_sent', type: 'BIGINT' },
  { name: 'status', type: 'VARCHAR' },
  { name: 'sqlstate', type: 'VARCHAR' },
  { name: 'error', type: 'VARCHAR' },
  { name: 'remote_rows', type: 'BIGINT' },
  { name: 'sources', type: 'VARCHAR' },
];

const SESSION_COLUMNS: ColumnDef[] = [
  { name: 'pid', type: 'INTEGER' },
  { name: 'user_name', type: 'VARCHAR' },
  { name: 'database', type: 'VARCHAR' },
  { name: 'application_name', type: 'VARCHAR' },
  { name: 'client_addr', type: 'VARCHAR' },
  { name: 'backend_start', type: 'TIMESTAMPTZ' },
  { name: 'state', type: 'VARCHAR' },
  { name: 'query', type: 'VARCHAR' },
  { name: 'query_start', type: 'TIMESTAMPTZ' },
  { name: 'running_ms', type: 'DOUBLE' },
  { name: 'statements', type: 'BIGINT' },
];


function sessionState(s: Session): string {
  if (s.currentStatement) return 'active';
  if (s.txStatus === 'T') return 'idle in transaction';
  if (s.txStatus === 'E') return 'idle in transaction (aborted)';
  return 'idle';
}

export class SystemTables {
  constructor(private readonly ctx: SystemTablesContext) {}

  private callerSession(connectionId: number): Session | undefined {
    for (const s of this.ctx.sessions()) if (s.engine.id === connectionId) return s;
    return undefined;
  }

  /** Internal connections (catalog install, monitoring) are not sessions and may do anything. */
  private authorizeMonitor(view: string): (caller: number) => void {
    return (caller) => {
      const s = this.callerSession(caller);
      if (s && !this.ctx.access().canMonitor(s.identity.user)) throw new FunctionError(SqlState.InsufficientPrivilege, `permission denied for view ${view}`);
    };
  }

  private historyRows(): Cell[][] {
    return this.ctx.history.entries().map(({ seq, record: r, query }) => {
      let remoteRows: number | null = null;
      let sources: string | null = null;
      if (r.sources) {
        remoteRows = 0;
        const o: Record<string, { rows: number; queries: number; errors: number; ms: number }> = {};
        for (const [name, u] of r.sources) {
          remoteRows += u.rows;
          o[name] = { rows: u.rows, queries: u.queries, errors: u.errors, ms: Math.round(u.ms * 1000) / 1000 };
        }
        sources = JSON.stringify(o);
      }
      return [
        seq,
        r.pid,
        r.user,
        r.applicationName,
        r.connection.client,
        query,
        r.startedAt,
        r.durationMs,
        r.rows,
        r.bytesSent,
        r.status,
        r.sqlstate,
        r.error,
        remoteRows,
        sources,
      ];
    });
  }

  private sessionRows(): Cell[][] {
    const now = performance.now();
    const out: Cell[][] = [];
    for (const s of this.ctx.sessions()) {
      if (s.isClosed) continue;
      const c = s.services.connection;
      const cur = s.currentStatement;
      const shown = cur ?? s.lastStatement;
      out.push([
        c.pid,
        c.user,
        c.database,
        s.settings.get('application_name') ?? '',
        c.client,
        c.connectedAt,
        sessionState(s),
        shown ? truncateQuery(redactSqlText(shown.query)) : null,
        shown ? shown.startedAt : null,
        cur ? now - cur.startMark : null,
        s.statementsRun,
      ]);
    }
    return out;
  }

  /** cancel/terminate: finds the target, checks the policy, and signals it. */
  private signal(kind: 'cancel' | 'terminate'): (caller: number, pid: number) => boolean {
    return (caller, pid) => {
      const from = this.callerSession(caller);
      let target: Session | undefined;
      for (const s of this.ctx.sessions()) if (s.identity.processId === pid && !s.isClosed) target = s;
      if (!target) {
        from?.notice({ severity: 'WARNING', code: SqlState.Warning, message: `PID ${pid} is not a lakegate backend process` });
        return false;
      }
      if (from && !this.ctx.access().canSignal(from.identity.user, target.identity.user)) {
        throw new FunctionError(SqlState.InsufficientPrivilege, kind === 'cancel' ? 'permission denied to cancel query' : 'permission denied to terminate process');
      }
      if (kind === 'cancel') target.interrupt('cancel');
      else target.terminate(new PgError(SqlState.AdminShutdown, 'terminating connection due to administrator command', { severity: 'FATAL' }), true);
      return true;
    };
  }

  /** Registers the JS functions in DuckDB (once per DuckDB instance, before the sandbox lock). */
  register(admin: EngineConnection): void {
    registerRowsFunction(admin.raw, FN.history, HISTORY_COLUMNS, this.authorizeMonitor('query_history'), () => this.historyRows());
    registerRowsFunction(admin.raw, FN.sessions, SESSION_COLUMNS, this.authorizeMonitor('sessions'), () => this.sessionRows());
    registerIntToBoolFunction(admin.raw, FN.cancel, this.signal('cancel'));
    registerIntToBoolFunction(admin.raw, FN.terminate, this.signal('terminate'));
  }
}

/**
 * Creates the system views and functions in `schema`. Idempotent, so it can run
 * again after a catalog reload that recreated the schema.
 */
export async function installSystemViews(admin: EngineConnection, schema: string): Promise<void> {
  const s = quoteIdent(schema);
  const historyCols = HISTORY_COLUMNS.map((c) => (c.name === 'sources' ? 'CAST(sources AS JSON) AS sources' : quoteIdent(c.name))).join(', ');
  await admin.run(`CREATE SCHEMA IF NOT EXISTS ${s}`);
  await admin.run(`CREATE OR REPLACE VIEW ${s}.query_history AS SELECT ${historyCols} FROM ${FN.history}()`);
  await admin.run(`CREATE OR REPLACE VIEW ${s}.sessions AS SELECT * FROM ${FN.sessions}()`);
  await admin.run(`CREATE OR REPLACE MACRO ${s}.cancel(pid) AS ${FN.cancel}(CAST(pid AS INTEGER))`);
  await admin.run(`CREATE OR REPLACE MACRO ${s}.terminate(pid) AS ${FN.terminate}(CAST(pid AS INTEGER))`);
  await admin.run(`COMMENT ON VIEW ${s}.query_history IS 'The last statements run through this lakegate process, oldest first'`);
  await admin.run(`COMMENT ON VIEW ${s}.sessions IS 'Client sessions connected to this lakegate process now'`);
}

/** A catalog object may not take a system view's name in the system schema. */
export function checkSystemSchemaClash(catalog: Catalog, schema: string): void {
  for (const o of catalog.objects) {
    if (o.schema === schema && (SYSTEM_VIEWS as readonly string[]).includes(o.name)) {
      throw new CatalogError(
        `catalog object ${o.schema}.${o.name} has the name of a lakegate system view; rename it, or move the system views with --system-schema / server.system_schema`,
      );
    }
  }
}
