import type { IncomingHttpHeaders } from 'node:http';

/**
 * Whether a request must bypass the cache entirely (never served from it, nothing stored):
 * it carries credentials (`Authorization`, `Proxy-Authorization`), one of the `bypassCookies`,
 * or a body (a GET whose page could depend on it: keys never hold bodies).
 */
export function bypassesCache(
  headers: IncomingHttpHeaders | undefined,
  bypassCookies: readonly string[],
): boolean {
  return bypassReason(headers, bypassCookies) !== undefined;
}

/** Why a request bypasses the cache (see `bypassesCache`), or `undefined` when it does not. */
export function bypassReason(
  headers: IncomingHttpHeaders | undefined,
  bypassCookies: readonly string[],
): 'credentials' | 'body' | 'bypass-cookie' | undefined {
  if (!headers) return undefined;
  if (headers.authorization !== undefined || headers['proxy-authorization'] !== undefined)
    return 'credentials';
  if (hasBody(headers)) return 'body';
  if (bypassCookies.length === 0) return undefined;
  const cookie = headers.cookie;
  return typeof cookie === 'string' && cookie !== '' && hasAnyCookie(cookie, bypassCookies)
    ? 'bypass-cookie'
    : undefined;
}

function hasBody(headers: IncomingHttpHeaders): boolean {
  const length = headers['content-length'];
  return (length !== undefined && length !== '0') || headers['transfer-encoding'] !== undefined;
}

// By hand: this runs on every request with a cookie, and `cookie`'s parse, which decodes every
// value, costs twice the instructions; only names are needed here.
function hasAnyCookie(cookieHeader: string, names: readonly string[]): boolean {
  for (const pair of cookieHeader.split(';')) {
    const separator = pair.indexOf('=');
    const name = (separator === -1 ? pair : pair.slice(0, separator)).trim();
    if (names.includes(name)) return true;
  }
  return false;
}
