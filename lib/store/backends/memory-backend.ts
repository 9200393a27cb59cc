import { LRUCache } from 'lru-cache';
import { newEpochToken, renewedEpochToken } from '../epoch-token.js';
import type { BackendWrite, EpochSeed, PageBackend } from './page-backend.js';

/** A value as held: renewing an epoch replaces it in place, keeping the key's place and TTL. */
interface Slot {
  value: unknown;
}

/**
 * The default store: entries and epochs in an `lru-cache` bounded to `maxEntries` keys, each with
 * its own TTL (bodies live in the page store's byte-bounded body tier). Synchronous, so a hit
 * costs no await. cache-manager's own default is an unbounded Map, which a cache that keeps pages
 * forever would grow without limit. Values are kept by reference and never copied.
 */
export class MemoryBackend implements PageBackend {
  readonly scope = 'memory';
  readonly extendsTtl = false;
  readonly storesBodies = false;
  private readonly slots: LRUCache<string, Slot>;
  private readonly claims: LRUCache<string, true>;

  constructor(maxEntries: number) {
    this.slots = new LRUCache({ max: maxEntries });
    this.claims = new LRUCache({ max: maxEntries, ttlAutopurge: false });
  }

  read(keys: readonly string[]): unknown[] {
    return keys.map((key) => this.slots.get(key)?.value);
  }

  write(writes: readonly BackendWrite[]): void {
    for (const { key, value, ttl } of writes) this.slots.set(key, { value }, { ttl: Math.max(ttl, 0) });
  }

  remove(keys: readonly string[]): void {
    for (const key of keys) this.slots.delete(key);
  }

  createEpochs(seeds: readonly EpochSeed[]): unknown[] {
    const current = this.read(seeds.map((seed) => seed.key));
    const missing = seeds.filter((_, i) => current[i] === undefined);
    this.write(missing.map(({ key, token, ttl }) => ({ key, value: token, ttl })));
    return seeds.map((seed, i) => current[i] ?? seed.token);
  }

  /**
   * Renews the epochs that exist. A missing one needs nothing: no entry validates against it,
   * and a render creates it before it starts. So a batch larger than the store renews only what
   * is there, and never evicts pages to make room for epochs nobody reads.
   */
  invalidateEpochs(
    keys: readonly string[],
    _writer: string,
    _ttl: number,
    _stillHeld: ReadonlySet<string>,
    recordChange: boolean,
  ): boolean {
    const now = recordChange ? Date.now() : undefined;
    for (const key of keys) {
      const slot = this.slots.peek(key);
      if (slot !== undefined) slot.value = renewedEpochToken(newEpochToken(), slot.value, now);
    }
    return true;
  }

  claim(key: string, ms: number): boolean {
    if (this.claims.has(key)) return false;
    this.claims.set(key, true, { ttl: ms });
    return true;
  }

  touch(): void {}

  onError(): () => void {
    return () => undefined;
  }

  dispose(): void {
    this.slots.clear();
  }
}
