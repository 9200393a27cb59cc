import type { Cache } from 'cache-manager';
import type { BackendEntry, PageBackend } from './page-backend.js';

interface Emitter {
  on?: (event: string, listener: (...args: never[]) => void) => unknown;
  off?: (event: string, listener: (...args: never[]) => void) => unknown;
}

/** Pages over a cache-manager 7 `Cache` (memory, Redis, any Keyv store). */
export class CacheManagerBackend implements PageBackend {
  constructor(private readonly cache: Cache) {}

  getMany(keys: readonly string[]): Promise<unknown[]> {
    return this.cache.mget([...keys]);
  }

  async setMany(entries: readonly BackendEntry[]): Promise<void> {
    // One key needs no batch: on Redis, a SET instead of MULTI/SET/EXEC.
    if (entries.length === 1) await this.cache.set(entries[0].key, entries[0].value, entries[0].ttl);
    else await this.cache.mset(entries.map((entry) => ({ ...entry })));
  }

  async deleteMany(keys: readonly string[]): Promise<void> {
    await this.cache.mdel([...keys]);
  }

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
}
