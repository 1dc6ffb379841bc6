import fs from 'node:fs';
import path from 'node:path';

export interface CatalogWatcher {
  close(): void;
}

/**
 * Calls `onChange` once edits to the catalog file settle. Watches the
 * directory rather than the file, because editors save by writing a new file
 * and renaming it over the old one, which ends a watch on the file itself.
 * Kubernetes ConfigMap volumes update by swapping a `..data` symlink, so those
 * entries count too; the reload itself skips content that did not change.
 */
export function watchCatalogFile(file: string, onChange: () => void, opts: { debounceMs?: number; onError?: (e: Error) => void } = {}): CatalogWatcher {
  const dir = path.dirname(file);
  const base = path.basename(file);
  const debounceMs = opts.debounceMs ?? 250;
  let timer: NodeJS.Timeout | null = null;
  const watcher = fs.watch(dir, { persistent: false }, (_event, name) => {
    if (name !== null && name !== base && !name.startsWith('..')) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      onChange();
    }, debounceMs);
    timer.unref();
  });
  watcher.on('error', (e) => opts.onError?.(e));
  return {
    close() {
      if (timer) clearTimeout(timer);
      watcher.close();
    },
  };
}
