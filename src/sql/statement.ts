import type { Token } from './scanner.js';

export type CopyFormat = 'text' | 'csv' | 'binary';

export interface CopyOptions {
  format: CopyFormat;
  delimiter?: string;
  header?: boolean;
  null?: string;
  quote?: string;
  escape?: string;
  forceQuote?: string[] | '*';
  encoding?: string;
}

export type FetchDirection =
  | { kind: 'forward'; count: number | 'all' }
  | { kind: 'backward'; count: number | 'all' }
  | { kind: 'absolute'; position: number }
  | { kind: 'relative'; offset: number };

/** What one SQL statement asks of the session, decided from its tokens. */
export type Statement =
  | { kind: 'query'; text: string; tokens: Token[] }
  | { kind: 'begin'; readOnly?: boolean; isolation?: string; start?: boolean }
  | { kind: 'commit'; chain: boolean }
  | { kind: 'rollback'; chain: boolean }
  | { kind: 'savepoint'; name: string }
  | { kind: 'release'; name: string }
  | { kind: 'rollback_to'; name: string }
  | { kind: 'set'; name: string; value: string | null; local: boolean }
  | { kind: 'set_transaction'; readOnly?: boolean; isolation?: string; session: boolean }
  | { kind: 'show'; name: string }
  | { kind: 'reset'; name: string }
  | { kind: 'discard'; what: 'all' | 'plans' | 'temp' | 'sequences' }
  | { kind: 'declare'; name: string; binary: boolean; hold: boolean; scroll: boolean; query: string; queryTokens: Token[] }
  | { kind: 'fetch'; name: string; direction: FetchDirection; move: boolean }
  | { kind: 'close_cursor'; name: string | null }
  | { kind: 'copy_out'; query: string; queryTokens: Token[] | null; table: string | null; columns: string[] | null; options: CopyOptions }
  | { kind: 'copy_in'; table: string; columns: string[] | null; options: CopyOptions }
  | { kind: 'deallocate'; name: string | null }
  | { kind: 'sleep'; seconds: number; column: string }
  | { kind: 'set_config'; name: string; value: string; local: boolean; column: string }
  | { kind: 'explain'; analyze: boolean; format: 'text' | 'json'; query: string; queryTokens: Token[] }
  | { kind: 'noop'; tag: string; notice?: string }
  | { kind: 'refuse'; code: string; message: string };
