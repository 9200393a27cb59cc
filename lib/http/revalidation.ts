import fresh from 'fresh';
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

/** A request's validators (RFC 9110 §13.1), taken off it for the render. */
export interface Validators {
  readonly ifNoneMatch?: string;
  readonly ifModifiedSince?: string;
}

/**
 * Removes a revalidating request's validators for the render, so the app renders the full page
 * (Express would otherwise answer `304` with no body, and a feed reader that always revalidates
 * would keep the page out of the cache forever); the hold answers the client's validators on the
 * rendered page instead. `undefined` when the request has none.
 */
export function takeValidators(headers: IncomingHttpHeaders): Validators | undefined {
  const ifNoneMatch = first(headers['if-none-match']);
  const ifModifiedSince = first(headers['if-modified-since']);
  if (ifNoneMatch === undefined && ifModifiedSince === undefined) return undefined;
  delete headers['if-none-match'];
  delete headers['if-modified-since'];
  return { ifNoneMatch, ifModifiedSince };
}

/**
 * Whether a 200 with these headers and entity tag satisfies the validators (`If-None-Match`
 * first), by `fresh`. The request's `Cache-Control` is not handed to it, as on a hit (`etag.ts`).
 */
export function isNotModified(validators: Validators, headers: OutgoingHttpHeaders, etag: string): boolean {
  return fresh(
    { 'if-none-match': validators.ifNoneMatch, 'if-modified-since': validators.ifModifiedSince },
    { etag, 'last-modified': headers['last-modified'] },
  );
}

const first = (value: string | string[] | undefined): string | undefined =>
  Array.isArray(value) ? value[0] : value;
