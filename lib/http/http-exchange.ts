import type { CallHandler } from '@nestjs/common';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { RouteCounters } from '../observation/page-stats.js';
import type { RequestInputs } from '../store/page-variants.js';
import type { RequestPageKey } from './request-page-key.js';
import type { RoutePolicy } from './route-policy.js';

/** What the cache reads of Express's `req` and Fastify's `request` alike. */
export interface HttpRequest {
  headers?: IncomingHttpHeaders;
  socket?: { encrypted?: boolean };
  raw?: { socket?: { encrypted?: boolean } };
}

/** What the cache reads of Express's `res` and Fastify's `reply` alike. */
export interface HttpResponse {
  raw?: ServerResponse;
  getHeaders?: () => Record<string, unknown>;
}

/** One request on its way through the cache. */
export interface Exchange {
  readonly key: RequestPageKey;
  readonly policy: RoutePolicy;
  readonly request: HttpRequest;
  readonly response: HttpResponse;
  readonly inputs: RequestInputs;
  readonly next: CallHandler;
  /** The route pattern the router matched (`/posts/:slug`), stored with the page for fast hits. */
  readonly route: string | undefined;
  /** The route's counters for `stats()`. */
  readonly counters: RouteCounters;
  /** The origin the page is keyed under, and the URL as requested (warm-up requests it again). */
  readonly origin: string;
  readonly url: string;
}

/** Express's `res`, or the `ServerResponse` under Fastify's reply. */
export function rawResponse(response: HttpResponse): ServerResponse {
  return response.raw ?? (response as unknown as ServerResponse);
}

/** Express's `req`, or the `IncomingMessage` under Fastify's request: where the headers object lives. */
export function rawRequest(request: HttpRequest): { headers?: IncomingHttpHeaders } {
  return (request as { raw?: { headers?: IncomingHttpHeaders } }).raw ?? request;
}
