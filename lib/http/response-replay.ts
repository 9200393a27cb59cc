import type { AbstractHttpAdapter } from '@nestjs/core';
import { of, type Observable } from 'rxjs';
import { CACHE_STATUS_HEADER } from '../cache-page.constants.js';
import { MIN_COMPRESSED_BYTES, type BodyEncoding } from '../store/page-body.js';
import type { PageEntry } from '../store/page-entry.js';
import type { CachedPage, PageStore } from '../store/page-store.js';
import { thenMaybe, type MaybePromise } from '../utils/maybe-promise.js';
import { fillPage } from '../fragments/fragment-response.js';
import type { PageFragments } from '../fragments/page-fragments.js';
import type { EdgeHeaderList } from '../edge/edge-headers.js';
import { negotiateEncoding, negotiateGzip } from './content-encoding.js';
import { matchesIfNoneMatch } from './etag.js';
import type { Exchange } from './http-exchange.js';
import { varyNames } from './page-variance.js';
import type { RoutePolicy } from './route-policy.js';

const NOT_MODIFIED = 304;
const EMPTY = Buffer.alloc(0);

/** What Express's `res` and Fastify's `reply` both have: the call that sends a body. */
interface SendingResponse {
  send(body?: unknown): unknown;
}

/** The bytes of one hit: the body in the encoding chosen for the client. */
export interface ReplayedBody {
  readonly bytes: Buffer;
  readonly encoding: BodyEncoding | undefined;
  /** This response's entity tag when it is not the entry's (a page with fragments). */
  readonly etag?: string;
}

/** Answers a hit in the encoding the client accepts (compressed once per process, then kept). */
export function replayHit(
  adapter: AbstractHttpAdapter,
  store: PageStore,
  { response, policy, request }: Exchange,
  page: CachedPage,
  fragments?: PageFragments,
  edge: EdgeHeaderList = [],
  cacheStatus: ReplayStatus = 'HIT',
): MaybePromise<Observable<unknown>> {
  if (page.entry.p && fragments) {
    const slots = page.entry.p;
    return thenMaybe(fragments.valuesFor(slots, request, response), (values) => {
      const gzip = negotiateGzip(request.headers?.['accept-encoding'], page.body.bytes.length);
      const filled = fillPage(page.body.bytes, slots, page.entry.t, values, gzip);
      const ifNoneMatch = request.headers?.['if-none-match'];
      return replayPage(adapter, response, page, filled, policy, ifNoneMatch, edge, cacheStatus);
    });
  }
  const encoding = negotiateEncoding(request.headers?.['accept-encoding'], page.body.bytes.length);
  const ifNoneMatch = request.headers?.['if-none-match'];
  if (!encoding) {
    return replayPage(
      adapter,
      response,
      page,
      { bytes: page.body.bytes, encoding },
      policy,
      ifNoneMatch,
      edge,
      cacheStatus,
    );
  }
  return thenMaybe(store.encodedBody(page.body, encoding), (bytes) =>
    replayPage(adapter, response, page, { bytes, encoding }, policy, ifNoneMatch, edge, cacheStatus),
  );
}

/** `X-Cache` of a replayed page: current (`HIT`) or one change behind, in its grace (`STALE`). */
export type ReplayStatus = 'HIT' | 'STALE';

/**
 * Answers a request from the cache without running pipes, the handler or a template engine.
 * Whatever Nest does next with this response (`res.send()`/`res.json()` for a plain route,
 * `res.render()`/`reply.view()` for `@Render`, `reply.send()` on Fastify) sends the cached bytes
 * instead, on this one response only; a `@Res()` route, for which Nest sends nothing, is
 * answered at once. `edge`: what edge caches are told (`edge` option). Returns what the interceptor emits.
 */
export function replayPage(
  adapter: AbstractHttpAdapter,
  response: object,
  { entry }: CachedPage,
  body: ReplayedBody,
  policy: RoutePolicy,
  ifNoneMatch: unknown,
  edge: EdgeHeaderList = [],
  cacheStatus: ReplayStatus = 'HIT',
): Observable<unknown> {
  for (const [name, value] of entry.h) adapter.setHeader(response, name, value as string);
  for (const [name, value] of edge) adapter.setHeader(response, name, value);
  const etag = body.etag ?? entry.t;
  adapter.setHeader(response, 'etag', etag);
  adapter.setHeader(response, CACHE_STATUS_HEADER, cacheStatus);
  const vary = varyHeader(adapter.getHeader(response, 'vary') as string | undefined, entry);
  if (vary) adapter.setHeader(response, 'vary', vary);
  if (body.encoding) adapter.setHeader(response, 'content-encoding', body.encoding);
  const notModified = matchesIfNoneMatch(ifNoneMatch, etag);
  const status = notModified ? NOT_MODIFIED : entry.s;
  const bytes = notModified ? EMPTY : body.bytes;

  const send = (response as SendingResponse).send;
  const sendCachedPage = () => {
    adapter.status(response, status);
    return send.call(response, bytes);
  };
  if (policy.sendsOwnResponse) {
    sendCachedPage();
    return of(undefined);
  }
  Object.assign(response, {
    send: sendCachedPage,
    json: sendCachedPage,
    render: sendCachedPage,
    view: sendCachedPage,
  });
  return of(undefined);
}

/**
 * `Vary` for a hit: what the response already carries (middleware), plus the request inputs
 * this page varies on (`cookie:<name>` is the `Cookie` header) and `Accept-Encoding` when the
 * body is large enough to be sent compressed, so browsers and proxies key it the same way.
 */
export function varyHeader(current: string | undefined, entry: PageEntry): string | undefined {
  const names = varyNames(current);
  const add = (name: string) => {
    if (!names.includes(name.toLowerCase())) names.push(name.toLowerCase());
  };
  for (const [input] of entry.y ?? []) add(input.startsWith('cookie:') ? 'cookie' : input);
  if (entry.n >= MIN_COMPRESSED_BYTES) add('accept-encoding');
  return names.length > 0 ? names.map(headerCase).join(', ') : undefined;
}

const headerCase = (name: string): string =>
  name.replace(/(^|-)([a-z])/g, (_, dash, letter) => dash + letter.toUpperCase());
