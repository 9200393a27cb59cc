import { AssertionError } from 'node:assert';

/**
 * A response as any HTTP client gives it: supertest's and Node's (`headers` an object) or
 * `fetch`'s (`headers` a `Headers`).
 *
 * @publicApi
 */
export interface ResponseWithHeaders {
  readonly headers: { get(name: string): string | null } | Readonly<Record<string, unknown>>;
  readonly status?: number;
  readonly statusCode?: number;
  /** supertest's request, for the message. */
  readonly req?: { readonly method?: string; readonly path?: string };
}

/**
 * Asserts that the response was served from the page cache (`X-Cache: HIT`): the handler did not
 * run for it. Throws an `AssertionError` (which Jest, Vitest and `node:test` report) otherwise.
 *
 * For example: `expectHit(await request(app.getHttpServer()).get('/posts/hello'))`
 *
 * @publicApi
 */
export function expectHit(response: ResponseWithHeaders): void {
  expectCacheStatus(response, 'HIT', expectHit);
}

/**
 * Asserts that the response was rendered by its handler and went through the page cache
 * (`X-Cache: MISS`): the next identical request can be a hit.
 *
 * @publicApi
 */
export function expectMiss(response: ResponseWithHeaders): void {
  expectCacheStatus(response, 'MISS', expectMiss);
}

function expectCacheStatus(response: ResponseWithHeaders, expected: string, caller: Function): void {
  const actual = cacheStatusOf(response);
  if (actual === expected) return;
  const request = response.req ? `${response.req.method ?? 'GET'} ${response.req.path ?? ''} ` : '';
  const status = response.status ?? response.statusCode;
  throw new AssertionError({
    message: `expected ${request}to be a cache ${expected} (X-Cache: ${expected}), but it was ${
      actual === undefined ? 'left alone by the cache (no X-Cache header)' : `X-Cache: ${actual}`
    }${status === undefined ? '' : ` with status ${status}`}`,
    actual: actual ?? '(no X-Cache header)',
    expected,
    operator: 'strictEqual',
    stackStartFn: caller,
  });
}

/** The `X-Cache` header of a response, whatever client gave it. */
function cacheStatusOf({ headers }: ResponseWithHeaders): string | undefined {
  if (typeof headers.get === 'function')
    return (headers as { get(name: string): string | null }).get('x-cache') ?? undefined;
  const value = (headers as Readonly<Record<string, unknown>>)['x-cache'];
  return value === undefined ? undefined : String(value);
}
