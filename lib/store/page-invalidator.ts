import {
  invalidInvalidationPathMessage,
  invalidationBatchTooLargeMessage,
  invalidationHeldMessage,
  invalidationRecoveredMessage,
} from '../cache-page.messages.js';
import type { InvalidationFollower } from './invalidation-follower.js';
import type { LeaseBook } from './lease-book.js';
import { invalidationEpochKeys } from './page-key.js';
import { PendingInvalidations } from './pending-invalidations.js';
import type { StoreContext } from './store-context.js';

/** Beyond this many epoch keys, an invalidation of a shared store renews the global epoch instead. */
export const MAX_INVALIDATION_KEYS = 1_000;

/**
 * Invalidation: page paths → their epoch keys, renewed in one store call. A renewal the store
 * did not take is held and retried, and this process neither serves nor stores the pages under
 * those keys meanwhile (`blocks`).
 */
export class PageInvalidator {
  private readonly pending: PendingInvalidations;
  private renewedListeners: ReadonlyArray<(keys: readonly string[]) => void> = [];
  private follower: InvalidationFollower | undefined;

  constructor(
    private readonly context: StoreContext,
    private readonly leases: LeaseBook,
    private readonly store: { readonly available: boolean },
  ) {
    this.pending = new PendingInvalidations(
      { globalKey: context.globalKey, maxKeys: 10_000, initialDelayMs: 250, maxDelayMs: 5_000 },
      {
        retry: (keys) => this.renew(keys),
        failed: (count, retryInMs) =>
          context.log.error('invalidate', () => invalidationHeldMessage(count, retryInMs)),
        recovered: (count) => context.log.error('recovered', () => invalidationRecoveredMessage(count)),
      },
    );
  }

  /** How many buckets page keys are spread over (a Redis Cluster), else 0. */
  private get buckets(): number {
    return this.context.backend.keyBuckets ?? 0;
  }

  /** Whether pages under this epoch key must bypass the cache, because its invalidation is held. */
  blocks(epochKey: string): boolean {
    return this.pending.blocks(epochKey);
  }

  /** How many epoch keys' invalidations are held. */
  get held(): number {
    return this.pending.size;
  }

  /** Retries the held invalidations now (the store answers again). */
  retryNow(): void {
    this.pending.retryNow();
  }

  /**
   * The epoch keys of these paths (every spelling the app serves them under) and the given
   * dependency keys (already epoch keys), or the global
   * epoch alone when a shared store would get more than `MAX_INVALIDATION_KEYS`. Throws a
   * `TypeError` for a value that is not an iterable of page paths.
   */
  epochKeysOf(paths: Iterable<string>, dependencyKeys: Iterable<string> = []): string[] {
    if (typeof (paths as Partial<Iterable<string>> | null)?.[Symbol.iterator] !== 'function') {
      throw new TypeError(invalidInvalidationPathMessage(paths));
    }
    const { keyPrefix, paths: mapping } = this.context.settings;
    const keys = new Set<string>(dependencyKeys);
    for (const path of paths) {
      const mapPath = (canonical: string) => mapping.strip(canonical);
      for (const key of invalidationEpochKeys(keyPrefix, path, mapPath, this.buckets)) {
        keys.add(key);
      }
    }
    if (this.context.shared && keys.size > MAX_INVALIDATION_KEYS) {
      this.context.log.warn(invalidationBatchTooLargeMessage(keys.size, MAX_INVALIDATION_KEYS));
      return [this.context.globalKey];
    }
    return [...keys];
  }

  /** Renews the epochs, or holds them for a retry; never rejects because of the store. */
  async renewOrHold(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    const renewal = await this.renewAndFollow(keys);
    if (renewal) await renewal.followed;
    else this.pending.add(keys, this.store.available);
  }

  /** Tells `follower` of every renewal from now on (edge caches). */
  follow(follower: InvalidationFollower): void {
    this.follower = follower;
  }

  /** Before these keys are renewed or leased: tells the follower. */
  intend(keys: readonly string[]): Promise<void> {
    return this.follower && keys.length > 0 ? this.follower.intend(keys) : Promise.resolve();
  }

  /**
   * Renews epochs; `true` once certain. Held retries settle as a side effect. `recordChange:
   * false` (a restored store): no page under the old epochs may be served in a grace.
   */
  async renew(keys: readonly string[], recordChange = true): Promise<boolean> {
    return (await this.renewAndFollow(keys, recordChange)) !== undefined;
  }

  /** Renews epochs; once certain, gives what the follower does about it (`undefined`: not renewed). */
  private async renewAndFollow(
    keys: readonly string[],
    recordChange = true,
  ): Promise<{ followed: Promise<void> } | undefined> {
    const { backend, writer, settings } = this.context;
    const stillHeld = this.leases.stillHeld;
    const renewed = await this.context.attempt('invalidate pages', () =>
      backend.invalidateEpochs(keys, writer, settings.reclaimAfterMs, stillHeld, recordChange),
    );
    if (renewed !== true) return undefined;
    this.pending.settle(keys);
    this.leases.renewed(keys);
    if (!this.leases.isNamed) backend.leases?.heartbeat(writer, false);
    for (const listener of this.renewedListeners) listener(keys);
    // Wrapped: an async function's returned promise would be awaited in place of being handed on.
    return { followed: this.follower?.renewed(keys) ?? Promise.resolve() };
  }

  /** Calls `listener` with the epoch keys of every renewal that succeeded (for `stats()`). */
  onRenewed(listener: (keys: readonly string[]) => void): void {
    this.renewedListeners = [...this.renewedListeners, listener];
  }

  /** Stops the retries. */
  dispose(): void {
    this.pending.dispose();
  }
}
