import type { IncomingMessage, ServerResponse } from 'node:http';
import { CACHE_STATUS_HEADER } from '../cache-page.constants.js';
import type { EdgeHeaders } from '../edge/edge-headers.js';
import type { BodyEncoding } from '../store/page-body.js';
import type { PageEntry } from '../store/page-entry.js';
import type { CachedPage } from '../store/page-store.js';
import { matchesIfNoneMatch } from './etag.js';
import { varyHeader } from './response-replay.js';

/** Headers of a fast hit that do not change from one hit of an entry to the next, by encoding. */
const prepared = new WeakMap<PageEntry, Map<BodyEncoding | 'identity', string[]>>();

/**
 * Answers a request straight on Node's `ServerResponse`, before Express or Fastify see it: the
 * headers middleware had set when the page was rendered, the route's, the entity tag, `Vary`,
 * the encoding, what edge caches are told (`edge`), and the body (none for HEAD); `304` when
 * `If-None-Match` matches.
 */
export function sendFastHit(
  request: IncomingMessage,
  response: ServerResponse,
  { entry }: CachedPage,
  bytes: Buffer,
  encoding: BodyEncoding | undefined,
  edge?: EdgeHeaders,
): void {
  if (matchesIfNoneMatch(request.headers['if-none-match'], entry.t)) {
    response.writeHead(304, [CACHE_STATUS_HEADER, 'HIT', 'etag', entry.t]);
    response.end();
    return;
  }
  response.writeHead(entry.s, headersOf(entry, encoding, bytes.length, edge) as string[]);
  response.end(request.method === 'HEAD' ? undefined : bytes);
}

/**
 * The flat `[name, value, …]` list of an entry's headers for one encoding, built once: an entry's
 * body in one encoding always has the same length.
 */
function headersOf(
  entry: PageEntry,
  encoding: BodyEncoding | undefined,
  length: number,
  edge: EdgeHeaders | undefined,
): readonly string[] {
  let byEncoding = prepared.get(entry);
  if (!byEncoding) prepared.set(entry, (byEncoding = new Map()));
  const slot = encoding ?? 'identity';
  let headers = byEncoding.get(slot);
  if (!headers) {
    const merged = new Map<string, string | readonly string[]>();
    for (const [name, value] of [...(entry.m ?? []), ...entry.h]) merged.set(name, value);
    const vary = varyHeader(merged.has('vary') ? String(merged.get('vary')) : undefined, entry);
    if (vary) merged.set('vary', vary);
    merged.set('etag', entry.t);
    merged.set(CACHE_STATUS_HEADER, 'HIT');
    if (encoding) merged.set('content-encoding', encoding);
    merged.set('content-length', String(length));
    for (const [name, value] of edge?.forHit(entry.g) ?? []) merged.set(name, value);
    headers = [];
    for (const [name, value] of merged) {
      for (const item of Array.isArray(value) ? value : [value]) headers.push(name, item as string);
    }
    byEncoding.set(slot, headers);
  }
  return headers;
}
