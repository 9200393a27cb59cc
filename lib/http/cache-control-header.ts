import type { AbstractHttpAdapter } from '@nestjs/core';
import { markNeverServed } from './no-store-uncached.js';

/**
 * `cacheControl`: before a miss renders, its response is given the route's `Cache-Control`
 * (unless middleware already set one; the route's own, set later, replaces it). Gives the value
 * set, or `undefined` when none was.
 */
export function tellCaches(
  adapter: AbstractHttpAdapter,
  response: object,
  value: string | false,
): string | undefined {
  if (value === false || adapter.getHeader(response, 'cache-control') !== undefined) return undefined;
  adapter.setHeader(response, 'Cache-Control', value);
  return value;
}

/**
 * A render that turned out personal is never stored: a shared cache must not keep it either.
 * `private` is added to the value the cache set (`no-store` with `noStoreUncached`); a value the
 * route set itself is left alone.
 */
export function keepPrivate(
  adapter: AbstractHttpAdapter,
  response: object,
  told: string | undefined,
  noStoreUncached: boolean,
): void {
  if (adapter.isHeadersSent(response)) return;
  const ours = told !== undefined && adapter.getHeader(response, 'cache-control') === told;
  if (ours && noStoreUncached) adapter.setHeader(response, 'Cache-Control', 'no-store');
  else if (ours) adapter.setHeader(response, 'Cache-Control', `private, ${told}`);
  else markNeverServed(adapter, response, noStoreUncached);
}
