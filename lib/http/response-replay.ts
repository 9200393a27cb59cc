import type { AbstractHttpAdapter } from '@nestjs/core';
import { of, type Observable } from 'rxjs';
import { CACHE_STATUS_HEADER } from '../cache-page.constants.js';
import type { CachedPage } from '../store/page-store.js';
import { matchesIfNoneMatch } from './etag.js';
import type { RoutePolicy } from './route-policy.js';

const NOT_MODIFIED = 304;
const EMPTY = Buffer.alloc(0);

/** What Express's `res` and Fastify's `reply` both have: the call that sends a body. */
interface SendingResponse {
  send(body?: unknown): unknown;
}

/**
 * Answers a request from the cache without running pipes, the handler or a template engine.
 * Whatever Nest does next with this response (`res.send()`/`res.json()` for a plain route,
 * `res.render()`/`reply.view()` for `@Render`, `reply.send()` on Fastify) sends the cached bytes
 * instead, on this one response only; a `@Res()` route, for which Nest sends nothing, is
 * answered at once. Returns what the interceptor emits.
 */
export function replayPage(
  adapter: AbstractHttpAdapter,
  response: object,
  { entry, body }: CachedPage,
  policy: RoutePolicy,
  ifNoneMatch: unknown,
): Observable<unknown> {
  for (const [name, value] of entry.h) adapter.setHeader(response, name, value as string);
  adapter.setHeader(response, 'etag', entry.t);
  adapter.setHeader(response, CACHE_STATUS_HEADER, 'HIT');
  const notModified = matchesIfNoneMatch(ifNoneMatch, entry.t);
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
