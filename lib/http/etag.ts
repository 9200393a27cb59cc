import entityTag from 'etag';
import fresh from 'fresh';

/**
 * A weak entity tag made by `etag`, as Express makes it, so a hit's tag equals the one Express
 * gave the miss that stored it and a browser's `If-None-Match` keeps matching.
 */
export function weakEtag(body: Buffer): string {
  return entityTag(body, { weak: true });
}

/**
 * `If-None-Match` semantics (weak comparison, lists, `*`), by `fresh`. Only the header is handed
 * to it: a request's `Cache-Control: no-cache` does not turn a matching tag into a full page
 * (RFC 9110 §13.1.2 asks for `304`; `no-cache` is for caches in front, which validate with us).
 */
export function matchesIfNoneMatch(header: unknown, etag: string): boolean {
  return typeof header === 'string' && header !== '' && fresh({ 'if-none-match': header }, { etag });
}
