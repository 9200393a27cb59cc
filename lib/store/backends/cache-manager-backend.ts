import type { Cache } from 'cache-manager';
import { newEpochToken, renewedEpochToken } from '../epoch-token.js';
import type { BackendWrite, EpochSeed, PageBackend } from './page-backend.js';

interface Emitter {
  on?: (event: string, listener: (...args: never[]) => void) => unknown;
  off?: (event: string, listener: (...args: never[]) => void) => unknown;
}

/**
 * Pages over any cache-manager 7 `Cache` (a Keyv store other than Redis, or a tiered setup).
 * cache-manager has no atomic or expiry-only operations, so this backend gives the plain
 * guarantees: epochs, deadlines and fallbacks, but no crash leases and no restore detection
 * (README, "When things fail"); epochs live for `reclaimAfter` from their creation.
 */
export class CacheManagerBackend implements PageBackend {
  readonly scope = 'shared';
  readonly extendsTtl = false;
  readonly storesBodies = true;

  constructor(private readonly cache: Cache) {}

  read(keys: readonly string[]): Promise<unknown[]> {
    return this.cache.mget([...keys]);
  }

  async write(writes: readonly BackendWrite[]): Promise<void> {
    // One key needs no batch: on Redis, a SET instead of MULTI/SET/EXEC.
    if (writes.length === 1) await this.cache.set(writes[0].key, writes[0].value, writes[0].ttl);
    else if (writes.length > 1) await this.cache.mset(writes.map((write) => ({ ...write })));
  }

  async remove(keys: readonly string[]): Promise<void> {
    if (keys.length > 0) await this.cache.mdel([...keys]);
  }

  async createEpochs(seeds: readonly EpochSeed[]): Promise<unknown[]> {
    const current = await this.read(seeds.map((seed) => seed.key));
    const missing = seeds.filter((_, i) => typeof current[i] !== 'string');
    await this.write(missing.map(({ key, token, ttl }) => ({ key, value: token, ttl })));
    return seeds.map((seed, i) => (typeof current[i] === 'string' ? current[i] : seed.token));
  }

  /**
   * Writes fresh tokens and reads them back. Keyv-based stores swallow many errors, so this
   * counts as done only when every key now holds a token it did not hold before.
   */
  async invalidateEpochs(
    keys: readonly string[],
    _writer: string,
    ttl: number,
    _stillHeld: ReadonlySet<string>,
    recordChange: boolean,
  ): Promise<boolean> {
    const before = await this.read(keys);
    const now = recordChange ? Date.now() : undefined;
    const tokens = keys.map((_, i) => renewedEpochToken(newEpochToken(), before[i], now));
    await this.write(keys.map((key, i) => ({ key, value: tokens[i], ttl })));
    const after = await this.read(keys);
    return after.every(
      (value, i) =>
        value === tokens[i] || (typeof value === 'string' && before[i] !== undefined && value !== before[i]),
    );
  }

  /** Not atomic on a plain cache-manager store: two instances may both win (and both render). */
  async claim(key: string, ms: number): Promise<boolean> {
    const [held] = await this.read([key]);
    if (held !== undefined) return false;
    await this.write([{ key, value: 1, ttl: ms }]);
    return true;
  }

  touch(): void {}

  /** Keyv stores report many failures only as `error` events, and cache-manager as `mget` events. */
  onError(listener: (error: unknown) => void): () => void {
    const onEvent = (event: { error?: unknown }) => {
      if (event?.error !== undefined) listener(event.error);
    };
    const stores = (this.cache.stores ?? []) as unknown as Emitter[];
    const emitter = this.cache as unknown as Emitter;
    for (const store of stores) store.on?.('error', listener);
    emitter.on?.('mget', onEvent);
    return () => {
      for (const store of stores) store.off?.('error', listener);
      emitter.off?.('mget', onEvent);
    };
  }

  dispose(): void {}
}
