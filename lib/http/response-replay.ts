import type { AbstractHttpAdapter } from '@nestjs/core';
import { of, type Observable } from 'rxjs';
import { CACHE_STATUS_HEADER } from '../cache-page.constants.js';
import type { PageEntry } from '../store/page-entry.js';
import { matchesIfNoneMatch } from './etag.js';
import type { RoutePolicy } from './route-policy.js';

const NOT_MODIFIED = 304;

/**
 * Answers a request from a cache entry without running pipes, the handler or a template engine,
 * through the adapter so Express and Fastify behave alike. Returns what the interceptor emits.
 */
export function replayPage(
  adapter: AbstractHttpAdapter,
  response: object,
  entry: PageEntry,
  policy: RoutePolicy,
  ifNoneMatch: unknown,
): Observable<unknown> {
  for (const [name, value] of entry.h) adapter.setHeader(response, name, value as string);
  adapter.setHeader(response, 'etag', entry.t);
  adapter.setHeader(response, CACHE_STATUS_HEADER, 'HIT');
  const notModified = matchesIfNoneMatch(ifNoneMatch, entry.t);
  const status = notModified ? NOT_MODIFIED : entry.s;
  const body = notModified ? '' : entry.b;

  if (policy.sendsOwnResponse) {
    adapter.reply(response, body, status);
    return of(undefined);
  }
  if (policy.renders) {
    // Nest calls res.render() (Express) or reply.view() (Fastify) after the interceptor; answering
    // in their place on this one response keeps the template engine from running.
    const sendCachedPage = () => adapter.reply(response, body, status);
    Object.assign(response, { render: sendCachedPage, view: sendCachedPage });
    return of(undefined);
  }
  adapter.status(response, status);
  return of(body);
}
