import { createHash } from 'node:crypto';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { CatalogError, type CatalogIssue } from './errors.js';

export type KeyPath = readonly (string | number)[];

/**
 * The parsed catalog text with line positions, so any key path (from a zod
 * issue, a semantic check or a DuckDB error during installation) can be
 * reported with the line it came from.
 */
export class CatalogSource {
  private constructor(
    /** Name shown in messages (base name of the file). */
    readonly name: string,
    readonly doc: Document,
    private readonly lines: LineCounter,
    /** sha256 of the text, to tell a real edit from a touch. */
    readonly digest: string,
  ) {}

  static parse(name: string, text: string): CatalogSource {
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
    const src = new CatalogSource(name, doc, lines, createHash('sha256').update(text).digest('hex'));
    if (doc.errors.length > 0) {
      throw new CatalogError(
        doc.errors.map((e) => ({
          file: name,
          line: lines.linePos(e.pos[0]).line,
          key: '',
          message: `invalid YAML: ${e.message.split('\n')[0]}`,
        })),
      );
    }
    return src;
  }

  toJS(): unknown {
    return this.doc.toJS() ?? {};
  }

  private lineOf(offset: number | undefined): number | undefined {
    return offset === undefined ? undefined : this.lines.linePos(offset).line;
  }

  /**
   * Line of the deepest node on the path: the line of the key itself for a
   * mapping entry. A sequence may be indexed by number or by an item's `name`.
   */
  line(path: KeyPath): number | undefined {
    let node: unknown = this.doc.contents;
    let line = this.lineOf((node as Node | null)?.range?.[0]);
    for (const seg of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
        if (!pair) break;
        line = this.lineOf((pair.key as Node).range?.[0]) ?? line;
        node = pair.value;
      } else if (isSeq(node)) {
        const item =
          typeof seg === 'number'
            ? node.items[seg]
            : node.items.find((it) => isMap(it) && String(it.get('name')) === seg);
        if (!item) break;
        line = this.lineOf((item as Node).range?.[0]) ?? line;
        node = item;
      } else break;
    }
    return line;
  }

  issue(path: KeyPath, message: string): CatalogIssue {
    return { file: this.name, line: this.line(path), key: path.join('.'), message };
  }

  /**
   * Adds the line to an error raised as `<file>: <key>: <message>` by a
   * section builder that does not know lines.
   */
  locate(e: unknown): CatalogIssue[] {
    if (e instanceof CatalogError && e.issues.length > 0) return e.issues;
    const text = e instanceof Error ? e.message : String(e);
    const prefix = `${this.name}: `;
    const body = text.startsWith(prefix) ? text.slice(prefix.length) : text;
    const m = /^([A-Za-z0-9_$.*-]+): (.*)$/s.exec(body);
    if (!m) return [{ file: this.name, key: '', message: body }];
    return [this.issue(m[1]!.split('.'), m[2]!)];
  }
}
