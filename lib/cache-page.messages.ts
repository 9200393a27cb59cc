/** Every text the module throws or logs, so they stay consistent and name the fix. */
const MODULE = 'CachePageModule';

export const invalidOptionMessage = (option: string, value: unknown, expected: string): string =>
  `${MODULE}: option "${option}" ${expected} (got ${describe(value)}). ` +
  `Fix it in CachePageModule.forRoot({ ${option}: … }) or in your forRootAsync() factory.`;

export const invalidIgnorePathMessage = (value: unknown, reason: string): string =>
  `${MODULE}: "ignorePaths" entry ${describe(value)} is not a valid regular expression (${reason}). ` +
  `Pass a RegExp such as /^\\/admin\\// or a valid pattern string.`;

export const invalidCacheMessage = (missing: string[]): string =>
  `${MODULE}: option "cache" is not a cache-manager Cache (missing ${missing.join(', ')}). ` +
  `Pass the Cache returned by createCache() from 'cache-manager', or inject CACHE_MANAGER.`;

export const invalidInvalidationPathMessage = (value: unknown): string =>
  `${MODULE}: cannot invalidate ${describe(value)}: a page path must be a string starting with "/" ` +
  `(an absolute URL is reduced to its path).`;

export const storeErrorMessage = (operation: string, suppressed: number): string =>
  `${MODULE}: the page store failed to ${operation}; requests are served uncached meanwhile` +
  (suppressed > 0 ? ` (${suppressed} similar errors suppressed)` : '') +
  '.';

export const invalidationFailedMessage = (count: number, retryInMs: number): string =>
  `${MODULE}: invalidating ${count} page path(s) failed; those pages are not served from the ` +
  `cache by this process until a retry succeeds (next in ${retryInMs} ms).`;

export const invalidationRecoveredMessage = (count: number): string =>
  `${MODULE}: a retried invalidation of ${count} page path(s) succeeded; the cache serves them again.`;

/** Renders a user-supplied value for an error text, briefly and without throwing. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 200 ? `${value.slice(0, 200)}…` : value);
  if (value instanceof RegExp) return String(value);
  if (typeof value === 'function') return value.name ? `function ${value.name}` : 'a function';
  if (value === null || value === undefined) return String(value);
  try {
    const json = JSON.stringify(value);
    return json === undefined ? typeof value : json.length > 200 ? `${json.slice(0, 200)}…` : json;
  } catch {
    return typeof value;
  }
}
