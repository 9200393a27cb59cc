import type { OutgoingHttpHeaders } from 'node:http';
import type { PageEntry, RenderEpochs } from '../store/page-entry.js';
import { weakEtag } from './etag.js';
import type { CapturedResponse } from './response-capture.js';

/** Headers that describe one transmission, not the page, and are never replayed. */
const TRANSMISSION_HEADERS = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-length',
  'date',
  'etag',
  'age',
  'x-cache',
]);

const TEXTUAL_CONTENT_TYPE =
  /^\s*(?:text\/|application\/(?:json|xml|javascript|ecmascript|x-javascript|[\w.-]+\+(?:json|xml))|image\/svg\+xml)/i;

const PRIVATE_CACHE_CONTROL = /(?:^|,)\s*(?:private|no-store)\s*(?:[=,]|$)/i;

/**
 * Turns a captured response into a cache entry, or `undefined` when it must not be cached:
 * a status outside `cacheableStatuses`, `Set-Cookie`, `Cache-Control: private`/`no-store`, a
 * `Content-Encoding`, an event stream, or a body that is not text. Headers present before the
 * route ran (`preexisting`: set by middleware, `@Header()` or the platform) are left out, since
 * they are set again on every request, hit or miss.
 */
export function toPageEntry(
  captured: CapturedResponse,
  cacheableStatuses: ReadonlySet<number>,
  preexisting: ReadonlySet<string>,
  epochs: RenderEpochs,
): PageEntry | undefined {
  const headers = captured.headers;
  if (!cacheableStatuses.has(captured.status)) return undefined;
  if (headers['set-cookie'] !== undefined || headers['content-encoding'] !== undefined) return undefined;
  if (PRIVATE_CACHE_CONTROL.test(headerText(headers['cache-control']))) return undefined;
  const contentType = headerText(headers['content-type']);
  if (contentType.toLowerCase().startsWith('text/event-stream')) return undefined;
  if (captured.body.length > 0 && !TEXTUAL_CONTENT_TYPE.test(contentType)) return undefined;

  const body = captured.body.toString('utf8');
  return {
    s: captured.status,
    h: replayedHeaders(headers, preexisting),
    b: body,
    t: weakEtag(body),
    e: epochs,
  };
}

function replayedHeaders(headers: OutgoingHttpHeaders, preexisting: ReadonlySet<string>): PageEntry['h'] {
  const replayed: Array<[string, string | string[]]> = [];
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || TRANSMISSION_HEADERS.has(name) || preexisting.has(name)) continue;
    replayed.push([name, Array.isArray(value) ? value.map(String) : String(value)]);
  }
  return replayed;
}

const headerText = (value: OutgoingHttpHeaders[string]): string =>
  value === undefined ? '' : Array.isArray(value) ? value.join(',') : String(value);
