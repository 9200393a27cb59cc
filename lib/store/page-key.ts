import { createHash } from 'node:crypto';
import { invalidInvalidationPathMessage } from '../cache-page.messages.js';

/**
 * Where one cached page lives: its entry key, and the epoch key of the path it belongs to.
 * Every query variant and alias of a path shares the path's epoch key, so one epoch write
 * invalidates them all.
 */
export interface PageKey {
  /** `<prefix><METHOD>:<path>[?<sorted query>]`, as requested (aliases get their own entry). */
  readonly entry: string;
  /** `<prefix>epoch:<normalised path>`. */
  readonly epoch: string;
  /** The request path without the query string, as received. */
  readonly path: string;
  /** The normalised path: decoded, lower-cased, without duplicate or trailing slashes. */
  readonly normalisedPath: string;
}

/** Keys longer than this are shortened to a readable head plus a hash of the whole. */
export const MAX_KEY_LENGTH = 512;
const KEY_HEAD_LENGTH = 200;

/** The epoch that every page depends on; `invalidateAll()` renews it. */
export const globalEpochKey = (prefix: string): string => `${prefix}epoch`;

/** The epoch key of a page path (any spelling of it). */
export const pathEpochKey = (prefix: string, path: string): string =>
  boundKey(`${prefix}epoch:${normalisePath(path)}`);

/** Builds the key of the page requested by `method url` (url = path plus optional query). */
export function pageKeyFromUrl(prefix: string, method: string, url: string): PageKey {
  const queryStart = url.indexOf('?');
  const path = queryStart === -1 ? url : url.slice(0, queryStart);
  const query = queryStart === -1 ? '' : sortQuery(url.slice(queryStart + 1));
  const normalisedPath = normalisePath(path);
  return {
    entry: boundKey(`${prefix}${method}:${path}${query === '' ? '' : `?${query}`}`),
    epoch: boundKey(`${prefix}epoch:${normalisedPath}`),
    path,
    normalisedPath,
  };
}

/** The entry key of the plain (query-less) GET page of `path`. */
export const plainEntryKey = (prefix: string, path: string): string => boundKey(`${prefix}GET:${path}`);

/**
 * Canonical form of a path for invalidation: percent-decoded where valid, Unicode NFC,
 * lower-cased, duplicate slashes collapsed, trailing slash removed. Folding case and slashes may
 * merge distinct pages into one epoch; that only over-invalidates, which is safe.
 */
export function normalisePath(path: string): string {
  let normalised = safeDecode(path)
    .normalize('NFC')
    .toLowerCase()
    .replace(/\/{2,}/g, '/');
  if (normalised.length > 1 && normalised.endsWith('/')) normalised = normalised.replace(/\/+$/, '');
  return normalised === '' ? '/' : normalised;
}

/**
 * Reduces what a user or `dependentPaths()` names to a page path: an absolute URL loses its
 * origin, and query string and fragment are dropped. Throws for anything that is not a path.
 */
export function toPagePath(value: unknown): string {
  if (typeof value !== 'string') throw new TypeError(invalidInvalidationPathMessage(value));
  let path = value.trim();
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path)) {
    const afterOrigin = path.indexOf('/', path.indexOf('//') + 2);
    path = afterOrigin === -1 ? '/' : path.slice(afterOrigin);
  }
  path = path.replace(/[?#].*$/s, '');
  if (!path.startsWith('/')) throw new TypeError(invalidInvalidationPathMessage(value));
  return path;
}

/** Sorts `a=1&b=2` pairs so that parameter order never splits one page into several entries. */
function sortQuery(query: string): string {
  if (query === '') return '';
  const pairs = query.split('&').filter((pair) => pair !== '');
  return pairs.length < 2 ? (pairs[0] ?? '') : pairs.sort().join('&');
}

/** Decodes percent-escapes one by one, leaving malformed ones as they are. */
function safeDecode(path: string): string {
  if (!path.includes('%')) return path;
  try {
    return decodeURIComponent(path);
  } catch {
    return path.replace(/(?:%[0-9a-f]{2})+/gi, (run) => {
      try {
        return decodeURIComponent(run);
      } catch {
        return run;
      }
    });
  }
}

function boundKey(key: string): string {
  if (key.length <= MAX_KEY_LENGTH) return key;
  const digest = createHash('sha256').update(key).digest('base64url');
  return `${key.slice(0, KEY_HEAD_LENGTH)}…#${digest}`;
}
