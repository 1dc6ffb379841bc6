import type { Token } from '../sql/scanner.js';
import { stringValue } from '../sql/classify.js';

/**
 * Standalone calls that change or wait on the session, which the gateway
 * answers itself instead of DuckDB: `SELECT pg_sleep(n)` waits on a
 * cancellable timer (no DuckDB worker thread is held), and
 * `SELECT set_config(name, value, is_local)` changes the session's setting.
 * Inside larger statements both are DuckDB macros (pg_sleep sleeps
 * interruptibly in DuckDB; set_config returns the value without applying it).
 */
export type SessionCall =
  | { kind: 'sleep'; seconds: number; column: string }
  | { kind: 'set_config'; name: string; value: string; local: boolean; column: string };

function literal(t: Token | undefined): string | null {
  if (!t) return null;
  if (t.kind === 'string') return stringValue(t);
  if (t.kind === 'number') return t.text;
  if (t.kind === 'keyword' && (t.value === 'true' || t.value === 'false')) return t.value;
  return null;
}

export function sessionCall(tokens: readonly Token[]): SessionCall | null {
  if (tokens[0]?.value !== 'select') return null;
  let i = 1;
  if (tokens[i]?.value === 'pg_catalog' && tokens[i + 1]?.text === '.') i += 2;
  const fn = tokens[i]?.value;
  if ((fn !== 'pg_sleep' && fn !== 'set_config') || tokens[i + 1]?.text !== '(') return null;
  i += 2;
  const args: string[] = [];
  for (;;) {
    const v = literal(tokens[i]);
    if (v === null) return null;
    args.push(v);
    i++;
    if (tokens[i]?.text === ',') {
      i++;
      continue;
    }
    if (tokens[i]?.text === ')') break;
    return null;
  }
  i++;
  let column = fn;
  if (tokens[i]?.value === 'as') i++;
  if (tokens[i] && (tokens[i]!.kind === 'ident' || tokens[i]!.kind === 'keyword')) column = tokens[i++]!.value;
  if (i !== tokens.length) return null;
  if (fn === 'pg_sleep') {
    const seconds = Number(args[0]);
    return args.length === 1 && Number.isFinite(seconds) ? { kind: 'sleep', seconds, column } : null;
  }
  if (args.length !== 3) return null;
  return { kind: 'set_config', name: args[0]!, value: args[1]!, local: args[2] === 'true' || args[2] === 't', column };
}
