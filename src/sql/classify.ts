import { PgError, SqlState } from '../errors.js';
import { classifyExplain } from './explain.js';
import type { Token } from './scanner.js';
import { sessionCall } from '../pgcatalog/session-calls.js';
import type { CopyOptions, FetchDirection, Statement } from './statement.js';

/** A cursor over a statement's tokens with keyword-matching helpers. */
class Tokens {
  i = 0;
  constructor(
    readonly list: Token[],
    readonly text: string,
  ) {}

  get done(): boolean {
    return this.i >= this.list.length;
  }

  peek(offset = 0): Token | undefined {
    return this.list[this.i + offset];
  }

  /** Lower-cased word (keyword or unquoted identifier) at the cursor, or ''. */
  word(offset = 0): string {
    const t = this.peek(offset);
    if (!t) return '';
    if (t.kind === 'keyword' || (t.kind === 'ident' && !t.text.startsWith('"'))) return t.value;
    return '';
  }

  accept(...words: string[]): boolean {
    if (words.every((w, k) => this.word(k) === w)) {
      this.i += words.length;
      return true;
    }
    return false;
  }

  expect(word: string): void {
    if (!this.accept(word)) throw syntaxError(this.peek());
  }

  next(): Token | undefined {
    return this.list[this.i++];
  }

  /** The source text from the current token to the end. */
  restText(): string {
    const t = this.peek();
    return t ? this.text.slice(t.start) : '';
  }

  restTokens(): Token[] {
    const first = this.peek();
    if (!first) return [];
    return this.list.slice(this.i).map((t) => ({ ...t, start: t.start - first.start, end: t.end - first.start }));
  }
}

function syntaxError(t: Token | undefined): PgError {
  if (!t) return new PgError(SqlState.SyntaxError, 'syntax error at end of input');
  return new PgError(SqlState.SyntaxError, `syntax error at or near "${t.text}"`, { position: t.start + 1 });
}

/** The text value of a string constant token (handles E'', doubled quotes, $$). */
export function stringValue(t: Token): string {
  const s = t.text;
  if (s.startsWith('$')) {
    const tag = s.slice(0, s.indexOf('$', 1) + 1);
    return s.slice(tag.length, s.length - tag.length);
  }
  if (/^[eE]'/.test(s)) {
    return s
      .slice(2, -1)
      .replace(/''/g, "'")
      .replace(/\\(x[0-9a-fA-F]{1,2}|[0-7]{1,3}|.)/g, (_, e: string) => {
        if (e[0] === 'x') return String.fromCharCode(parseInt(e.slice(1), 16));
        if (/^[0-7]/.test(e)) return String.fromCharCode(parseInt(e, 8));
        return { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f' }[e] ?? e;
      });
  }
  if (/^[nN]'/.test(s)) return s.slice(2, -1).replace(/''/g, "'");
  return s.slice(1, -1).replace(/''/g, "'");
}

/** Parses the value list of SET: `a, 'b', 10, -1.5, "Quoted"`; null for DEFAULT. */
function setValue(ts: Tokens): string | null {
  if (ts.done) throw syntaxError(undefined);
  if (ts.word() === 'default' && ts.list.length === ts.i + 1) return null;
  const items: string[] = [];
  while (!ts.done) {
    let t = ts.next()!;
    let item: string;
    if (t.kind === 'string') item = stringValue(t);
    else if (t.kind === 'op' && (t.text === '-' || t.text === '+')) {
      const n = ts.next();
      if (!n || n.kind !== 'number') throw syntaxError(n ?? t);
      item = `${t.text === '-' ? '-' : ''}${n.text}`;
      t = n;
    } else if (t.kind === 'number') item = t.text;
    else if (t.kind === 'ident' && t.text.startsWith('"')) item = t.text;
    else if (t.kind === 'keyword' || t.kind === 'ident') {
      item = t.value;
      // dotted names such as pg_catalog.foo
      while (ts.peek()?.text === '.' && ts.peek(1)) {
        ts.next();
        item += `.${ts.next()!.value}`;
      }
    } else throw syntaxError(t);
    items.push(item);
    if (ts.done) break;
    const sep = ts.next()!;
    if (sep.text !== ',') throw syntaxError(sep);
  }
  return items.join(', ');
}

/** Setting name: an identifier, possibly dotted (`lakegate.progress`). */
function settingName(ts: Tokens): string {
  const t = ts.next();
  if (!t || (t.kind !== 'ident' && t.kind !== 'keyword')) throw syntaxError(t);
  let name = t.value;
  while (ts.peek()?.text === '.') {
    ts.next();
    const p = ts.next();
    if (!p) throw syntaxError(p);
    name += `.${p.value}`;
  }
  return name;
}

function transactionModes(ts: Tokens): { readOnly?: boolean; isolation?: string } {
  const out: { readOnly?: boolean; isolation?: string } = {};
  while (!ts.done) {
    if (ts.accept('isolation', 'level')) {
      if (ts.accept('serializable')) out.isolation = 'serializable';
      else if (ts.accept('repeatable', 'read')) out.isolation = 'repeatable read';
      else if (ts.accept('read', 'committed')) out.isolation = 'read committed';
      else if (ts.accept('read', 'uncommitted')) out.isolation = 'read uncommitted';
      else throw syntaxError(ts.peek());
    } else if (ts.accept('read', 'only')) out.readOnly = true;
    else if (ts.accept('read', 'write')) out.readOnly = false;
    else if (ts.accept('not', 'deferrable') || ts.accept('deferrable')) {
      /* accepted, meaningless here */
    } else throw syntaxError(ts.peek());
    if (ts.peek()?.text === ',') ts.next();
  }
  return out;
}

function classifySet(ts: Tokens): Statement {
  let local = false;
  if (ts.accept('local')) local = true;
  else if (ts.word(1) !== 'authorization') ts.accept('session');
  if (ts.accept('variable')) {
    return { kind: 'refuse', code: SqlState.InsufficientPrivilege, message: 'permission denied: SET VARIABLE is not allowed' };
  }
  if (ts.accept('characteristics', 'as', 'transaction')) return { kind: 'set_transaction', session: true, ...transactionModes(ts) };
  if (ts.accept('transaction')) {
    if (ts.accept('snapshot')) return { kind: 'refuse', code: SqlState.FeatureNotSupported, message: 'SET TRANSACTION SNAPSHOT is not supported' };
    return { kind: 'set_transaction', session: false, ...transactionModes(ts) };
  }
  if (ts.accept('time', 'zone')) {
    if (ts.word() === 'local' || ts.word() === 'default') return { kind: 'set', name: 'timezone', value: null, local };
    if (ts.accept('interval')) {
      const t = ts.next();
      if (!t || t.kind !== 'string') throw syntaxError(t);
      return { kind: 'set', name: 'timezone', value: stringValue(t), local };
    }
    return { kind: 'set', name: 'timezone', value: setValue(ts), local };
  }
  if (ts.accept('names')) return { kind: 'set', name: 'client_encoding', value: ts.done ? null : setValue(ts), local };
  if (ts.accept('schema')) return { kind: 'set', name: 'search_path', value: setValue(ts), local };
  if (ts.accept('session', 'authorization')) return { kind: 'set', name: 'session_authorization', value: setValue(ts), local };
  if (ts.accept('role')) return { kind: 'set', name: 'role', value: setValue(ts), local };
  const name = settingName(ts);
  const sep = ts.next();
  if (!sep || (sep.text !== '=' && sep.value !== 'to')) throw syntaxError(sep);
  return { kind: 'set', name, value: setValue(ts), local };
}

function classifyShowOrReset(ts: Tokens, kind: 'show' | 'reset'): Statement {
  let name: string;
  if (ts.accept('all')) name = 'all';
  else if (ts.accept('time', 'zone')) name = 'timezone';
  else if (ts.accept('transaction', 'isolation', 'level')) name = 'transaction_isolation';
  else if (ts.accept('session', 'authorization')) name = 'session_authorization';
  else name = settingName(ts);
  if (!ts.done) throw syntaxError(ts.peek());
  return { kind, name };
}

function fetchCount(ts: Tokens): number | 'all' | null {
  if (ts.accept('all')) return 'all';
  const t = ts.peek();
  if (t?.kind === 'number') {
    ts.next();
    return Number(t.text);
  }
  if (t?.text === '-' && ts.peek(1)?.kind === 'number') {
    ts.next();
    return -Number(ts.next()!.text);
  }
  if (t?.text === '+' && ts.peek(1)?.kind === 'number') {
    ts.next();
    return Number(ts.next()!.text);
  }
  return null;
}

function classifyFetch(ts: Tokens, move: boolean): Statement {
  let direction: FetchDirection = { kind: 'forward', count: 1 };
  if (ts.accept('next')) direction = { kind: 'forward', count: 1 };
  else if (ts.accept('prior')) direction = { kind: 'backward', count: 1 };
  else if (ts.accept('first')) direction = { kind: 'absolute', position: 1 };
  else if (ts.accept('last')) direction = { kind: 'absolute', position: -1 };
  else if (ts.accept('absolute')) direction = { kind: 'absolute', position: Number(fetchCount(ts) ?? 1) };
  else if (ts.accept('relative')) direction = { kind: 'relative', offset: Number(fetchCount(ts) ?? 1) };
  else if (ts.accept('forward')) direction = { kind: 'forward', count: fetchCount(ts) ?? 1 };
  else if (ts.accept('backward')) direction = { kind: 'backward', count: fetchCount(ts) ?? 1 };
  else {
    const n = fetchCount(ts);
    if (n !== null) direction = typeof n === 'number' && n < 0 ? { kind: 'backward', count: -n } : { kind: 'forward', count: n };
  }
  ts.accept('from') || ts.accept('in');
  const t = ts.next();
  if (!t || (t.kind !== 'ident' && t.kind !== 'keyword')) throw syntaxError(t);
  if (!ts.done) throw syntaxError(ts.peek());
  return { kind: 'fetch', name: t.value, direction, move };
}

function classifyDeclare(ts: Tokens): Statement {
  const nameTok = ts.next();
  if (!nameTok || (nameTok.kind !== 'ident' && nameTok.kind !== 'keyword')) throw syntaxError(nameTok);
  let binary = false;
  let scroll = false;
  let hold = false;
  for (;;) {
    if (ts.accept('binary')) binary = true;
    else if (ts.accept('insensitive') || ts.accept('asensitive')) continue;
    else if (ts.accept('no', 'scroll')) scroll = false;
    else if (ts.accept('scroll')) scroll = true;
    else break;
  }
  ts.expect('cursor');
  if (ts.accept('with', 'hold')) hold = true;
  else ts.accept('without', 'hold');
  ts.expect('for');
  if (ts.done) throw syntaxError(undefined);
  return { kind: 'declare', name: nameTok.value, binary, hold, scroll, query: ts.restText(), queryTokens: ts.restTokens() };
}

function parenthesizedNames(ts: Tokens): string[] | null {
  if (ts.peek()?.text !== '(') return null;
  ts.next();
  const names: string[] = [];
  while (!ts.done && ts.peek()!.text !== ')') {
    const t = ts.next()!;
    if (t.text !== ',') names.push(t.value);
  }
  ts.next();
  return names;
}

function copyOptions(ts: Tokens): CopyOptions {
  const o: CopyOptions = { format: 'text' };
  ts.accept('with');
  const optionValue = (): string => {
    const t = ts.next();
    if (!t) throw syntaxError(t);
    return t.kind === 'string' ? stringValue(t) : t.value;
  };
  const bool = (): boolean => {
    const t = ts.peek();
    if (!t || t.text === ',' || t.text === ')') return true;
    const v = optionValue().toLowerCase();
    return v === 'true' || v === 'on' || v === '1';
  };
  if (ts.peek()?.text === '(') {
    ts.next();
    while (!ts.done && ts.peek()!.text !== ')') {
      const key = ts.next()!.value;
      switch (key) {
        case 'format': {
          const f = optionValue().toLowerCase();
          if (f !== 'text' && f !== 'csv' && f !== 'binary') throw new PgError(SqlState.InvalidParameterValue, `COPY format "${f}" not recognized`);
          o.format = f;
          break;
        }
        case 'header':
          o.header = bool();
          break;
        case 'delimiter':
          o.delimiter = optionValue();
          break;
        case 'null':
          o.null = optionValue();
          break;
        case 'quote':
          o.quote = optionValue();
          break;
        case 'escape':
          o.escape = optionValue();
          break;
        case 'encoding':
          o.encoding = optionValue();
          break;
        case 'force_quote':
          if (ts.peek()?.text === '*') {
            ts.next();
            o.forceQuote = '*';
          } else o.forceQuote = parenthesizedNames(ts) ?? [];
          break;
        case 'freeze':
        case 'force_not_null':
        case 'force_null':
          if (ts.peek()?.text === '(') parenthesizedNames(ts);
          else bool();
          break;
        default:
          throw new PgError(SqlState.SyntaxError, `option "${key}" not recognized`);
      }
      if (ts.peek()?.text === ',') ts.next();
    }
    ts.next();
    return o;
  }
  // pre-9.0 syntax: BINARY, DELIMITER [AS] 'x', NULL [AS] 'x', CSV [HEADER] [QUOTE [AS] 'q'] ...
  while (!ts.done) {
    if (ts.accept('binary')) o.format = 'binary';
    else if (ts.accept('csv')) o.format = 'csv';
    else if (ts.accept('header')) o.header = true;
    else if (ts.accept('delimiter')) {
      ts.accept('as');
      o.delimiter = optionValue();
    } else if (ts.accept('null')) {
      ts.accept('as');
      o.null = optionValue();
    } else if (ts.accept('quote')) {
      ts.accept('as');
      o.quote = optionValue();
    } else if (ts.accept('escape')) {
      ts.accept('as');
      o.escape = optionValue();
    } else if (ts.accept('force', 'quote')) {
      if (ts.peek()?.text === '*') {
        ts.next();
        o.forceQuote = '*';
      } else {
        o.forceQuote = [];
        do o.forceQuote.push(ts.next()!.value);
        while (ts.peek()?.text === ',' && ts.next());
      }
    } else throw syntaxError(ts.peek());
  }
  return o;
}

function classifyCopy(ts: Tokens): Statement {
  let query: string | null = null;
  let queryTokens: Token[] | null = null;
  let table: string | null = null;
  let columns: string[] | null = null;
  if (ts.peek()?.text === '(') {
    // COPY (query) TO ...: find the matching parenthesis
    let depth = 0;
    const startIdx = ts.i + 1;
    let endIdx = -1;
    for (let k = ts.i; k < ts.list.length; k++) {
      const tx = ts.list[k]!.text;
      if (tx === '(') depth++;
      else if (tx === ')' && --depth === 0) {
        endIdx = k;
        break;
      }
    }
    if (endIdx < 0) throw syntaxError(undefined);
    const first = ts.list[startIdx]!;
    const last = ts.list[endIdx - 1]!;
    query = ts.text.slice(first.start, last.end);
    queryTokens = ts.list.slice(startIdx, endIdx).map((t) => ({ ...t, start: t.start - first.start, end: t.end - first.start }));
    ts.i = endIdx + 1;
  } else {
    const parts: string[] = [];
    const t = ts.next();
    if (!t) throw syntaxError(t);
    parts.push(t.text);
    while (ts.peek()?.text === '.') {
      ts.next();
      parts.push(ts.next()!.text);
    }
    table = parts.join('.');
    columns = parenthesizedNames(ts);
  }
  const dirTok = ts.next();
  const dir = dirTok?.value;
  if (dir !== 'to' && dir !== 'from') throw syntaxError(dirTok);
  const target = ts.next();
  if (!target) throw syntaxError(target);
  if (target.value !== 'stdout' && target.value !== 'stdin') {
    if (target.value === 'program' || target.kind === 'string') {
      return {
        kind: 'refuse',
        code: SqlState.InsufficientPrivilege,
        message: `permission denied: COPY ${dir === 'to' ? 'to' : 'from'} a file or program is not allowed; use COPY ${dir === 'to' ? 'TO STDOUT' : 'FROM STDIN'}`,
      };
    }
    throw syntaxError(target);
  }
  const options = copyOptions(ts);
  if (dir === 'to') {
    if (target.value !== 'stdout') throw syntaxError(target);
    return { kind: 'copy_out', query: query ?? '', queryTokens, table, columns, options };
  }
  if (target.value !== 'stdin' || table === null) throw syntaxError(target);
  return { kind: 'copy_in', table, columns, options };
}

/** Decides what a statement is from its tokens (comments already removed). */
export function classify(text: string, tokens: Token[]): Statement {
  const ts = new Tokens(tokens, text);
  const first = ts.word();
  switch (first) {
    case 'begin':
      ts.next();
      ts.accept('work') || ts.accept('transaction');
      return { kind: 'begin', ...transactionModes(ts) };
    case 'start':
      if (ts.accept('start', 'transaction')) return { kind: 'begin', start: true, ...transactionModes(ts) };
      break;
    case 'commit':
    case 'end': {
      ts.next();
      if (first === 'commit' && ts.accept('prepared')) return { kind: 'refuse', code: SqlState.FeatureNotSupported, message: 'prepared transactions are not supported' };
      ts.accept('work') || ts.accept('transaction');
      const chain = ts.accept('and', 'chain');
      ts.accept('and', 'no', 'chain');
      if (!ts.done) throw syntaxError(ts.peek());
      return { kind: 'commit', chain };
    }
    case 'rollback':
    case 'abort': {
      ts.next();
      if (first === 'rollback' && ts.accept('prepared')) return { kind: 'refuse', code: SqlState.FeatureNotSupported, message: 'prepared transactions are not supported' };
      ts.accept('work') || ts.accept('transaction');
      if (first === 'rollback' && ts.accept('to')) {
        ts.accept('savepoint');
        const n = ts.next();
        if (!n) throw syntaxError(n);
        return { kind: 'rollback_to', name: n.value };
      }
      const chain = ts.accept('and', 'chain');
      ts.accept('and', 'no', 'chain');
      if (!ts.done) throw syntaxError(ts.peek());
      return { kind: 'rollback', chain };
    }
    case 'savepoint': {
      ts.next();
      const n = ts.next();
      if (!n || !ts.done) throw syntaxError(n ?? ts.peek());
      return { kind: 'savepoint', name: n.value };
    }
    case 'release': {
      ts.next();
      ts.accept('savepoint');
      const n = ts.next();
      if (!n || !ts.done) throw syntaxError(n ?? ts.peek());
      return { kind: 'release', name: n.value };
    }
    case 'prepare':
      if (ts.word(1) === 'transaction') return { kind: 'refuse', code: SqlState.FeatureNotSupported, message: 'prepared transactions are not supported' };
      break;
    case 'set':
      ts.next();
      return classifySet(ts);
    case 'show':
      ts.next();
      return classifyShowOrReset(ts, 'show');
    case 'reset':
      ts.next();
      return classifyShowOrReset(ts, 'reset');
    case 'discard': {
      ts.next();
      const w = ts.next()?.value;
      if (w === 'all' || w === 'plans' || w === 'sequences') return { kind: 'discard', what: w };
      if (w === 'temp' || w === 'temporary') return { kind: 'discard', what: 'temp' };
      throw syntaxError(ts.peek(-1));
    }
    case 'declare':
      ts.next();
      return classifyDeclare(ts);
    case 'fetch':
    case 'move':
      ts.next();
      return classifyFetch(ts, first === 'move');
    case 'close': {
      ts.next();
      if (ts.accept('all')) return { kind: 'close_cursor', name: null };
      const n = ts.next();
      if (!n || !ts.done) throw syntaxError(n ?? ts.peek());
      return { kind: 'close_cursor', name: n.value };
    }
    case 'copy':
      ts.next();
      return classifyCopy(ts);
    case 'deallocate': {
      ts.next();
      ts.accept('prepare');
      if (ts.accept('all')) return { kind: 'deallocate', name: null };
      const n = ts.next();
      if (!n) throw syntaxError(n);
      return { kind: 'deallocate', name: n.value };
    }
    case 'listen':
      return { kind: 'noop', tag: 'LISTEN' };
    case 'unlisten':
      return { kind: 'noop', tag: 'UNLISTEN' };
    case 'notify':
      return { kind: 'noop', tag: 'NOTIFY' };
    case 'checkpoint':
      return { kind: 'refuse', code: SqlState.InsufficientPrivilege, message: 'must be superuser to do CHECKPOINT' };
    case 'vacuum':
      return { kind: 'noop', tag: 'VACUUM' };
    case 'analyze':
    case 'analyse':
      if (ts.list.length === 1 || ts.peek(1)?.kind !== 'keyword' || ts.word(1) === 'verbose') {
        return { kind: 'noop', tag: 'ANALYZE' };
      }
      break;
    case 'lock':
      return { kind: 'noop', tag: 'LOCK TABLE' };
    case 'select':
      return sessionCall(tokens) ?? { kind: 'query', text, tokens };
    case 'explain':
      return classifyExplain(text, tokens);
    default:
      break;
  }
  return { kind: 'query', text, tokens };
}
