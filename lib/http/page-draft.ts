import type { OutgoingHttpHeaders } from 'node:http';
import { digestOf, type PageBody } from '../store/page-body.js';
import type { PageDraft, StoredHeader } from '../store/page-entry.js';
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

/** A captured response as the store takes it, or why it is not stored. */
export interface RenderedPage {
  readonly draft: PageDraft;
  readonly body: PageBody;
}

/**
 * Turns a captured response into a page for the store, or `undefined` when it must not be
 * cached: a status outside `cacheableStatuses`, `Set-Cookie`, `Cache-Control: private`/`no-store`,
 * an event stream, or a body that is not text. Headers present before the route ran
 * (`preexisting`: set by middleware, `@Header()` or the platform) are left out, since they are set
 * again on every request, hit or miss.
 */
export function toRenderedPage(
  captured: CapturedResponse,
  cacheableStatuses: ReadonlySet<number>,
  preexisting: ReadonlySet<string>,
  ttl: number,
): RenderedPage | undefined {
  const headers = captured.headers;
  if (!cacheableStatuses.has(captured.status)) return undefined;
  if (headers['set-cookie'] !== undefined || headers['content-encoding'] !== undefined) return undefined;
  if (PRIVATE_CACHE_CONTROL.test(headerText(headers['cache-control']))) return undefined;
  const contentType = headerText(headers['content-type']);
  if (contentType.toLowerCase().startsWith('text/event-stream')) return undefined;
  if (captured.body.length > 0 && !TEXTUAL_CONTENT_TYPE.test(contentType)) return undefined;

  const bytes = captured.body;
  return {
    draft: {
      status: captured.status,
      headers: replayedHeaders(headers, preexisting),
      etag: weakEtag(bytes),
      ttl,
      varied: [],
    },
    body: { digest: digestOf(bytes), bytes },
  };
}

/** Lower-case names of the headers a response already carries. */
export function headerNames(response: { getHeaders?: () => Record<string, unknown> }): Set<string> {
  const headers = typeof response.getHeaders === 'function' ? response.getHeaders() : {};
  return new Set(Object.keys(headers ?? {}).map((name) => name.toLowerCase()));
}

function replayedHeaders(headers: OutgoingHttpHeaders, preexisting: ReadonlySet<string>): StoredHeader[] {
  const replayed: StoredHeader[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || TRANSMISSION_HEADERS.has(name) || preexisting.has(name)) continue;
    replayed.push([name, Array.isArray(value) ? value.map(String) : String(value)]);
  }
  return replayed;
}

const headerText = (value: OutgoingHttpHeaders[string]): string =>
  value === undefined ? '' : Array.isArray(value) ? value.join(',') : String(value);
