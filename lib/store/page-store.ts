import {
  invalidInvalidationPathMessage,
  invalidationFailedMessage,
  invalidationRecoveredMessage,
  storeErrorMessage,
} from '../cache-page.messages.js';
import { ThrottledLogger } from '../utils/throttled-logger.js';
import { newEpochToken } from './epoch-token.js';
import { isPromise, type BackendEntry, type MaybePromise, type PageBackend } from './page-backend.js';
import { isPageEntry, type PageEntry, type RenderEpochs } from './page-entry.js';
import { globalEpochKey, pathEpochKey, plainEntryKey, toPagePath, type PageKey } from './page-key.js';
import { PendingInvalidations } from './pending-invalidations.js';

/** What one multi-get found: a valid entry, if any, and the current epochs of its path. */
export interface PageLookup {
  /** The entry, only if both of its epochs are still current. */
  readonly entry: PageEntry | undefined;
  readonly pathEpoch: string | undefined;
  readonly globalEpoch: string | undefined;
}

/** Settings of the store that do not change after startup. */
export interface PageStoreSettings {
  readonly keyPrefix: string;
}

/**
 * Pages and epochs over a backend (the memory LRU or a cache-manager `Cache`). Knows nothing
 * of HTTP or ORMs.
 *
 * Never stale: a page is stored with the epochs its render began under, and served only while
 * both epochs are unchanged. Invalidation writes fresh random epochs, so a render that began
 * before it can be stored but never served after it. All query variants and spellings of a
 * path share the path's epoch. Nothing here ever calls `clear()`.
 */
export class PageStore {
  private readonly globalKey: string;
  private readonly log = new ThrottledLogger();
  private readonly pending: PendingInvalidations;
  private readonly detachErrorListeners: () => void;

  constructor(
    private readonly backend: PageBackend,
    private readonly settings: PageStoreSettings,
  ) {
    this.globalKey = globalEpochKey(settings.keyPrefix);
    this.pending = new PendingInvalidations(
      this.globalKey,
      (keys) => this.renewEpochs(keys),
      (count, retryInMs) => this.log.error('invalidate', () => invalidationFailedMessage(count, retryInMs)),
      (count) => this.log.error('recovered', () => invalidationRecoveredMessage(count)),
    );
    this.detachErrorListeners = backend.onError((error) =>
      this.log.error('store', (suppressed) => storeErrorMessage('answer', suppressed), error),
    );
  }

  /**
   * Reads the entry and both epochs in one multi-get. Gives `undefined` when this request must
   * bypass the cache: the store failed, or an invalidation of this path is still being retried.
   * Synchronous when the backend is, so a memory hit costs no await.
   */
  lookup(key: PageKey): MaybePromise<PageLookup | undefined> {
    if (this.pending.blocks(key.epoch)) return undefined;
    let values: MaybePromise<readonly unknown[]>;
    try {
      values = this.backend.getMany([key.entry, key.epoch, this.globalKey]);
    } catch (error) {
      return this.readFailed(error);
    }
    return isPromise(values) ? values.then(toLookup, (error) => this.readFailed(error)) : toLookup(values);
  }

  /**
   * The epochs a render starting now runs under. Epochs that do not exist yet (first render, or
   * evicted) are created, because a missing epoch can never validate an entry.
   */
  async beginRender(key: PageKey, lookup: PageLookup): Promise<RenderEpochs | undefined> {
    if (lookup.pathEpoch !== undefined && lookup.globalEpoch !== undefined) {
      return [lookup.pathEpoch, lookup.globalEpoch];
    }
    const pathEpoch = lookup.pathEpoch ?? newEpochToken();
    const globalEpoch = lookup.globalEpoch ?? newEpochToken();
    const created: BackendEntry[] = [
      ...(lookup.pathEpoch === undefined ? [{ key: key.epoch, value: pathEpoch, ttl: 0 }] : []),
      ...(lookup.globalEpoch === undefined ? [{ key: this.globalKey, value: globalEpoch, ttl: 0 }] : []),
    ];
    try {
      await this.backend.setMany(created);
    } catch (error) {
      this.log.error('write', (suppressed) => storeErrorMessage('write an epoch', suppressed), error);
      return undefined;
    }
    return [pathEpoch, globalEpoch];
  }

  /** Stores a rendered page for `ttl` ms (`0` = forever). Never rejects: a failed write only costs a later miss. */
  async save(key: PageKey, entry: PageEntry, ttl: number): Promise<void> {
    if (this.pending.blocks(key.epoch)) return;
    try {
      await this.backend.setMany([{ key: key.entry, value: entry, ttl }]);
    } catch (error) {
      this.log.error('write', (suppressed) => storeErrorMessage('store a page', suppressed), error);
    }
  }

  /**
   * Makes every cached variant of these paths (GET and HEAD, any query string, any spelling)
   * unservable. Throws a `TypeError` for a value that is not a page path; never rejects because
   * of the store: a failed renewal is retried, and this process bypasses the cache for those
   * paths meanwhile.
   */
  async invalidate(paths: Iterable<string>): Promise<void> {
    if (typeof (paths as Partial<Iterable<string>> | null)?.[Symbol.iterator] !== 'function') {
      throw new TypeError(invalidInvalidationPathMessage(paths));
    }
    const pagePaths = new Set<string>();
    for (const path of paths) pagePaths.add(toPagePath(path));
    if (pagePaths.size === 0) return;
    const prefix = this.settings.keyPrefix;
    const epochKeys = [...new Set([...pagePaths].map((path) => pathEpochKey(prefix, path)))];
    await this.renewOrRetry(epochKeys);
    try {
      await this.backend.deleteMany([...pagePaths].map((path) => plainEntryKey(prefix, path)));
    } catch {
      // Only frees memory: the epochs renewed above already made these entries unservable.
    }
  }

  /** Makes every page unservable with one epoch write (never `clear()`, never a key scan). */
  async invalidateAll(): Promise<void> {
    await this.renewOrRetry([this.globalKey]);
  }

  /** Stops retry timers and store listeners. */
  dispose(): void {
    this.pending.dispose();
    this.detachErrorListeners();
  }

  private async renewOrRetry(epochKeys: string[]): Promise<void> {
    if (await this.renewEpochs(epochKeys)) this.pending.settle(epochKeys);
    else this.pending.add(epochKeys);
  }

  /**
   * Writes fresh tokens and reads them back. Keyv-based stores swallow many errors, so a renewal
   * counts as done only when every key now holds a token it did not hold before.
   */
  private async renewEpochs(epochKeys: string[]): Promise<boolean> {
    try {
      const before = await this.backend.getMany(epochKeys);
      const tokens = epochKeys.map(() => newEpochToken());
      await this.backend.setMany(epochKeys.map((key, i) => ({ key, value: tokens[i], ttl: 0 })));
      const after = await this.backend.getMany(epochKeys);
      return after.every(
        (value, i) =>
          value === tokens[i] ||
          (typeof value === 'string' && before[i] !== undefined && value !== before[i]),
      );
    } catch {
      return false;
    }
  }

  private readFailed(error: unknown): undefined {
    this.log.error('read', (suppressed) => storeErrorMessage('read a page', suppressed), error);
    return undefined;
  }
}

/** Interprets `[entry, path epoch, global epoch]` as read in one multi-get. */
function toLookup([entry, pathEpoch, globalEpoch]: readonly unknown[]): PageLookup {
  const current = {
    pathEpoch: typeof pathEpoch === 'string' ? pathEpoch : undefined,
    globalEpoch: typeof globalEpoch === 'string' ? globalEpoch : undefined,
  };
  const valid =
    isPageEntry(entry) &&
    current.pathEpoch !== undefined &&
    entry.e[0] === current.pathEpoch &&
    entry.e[1] === current.globalEpoch;
  return { entry: valid ? entry : undefined, ...current };
}
