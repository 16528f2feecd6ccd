/**
 * Watches a project's source files for `apskit dev`: node:fs `watch` on each folder of the tree
 * (not `recursive`, which on Linux walks node_modules too), skipping node_modules, dist and hidden
 * folders (.git, the .apskit data folder), and the data folder wherever it is. Changes come in
 * bursts (an editor writes a temp file, renames it, touches the folder), so they are debounced:
 * `onChange` runs once, a quiet `debounceMs` after the last one, with the files that changed.
 */
import { readdirSync, statSync, watch, type FSWatcher } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';

export interface WatchTreeOptions {
  /** Folders not to watch (absolute), besides node_modules, dist and hidden ones. */
  readonly ignore?: readonly string[];
  readonly debounceMs?: number;
  readonly onChange: (files: readonly string[]) => void;
}

export interface TreeWatcher {
  close(): void;
}

/** The files whose change can change the served types: sources, and the JSON they may import. */
const SOURCE = /\.(ts|mts|cts|js|mjs|cjs|json)$/;
const SKIPPED_FOLDERS = new Set(['node_modules', 'dist', 'build', 'coverage']);

export function watchTree(folder: string, options: WatchTreeOptions): TreeWatcher {
  const root = resolve(folder);
  // Only folders inside the tree: a data folder that holds the project must not hide it.
  const ignored = (options.ignore ?? []).map((p) => resolve(p)).filter((p) => p.startsWith(root + sep));
  const watchers = new Map<string, FSWatcher>();
  let pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const skipped = (dir: string, name: string): boolean =>
    name.startsWith('.') ||
    SKIPPED_FOLDERS.has(name) ||
    ignored.some((i) => join(dir, name) === i || join(dir, name).startsWith(i + sep));

  const fire = (): void => {
    timer = undefined;
    const files = [...pending];
    pending = new Set();
    // A folder may have been added (or removed) with the change: watch the tree as it is now.
    scan(root);
    if (!closed) options.onChange(files);
  };

  const watchFolder = (dir: string): void => {
    if (watchers.has(dir)) return;
    let watcher: FSWatcher;
    try {
      watcher = watch(dir, (_event, name) => {
        const file = name ? join(dir, name.toString()) : dir;
        // A change inside a skipped folder (the data folder's SQLite journal) or to a non-source
        // file (an editor's swap file) changes nothing served; a new folder may hold sources.
        const base = name ? name.toString() : '';
        if (name && skipped(dir, base)) return;
        if (name && !SOURCE.test(base) && !isFolder(file)) return;
        pending.add(relative(root, file) || '.');
        if (timer) clearTimeout(timer);
        timer = setTimeout(fire, options.debounceMs ?? 200);
      });
    } catch {
      return; // gone already, or unreadable: nothing to watch
    }
    watcher.on('error', () => {
      watcher.close();
      watchers.delete(dir);
    });
    watchers.set(dir, watcher);
  };

  function scan(dir: string): void {
    if (closed) return;
    watchFolder(dir);
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) if (e.isDirectory() && !skipped(dir, e.name)) scan(join(dir, e.name));
  }

  scan(root);
  return {
    close: () => {
      closed = true;
      if (timer) clearTimeout(timer);
      for (const w of watchers.values()) w.close();
      watchers.clear();
    },
  };
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false; // removed already (an editor's temp file, say)
  }
}
