import { PgError, SqlState } from '../errors.js';
import type { ShutdownProgress } from '../observability/events.js';
import type { Session } from '../session/session.js';

/** After the grace period, how long interrupted statements get to unwind. */
const UNWIND_MS = 10_000;
const POLL_MS = 20;

function adminShutdown(): PgError {
  return new PgError(SqlState.AdminShutdown, 'terminating connection due to administrator command', { severity: 'FATAL' });
}

async function waitFor(done: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, Math.min(POLL_MS, Math.max(1, deadline - Date.now()))));
  }
  return true;
}

/**
 * Ends every session for shutdown (the listener must already refuse new ones):
 * idle sessions get FATAL 57P01 at once; a session running a statement gets it
 * when the statement has completed and ReadyForQuery was sent. Statements
 * still running after `graceMs` are cancelled with the same FATAL error.
 */
export async function drainSessions(sessions: readonly Session[], graceMs: number, report: (p: ShutdownProgress) => void): Promise<void> {
  const finished = (s: Session): boolean => s.isClosed && !s.isRunning;
  for (const s of sessions) s.terminate(adminShutdown());
  report({ phase: 'started', graceMs, sessions: sessions.length, running: sessions.filter((s) => s.isRunning).length });
  if (await waitFor(() => sessions.every(finished), graceMs)) return;
  report({ phase: 'grace_expired', graceMs, sessions: sessions.filter((s) => !finished(s)).length, running: sessions.filter((s) => s.isRunning).length });
  for (const s of sessions) if (!finished(s)) s.terminate(adminShutdown(), true);
  await waitFor(() => sessions.every(finished), UNWIND_MS);
}
