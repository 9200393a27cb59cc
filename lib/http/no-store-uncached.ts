import type { AbstractHttpAdapter } from '@nestjs/core';

/**
 * `noStoreUncached`: a response the cache never serves (a bypassing request, an ignored path,
 * `@NoCachePage()`, a personal page) tells browsers not to keep it either, unless the app said
 * how it may be cached or the headers already went out.
 */
export function markNeverServed(
  adapter: AbstractHttpAdapter,
  response: object,
  noStoreUncached: boolean,
): void {
  if (!noStoreUncached || adapter.isHeadersSent(response)) return;
  if (adapter.getHeader(response, 'cache-control') === undefined) {
    adapter.setHeader(response, 'Cache-Control', 'no-store');
  }
}
