import type { BackendEntry, PageBackend } from './page-backend.js';

interface Slot {
  readonly value: unknown;
  readonly expiresAt: number;
}

/**
 * The default store: an in-process LRU bounded to `maxEntries` keys, synchronous so that a hit
 * costs no await. (cache-manager's own default is an unbounded Map, which a cache that keeps
 * pages forever would grow without limit.) Values are kept by reference and never copied.
 */
export class MemoryBackend implements PageBackend {
  private readonly slots = new Map<string, Slot>();

  constructor(private readonly maxEntries: number) {}

  getMany(keys: readonly string[]): unknown[] {
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

  setMany(entries: readonly BackendEntry[]): void {
    const now = Date.now();
    for (const { key, value, ttl } of entries) {
      this.slots.delete(key);
      this.slots.set(key, { value, expiresAt: ttl > 0 ? now + ttl : Infinity });
    }
    for (const oldest of this.slots.keys()) {
      if (this.slots.size <= this.maxEntries) break;
      this.slots.delete(oldest);
    }
  }

  deleteMany(keys: readonly string[]): void {
    for (const key of keys) this.slots.delete(key);
  }

  onError(): () => void {
    return () => undefined;
  }
}
