import { createHash } from 'node:crypto';
import { canonicalPath, invalidationPaths } from './page-path.js';

/**
 * Where one cached page lives: its entry key, and the epoch key of the page path it belongs to.
 * Every query variant, spelling, host and `Vary` variant of a page shares the path's epoch key,
 * so one epoch write invalidates them all.
 */
export interface PageKey {
  /** `<prefix>GET:<origin><path>[?<query>]`, with `<origin>` empty when hosts are not keyed. */
  readonly entry: string;
  /** `<prefix>epoch:<canonical page path>`. */
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

/** The page key of one request. */
export function pageKey(prefix: string, parts: PageKeyParts): PageKey {
  const url = `${parts.origin}${parts.path}${parts.query === '' ? '' : `?${parts.query}`}`;
  return { entry: boundKey(`${prefix}GET:${url}`), epoch: epochKeyOf(prefix, parts.pagePath) };
}

/** The key of one `Vary` variant of a page: the page key plus a digest of the varied values. */
export const variantKey = (entryKey: string, varied: string): string =>
  `${entryKey}#vary:${createHash('sha256').update(varied).digest('base64url').slice(0, 22)}`;

/** The epoch that every page depends on; `invalidateAll()` renews it. */
export const globalEpochKey = (prefix: string): string => `${prefix}epoch`;

/** The epoch key of a canonical page path. */
export const epochKeyOf = (prefix: string, pagePath: string): string =>
  boundKey(`${prefix}epoch:${pagePath}`);

/**
 * The epoch keys an invalidation of `path` renews: one per reading of the value (see
 * `invalidationPaths`), each also passed through `mapPath` (global prefix, versions).
 */
export function invalidationEpochKeys(
  prefix: string,
  path: unknown,
  mapPath: (canonical: string) => string = (canonical) => canonical,
): string[] {
  const keys = new Set<string>();
  for (const reading of invalidationPaths(path)) {
    keys.add(epochKeyOf(prefix, reading));
    keys.add(epochKeyOf(prefix, canonicalPath(mapPath(reading))));
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
