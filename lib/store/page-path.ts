import { invalidInvalidationPathMessage } from '../cache-page.messages.js';

/**
 * Canonical page paths: the one form both sides of the cache agree on. A request path is
 * percent-decoded (what the router matches route parameters against, so `/labels/c%23` becomes
 * `/labels/c#`), and a path given to `invalidate()` or returned by `dependentPaths()` is read as
 * that decoded form. Both are then folded the same way: Unicode NFC, lower case, duplicate
 * slashes collapsed, trailing slashes removed. Folding may merge distinct pages into one epoch;
 * that only over-invalidates, which is safe.
 */
export function canonicalPath(decodedPath: string): string {
  let path = decodedPath
    .normalize('NFC')
    .toLowerCase()
    .replace(/\/{2,}/g, '/');
  if (path.length > 1 && path.endsWith('/')) path = path.replace(/\/+$/, '');
  return path === '' ? '/' : path;
}

/** The canonical path of a request path as received (still percent-encoded, no query string). */
export const requestPagePath = (rawPath: string): string => canonicalPath(percentDecode(rawPath));

/**
 * Every canonical path a value given to `invalidate()` or `dependentPaths()` may name. The value
 * is read as a decoded path (`/labels/c#`, `/labels/100%`, a trailing space), but users also write
 * encoded paths (`/posts/caf%C3%A9`), query strings (`/posts?page=2`, meaning `/posts`) and
 * absolute URLs, so the decoded, cut and trimmed readings are invalidated too: renewing an epoch
 * nobody uses costs nothing, missing the page's own epoch would leave it stale forever.
 *
 * @throws TypeError when the value is not a string naming a path (`/…` or an absolute URL)
 */
export function invalidationPaths(value: unknown): string[] {
  if (typeof value !== 'string') throw new TypeError(invalidInvalidationPathMessage(value));
  const literal = withoutOrigin(value.trimStart());
  if (literal === undefined || !literal.startsWith('/')) {
    throw new TypeError(invalidInvalidationPathMessage(value));
  }
  const cut = literal.replace(/[?#].*$/s, '');
  const readings = new Set<string>();
  for (const reading of [literal, cut, literal.trimEnd(), cut.trimEnd()]) {
    readings.add(canonicalPath(reading));
    readings.add(canonicalPath(percentDecode(reading)));
  }
  return [...readings];
}

/**
 * The main reading of a value given to `invalidate()` or `dependentPaths()`, for reports: read as
 * a decoded path, without its origin, folded (`/Posts/Hello/` → `/posts/hello`). A value that is
 * no path is returned as it is.
 */
export function canonicalInvalidationPath(value: string): string {
  const literal = withoutOrigin(value.trimStart());
  return literal?.startsWith('/') ? canonicalPath(literal) : value;
}

/** `https://host/a?b` → `/a?b`; a value without a scheme is returned as it is. */
function withoutOrigin(value: string): string | undefined {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return value;
  const pathStart = value.indexOf('/', value.indexOf('//') + 2);
  if (pathStart === -1) return '/';
  return value.slice(pathStart);
}

/** Decodes percent-escapes, leaving malformed ones as they are (never throws). */
export function percentDecode(path: string): string {
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
