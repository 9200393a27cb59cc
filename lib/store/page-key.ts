import { createHash } from 'node:crypto';
import { canonicalPath, invalidationPaths } from './page-path.js';

/**
 * Where one cached page lives: its entry key, and the epoch key of the page path it belongs to.
 * Every query variant, spelling, host and `Vary` variant of a page shares the path's epoch key,
 * so one epoch write invalidates them all.
 */
export interface PageKey {
  /**
   * `<prefix>GET:<origin><path>[?<query>]`, with `<origin>` empty when hosts are not keyed (on a
   * Redis Cluster, `<prefix>{b<n>}GET:…`: see `pageKey`).
   */
  readonly entry: string;
  /** `<prefix>epoch:<canonical page path>` (on a Redis Cluster, `<prefix>{b<n>}epoch:…`). */
  readonly epoch: string;
}

/** What a request's page key is made of, as the HTTP layer read it from the request. */
export interface PageKeyParts {
  /** `http://host:port` as the request named it, or `''` when pages are not keyed by host. */
  readonly origin: string;
  /** The path as received (percent-encoded), without the query string. */
  readonly path: string;
  /** The query string without `?`, parameters in canonical order, or `''`. */
  readonly query: string;
  /** The canonical page path the page belongs to (what invalidation names). */
  readonly pagePath: string;
}

/** Keys longer than this are shortened to a readable head plus a hash of the whole. */
export const MAX_KEY_LENGTH = 512;
const KEY_HEAD_LENGTH = 200;

/**
 * The page key of one request. With `buckets` (a Redis Cluster), both keys carry the hash tag of
 * the page path's bucket after the prefix (`<prefix>{b7}GET:…`, `<prefix>{b7}epoch:…`), so a
 * page's keys share one slot.
 */
export function pageKey(prefix: string, parts: PageKeyParts, buckets = 0): PageKey {
  const url = `${parts.origin}${parts.path}${parts.query === '' ? '' : `?${parts.query}`}`;
  const tagged = prefix + bucketTag(parts.pagePath, buckets);
  return { entry: boundKey(`${tagged}GET:${url}`), epoch: epochKeyOf(prefix, parts.pagePath, buckets) };
}

/**
 * `{b<n>}`, the hash tag of the bucket a canonical page path belongs to when keys are spread over
 * `buckets` (a Redis Cluster), or `''` when they are not (`buckets` 0).
 */
export function bucketTag(pagePath: string, buckets: number): string {
  return buckets > 0 ? bucketTagOf(bucketOf(pagePath, buckets)) : '';
}

/** The hash tag of bucket `n`: `{b<n>}`. */
export const bucketTagOf = (bucket: number): string => `{b${bucket}}`;

/** The bucket of a canonical page path: FNV-1a of the path, modulo `buckets`. */
function bucketOf(pagePath: string, buckets: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < pagePath.length; i++) {
    hash ^= pagePath.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % buckets;
}

/**
 * Whether a key is one that every page may depend on: the global epoch, or a dependency key of
 * `dependencies: 'auto'` (`<prefix>dep:…`, see `lib/dependencies/dependency-key.ts`). A Redis
 * Cluster keeps one copy of each per bucket.
 */
export const isSharedEpochKey = (prefix: string, key: string): boolean =>
  key === globalEpochKey(prefix) || key.startsWith(`${prefix}dep:`);

/** The key of one `Vary` variant of a page: the page key plus a digest of the varied values. */
export const variantKey = (entryKey: string, varied: string): string =>
  `${entryKey}#vary:${createHash('sha256').update(varied).digest('base64url').slice(0, 22)}`;

/** The epoch that every page depends on; `invalidateAll()` renews it. */
export const globalEpochKey = (prefix: string): string => `${prefix}epoch`;

/** The epoch key of a canonical page path (with its bucket's hash tag when `buckets` > 0). */
export const epochKeyOf = (prefix: string, pagePath: string, buckets = 0): string =>
  boundKey(`${prefix}${bucketTag(pagePath, buckets)}epoch:${pagePath}`);

/**
 * The epoch keys an invalidation of `path` renews: one per reading of the value (see
 * `invalidationPaths`), each also passed through `mapPath` (global prefix, versions).
 */
export function invalidationEpochKeys(
  prefix: string,
  path: unknown,
  mapPath: (canonical: string) => string = (canonical) => canonical,
  buckets = 0,
): string[] {
  const keys = new Set<string>();
  for (const reading of invalidationPaths(path)) {
    keys.add(epochKeyOf(prefix, reading, buckets));
    keys.add(epochKeyOf(prefix, canonicalPath(mapPath(reading)), buckets));
  }
  return [...keys];
}

/** Where a page body lives in a shared store: addressed by its content, so it never changes. */
export const bodyKey = (prefix: string, digest: string): string => `${prefix}body:${digest}`;

/**
 * Sorts `a=1&b=2` pairs by name so that parameter order never splits one page into several
 * entries. The sort is stable: repeated parameters (`a=1&a=2`) keep their order, which can
 * change what the page shows.
 */
export function canonicalQuery(query: string): string {
  if (query === '') return '';
  const pairs = query.split('&').filter((pair) => pair !== '');
  if (pairs.length < 2) return pairs[0] ?? '';
  const name = (pair: string) => {
    const separator = pair.indexOf('=');
    return separator === -1 ? pair : pair.slice(0, separator);
  };
  return pairs
    .map((pair) => [name(pair), pair] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, pair]) => pair)
    .join('&');
}

export function boundKey(key: string): string {
  if (key.length <= MAX_KEY_LENGTH) return key;
  const digest = createHash('sha256').update(key).digest('base64url');
  return `${key.slice(0, KEY_HEAD_LENGTH)}…#${digest}`;
}
