import { Injectable } from '@nestjs/common';
import { PageStore } from '../store/page-store.js';

/**
 * What `CachePageHealthIndicator.isHealthy()` reports under its key, in the shape
 * `@nestjs/terminus` reads.
 *
 * @publicApi
 */
export interface CachePageHealth {
  /** `degraded` while pages are served uncached (the store does not answer, or invalidations are held). */
  readonly status: 'up' | 'degraded' | 'down';
  /** Whether the store answers (its circuit is closed). */
  readonly store: 'answering' | 'not answering';
  /** Epoch keys whose invalidation is held for a retry. */
  readonly heldInvalidations: number;
  /** Store calls that failed or timed out since startup. */
  readonly storeErrors: number;
}

/**
 * A health indicator for `@nestjs/terminus` (it imports nothing of it, so apps without terminus
 * pay nothing). The cache fails open, so a store that does not answer leaves the site serving
 * pages uncached: it reports `degraded` (terminus 12 answers 200 and says so), not `down`,
 * unless `downWhenStoreDown` asks for it.
 *
 * For example:
 * `@Get('health') @HealthCheck() check() { return this.health.check([() => this.cachePage.isHealthy()]); }`
 *
 * @publicApi
 */
@Injectable()
export class CachePageHealthIndicator {
  constructor(private readonly store: PageStore) {}

  /** The cache's health under `key` (default `'page-cache'`). */
  isHealthy<K extends string = 'page-cache'>(
    key: K = 'page-cache' as K,
    options: { readonly downWhenStoreDown?: boolean } = {},
  ): Record<K, CachePageHealth> {
    const { errors, down, heldInvalidations } = this.store.status();
    const status =
      down && options.downWhenStoreDown ? 'down' : down || heldInvalidations > 0 ? 'degraded' : 'up';
    const health: CachePageHealth = {
      status,
      store: down ? 'not answering' : 'answering',
      heldInvalidations,
      storeErrors: errors,
    };
    return { [key]: health } as Record<K, CachePageHealth>;
  }
}
