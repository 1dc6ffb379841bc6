import { names, walk, type AstNode } from '../ast.js';
import { parseByteaText } from '../../types/param-decode.js';
import type { RewritePass } from './pass.js';

/** DuckDB's BLOB text form: printable ASCII as is, every other byte as \xHH. */
function duckBlobText(bytes: Buffer): string {
  let s = '';
  for (const b of bytes) {
    if (b >= 0x20 && b <= 0x7e && b !== 0x5c && b !== 0x27) s += String.fromCharCode(b);
    else s += `\\x${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return s;
}

/**
 * `'\x0102'::bytea` is hex in PostgreSQL but DuckDB's BLOB cast reads `\xHH`
 * escapes byte by byte: re-encode bytea string literals into DuckDB's form.
 */
export const byteaLiteralsPass: RewritePass = {
  name: 'bytea-literals',
  wants: (tokens) => tokens.some((t) => (t.kind === 'ident' || t.kind === 'keyword') && t.value === 'bytea'),
  apply(stmt: AstNode) {
    let changed = false;
    walk(stmt, (type, body) => {
      if (type !== 'TypeCast') return;
      const tn = names(body.typeName?.names);
      if (tn[tn.length - 1] !== 'bytea') return;
      const sval = body.arg?.A_Const?.sval;
      if (!sval || typeof sval.sval !== 'string') return;
      sval.sval = duckBlobText(parseByteaText(sval.sval));
      changed = true;
    });
    return changed;
  },
};
