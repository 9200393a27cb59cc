import { invalidOptionMessage, invalidRouteOptionMessage } from '../cache-page.messages.js';

/** Directives that would keep the cache itself from storing the page (`PRIVATE_CACHE_CONTROL`). */
const REFUSED = /(?:^|,)\s*(?:private|no-store)\s*(?:[=,]|$)/i;

/**
 * A `cacheControl` value: `false` (send none), or a `Cache-Control` header value the cache can
 * still store pages under (no `private`, no `no-store`, one line). `undefined` when the value is
 * not one; `route` names `@CachePage()` in the error instead of the module.
 */
export function checkCacheControl(value: unknown, route = false): string | false {
  if (value === false) return false;
  const valid =
    typeof value === 'string' && value.trim() !== '' && !/[\r\n\0]/.test(value) && !REFUSED.test(value);
  if (valid) return value.trim();
  const expected =
    "must be false or a Cache-Control value the cache can store a page under, such as 'no-cache' or 'max-age=60' (not 'private' or 'no-store', which make every page uncacheable)";
  throw new TypeError(
    route
      ? invalidRouteOptionMessage('cacheControl', value, expected)
      : invalidOptionMessage('cacheControl', value, expected),
  );
}
