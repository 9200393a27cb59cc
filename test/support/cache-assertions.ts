import { expect } from '@jest/globals';
import { expectHit as expectCacheHit, expectMiss as expectCacheMiss } from 'nestjs-cache-page/testing';

/** What the cache did for one response: served it, rendered it, or left it alone. */
export type CacheOutcome = 'HIT' | 'MISS' | 'bypass';

/** A supertest response, as far as the assertions read it. */
export interface SeenResponse {
  readonly status: number;
  readonly headers: Record<string, unknown>;
  readonly req?: { readonly method?: string; readonly path?: string };
}

/** `X-Cache` of a response: `HIT`, `MISS`, or `bypass` when the cache left the request alone. */
export function cacheOutcome(response: SeenResponse): CacheOutcome {
  const header = response.headers['x-cache'];
  if (header === undefined) return 'bypass';
  if (header === 'HIT' || header === 'MISS') return header;
  throw new Error(`unexpected X-Cache header ${JSON.stringify(header)}`);
}

/*
 * The assertions compare { request, cache } objects, so a failure names the request it was
 * about: "GET /items/a: expected HIT, received MISS".
 */
function expectOutcome(response: SeenResponse, expected: CacheOutcome, negate = false): void {
  const request = `${response.req?.method ?? 'GET'} ${response.req?.path ?? '?'} (${response.status})`;
  const seen = { request, cache: cacheOutcome(response) };
  if (negate) expect(seen).not.toEqual({ request, cache: expected });
  else expect(seen).toEqual({ request, cache: expected });
}

/** The response came from the cache (`X-Cache: HIT`): the library's own helper, as apps use it. */
export const expectHit = (response: SeenResponse): void => expectCacheHit(response);
/** The response was rendered by the handler and went through the cache (`X-Cache: MISS`). */
export const expectMiss = (response: SeenResponse): void => expectCacheMiss(response);
/** The cache left the request alone: no `X-Cache` header. */
export const expectBypass = (response: SeenResponse): void => expectOutcome(response, 'bypass');
/** The response did not come from the cache (a miss or a bypass). */
export const expectNoHit = (response: SeenResponse): void => expectOutcome(response, 'HIT', true);
