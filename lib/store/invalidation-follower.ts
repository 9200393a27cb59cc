/**
 * Something kept in step with the store's invalidations (edge caches): told before epoch keys are
 * leased or renewed, and after each renewal that succeeded (retries of held ones included).
 */
export interface InvalidationFollower {
  /** Before a lease or renewal of these epoch keys (e.g. records the intent to purge them). */
  intend(epochKeys: readonly string[]): Promise<void>;
  /** After a renewal of these epoch keys succeeded; the invalidation resolves when this does. */
  renewed(epochKeys: readonly string[]): Promise<void>;
}
