/**
 * Who may look at and act on other sessions. The security work plugs its
 * grants in here (an admin flag, or a grant on the system schema); until then
 * everyone may.
 */
export interface SystemAccess {
  /** May `user` read lakegate.query_history and lakegate.sessions? */
  canMonitor(user: string): boolean;
  /** May `user` cancel or terminate the statements of a session owned by `target`? */
  canSignal(user: string, target: string): boolean;
}

export const ALLOW_ALL: SystemAccess = {
  canMonitor: () => true,
  canSignal: () => true,
};

/**
 * The usual policy once users carry an admin flag: admins see and signal
 * everything; others may only signal their own sessions (as PostgreSQL lets a
 * role cancel its own backends) and may not read the system views.
 */
export function adminPolicy(isAdmin: (user: string) => boolean): SystemAccess {
  return {
    canMonitor: (user) => isAdmin(user),
    canSignal: (user, target) => user === target || isAdmin(user),
  };
}
