export type ArrayValue = (string | null | ArrayValue)[];

/**
 * Parses PostgreSQL's array literal text (`{1,2}`, `{"a b",NULL}`,
 * `{{1,2},{3,4}}`) into nested lists of element strings; null when the text
 * is not an array literal.
 */
export function parseArrayLiteral(text: string): ArrayValue | null {
  let i = 0;
  const s = text.trim();
  const parse = (): ArrayValue | null => {
    if (s[i] !== '{') return null;
    i++;
    const out: ArrayValue = [];
    if (s[i] === '}') {
      i++;
      return out;
    }
    for (;;) {
      while (s[i] === ' ') i++;
      if (s[i] === '{') {
        const inner = parse();
        if (!inner) return null;
        out.push(inner);
      } else if (s[i] === '"') {
        i++;
        let v = '';
        while (i < s.length && s[i] !== '"') {
          if (s[i] === '\\') i++;
          v += s[i++] ?? '';
        }
        if (s[i] !== '"') return null;
        i++;
        out.push(v);
      } else {
        let v = '';
        while (i < s.length && s[i] !== ',' && s[i] !== '}') {
          if (s[i] === '\\') i++;
          v += s[i++] ?? '';
        }
        v = v.trim();
        out.push(v.toUpperCase() === 'NULL' ? null : v);
      }
      while (s[i] === ' ') i++;
      if (s[i] === ',') {
        i++;
        continue;
      }
      if (s[i] === '}') {
        i++;
        return out;
      }
      return null;
    }
  };
  const value = parse();
  return value && i === s.length ? value : null;
}
