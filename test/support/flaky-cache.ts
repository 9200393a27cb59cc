import type { Cache } from 'cache-manager';

/**
 * A real cache-manager `Cache` behind a switch: while `down`, every operation rejects the way a
 * lost Redis connection does. Calls to `clear()` are counted (the module must never make one).
 */
export class FlakyCache {
  down = false;
  clearCalls = 0;
  readonly cache: Cache;

  constructor(inner: Cache) {
    const guard =
      <A extends unknown[], R>(operation: (...args: A) => Promise<R>) =>
      (...args: A): Promise<R> =>
        this.down ? Promise.reject(new Error('store unreachable')) : operation(...args);
    this.cache = {
      ...inner,
      get: guard(inner.get),
      mget: guard(inner.mget),
      set: guard(inner.set),
      mset: guard(inner.mset),
      del: guard(inner.del),
      mdel: guard(inner.mdel),
      clear: () => {
        this.clearCalls += 1;
        return inner.clear();
      },
    } as Cache;
  }
}
