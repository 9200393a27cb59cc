import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { matchesIfNoneMatch } from './etag.js';

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

/** Whether a 200 with these headers and entity tag satisfies the validators (`If-None-Match` first). */
export function isNotModified(validators: Validators, headers: OutgoingHttpHeaders, etag: string): boolean {
  if (validators.ifNoneMatch !== undefined) return matchesIfNoneMatch(validators.ifNoneMatch, etag);
  const lastModified = Date.parse(String(headers['last-modified'] ?? ''));
  const since = Date.parse(validators.ifModifiedSince ?? '');
  return Number.isFinite(lastModified) && Number.isFinite(since) && lastModified <= since;
}

const first = (value: string | string[] | undefined): string | undefined =>
  Array.isArray(value) ? value[0] : value;
