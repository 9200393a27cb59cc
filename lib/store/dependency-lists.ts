import { LRUCache } from 'lru-cache';

/**
 * The dependency keys of the pages this process has seen (`dependencies: 'auto'`), by storage
 * key, so that a hit reads their epochs in the same multi-get as the entry. A page whose keys
 * are not known here yet, or changed, costs one more read, once.
 */
export class DependencyLists {
  private readonly lists = new LRUCache<string, readonly string[]>({ max: 10_000 });

  known(storageKey: string): readonly string[] | undefined {
    // An app with no auto-mode page never fills this: its hits pay one size check.
    return this.lists.size === 0 ? undefined : this.lists.get(storageKey);
  }

  remember(storageKey: string, keys: readonly string[]): void {
    this.lists.set(storageKey, keys);
  }
}

/** Whether two key lists are the same (by identity first: the memory store hands back one array). */
export function sameKeys(a: readonly string[] | undefined, b: readonly string[]): boolean {
  if (a === b) return true;
  if (!a || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
