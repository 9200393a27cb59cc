import { newEpochToken } from '../epoch-token.js';
import type { BackendWrite, EpochSeed, PageBackend } from './page-backend.js';

interface Slot {
  readonly value: unknown;
  readonly expiresAt: number;
}

/**
 * The default store: entries and epochs in an in-process LRU bounded to `maxEntries` keys
 * (bodies live in the page store's byte-bounded body tier). Synchronous, so a hit costs no
 * await. cache-manager's own default is an unbounded Map, which a cache that keeps pages forever
 * would grow without limit. Values are kept by reference and never copied.
 */
export class MemoryBackend implements PageBackend {
  readonly scope = 'memory';
  readonly extendsTtl = false;
  readonly storesBodies = false;
  private readonly slots = new Map<string, Slot>();

  constructor(private readonly maxEntries: number) {}

  read(keys: readonly string[]): unknown[] {
    const now = Date.now();
    return keys.map((key) => {
      const slot = this.slots.get(key);
      if (slot === undefined) return undefined;
      if (slot.expiresAt <= now) {
        this.slots.delete(key);
        return undefined;
      }
      // Map iteration order is insertion order: re-inserting marks the key most recently used.
      this.slots.delete(key);
      this.slots.set(key, slot);
      return slot.value;
    });
  }

  write(writes: readonly BackendWrite[]): void {
    const now = Date.now();
    for (const { key, value, ttl } of writes) {
      this.slots.delete(key);
      this.slots.set(key, { value, expiresAt: ttl > 0 ? now + ttl : Infinity });
    }
    this.evict();
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
  invalidateEpochs(keys: readonly string[]): boolean {
    for (const key of keys) {
      const slot = this.slots.get(key);
      if (slot !== undefined) this.slots.set(key, { value: newEpochToken(), expiresAt: slot.expiresAt });
    }
    return true;
  }

  touch(): void {}

  onError(): () => void {
    return () => undefined;
  }

  dispose(): void {
    this.slots.clear();
  }

  private evict(): void {
    for (const oldest of this.slots.keys()) {
      if (this.slots.size <= this.maxEntries) break;
      this.slots.delete(oldest);
    }
  }
}
