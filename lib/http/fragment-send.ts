import type { AbstractHttpAdapter } from '@nestjs/core';
import type { OutgoingHttpHeaders } from 'node:http';
import { withClientPlaceholders } from '../fragments/client-placeholders.js';
import { fillPage } from '../fragments/fragment-response.js';
import { splitFragments, type FragmentTemplate } from '../fragments/fragment-template.js';
import { isPromise } from '../utils/maybe-promise.js';
import { weakEtag } from './etag.js';
import type { FragmentVisitor } from './fragment-hold.js';
import { rawResponse, type HttpResponse } from './http-exchange.js';
import { withPrivate } from './page-draft.js';

/** What a response with fragments sent, as the app made it: the page to store and its own cookies. */
export interface SentTemplate {
  readonly template: FragmentTemplate;
  /** `Set-Cookie` as the render left it, before the fragments' methods ran. */
  readonly cookies: OutgoingHttpHeaders[string];
  /** `Cache-Control` as the render left it, before `private` was added for the filled copy. */
  readonly cacheControl: OutgoingHttpHeaders[string];
}

const sentTemplates = new WeakMap<object, SentTemplate>();

/** The page a response sent with fragments, as the render made it (`undefined`: none). */
export const sentTemplateOf = (response: HttpResponse): SentTemplate | undefined =>
  sentTemplates.get(rawResponse(response));

interface SendingResponse {
  send(body?: unknown): unknown;
}

/**
 * Fills a response's fragments where the app hands its body to the platform (`res.send()`, which
 * `res.json()` and `res.render()` call; Fastify's `reply.send()`, which `reply.view()` calls),
 * before the platform's own hooks run: session middleware that decides on its cookie and saves
 * the session as the response goes out (`@fastify/session` in `onSend`) sees what the methods did
 * (a CSRF token that started a session). The body as rendered is kept for the store.
 */
export function fillOnSend(
  adapter: AbstractHttpAdapter,
  response: HttpResponse,
  visitor: FragmentVisitor,
): void {
  const target = response as unknown as SendingResponse;
  const send = target.send;
  if (typeof send !== 'function') return;
  const raw = rawResponse(response);
  target.send = function (this: unknown, payload?: unknown) {
    const bytes =
      typeof payload === 'string' ? Buffer.from(payload) : Buffer.isBuffer(payload) ? payload : undefined;
    const template = bytes && splitFragments(bytes);
    if (!template) return send.call(this, payload);
    target.send = send;
    sentTemplates.set(raw, {
      template,
      cookies: raw.getHeader('set-cookie'),
      cacheControl: raw.getHeader('cache-control'),
    });
    const finish = (body: Buffer, etag: string, shared: boolean) => {
      adapter.setHeader(response, 'etag', etag);
      if (!shared) {
        const current = adapter.getHeader(response, 'cache-control') as string | undefined;
        adapter.setHeader(response, 'cache-control', withPrivate(current ?? ''));
      }
      return send.call(this, typeof payload === 'string' ? body.toString() : body);
    };
    if (visitor.placeholders) {
      const body = withClientPlaceholders(template);
      return finish(body, weakEtag(body), true);
    }
    const values = visitor.fragments.valuesFor(template.slots, visitor.request, visitor.response);
    const fill = (filled: Buffer[]) => {
      const page = fillPage(template.bytes, template.slots, weakEtag(template.bytes), filled, false);
      return finish(page.bytes, page.etag, false);
    };
    if (!isPromise(values)) return fill(values);
    void values.then(fill);
    return this;
  };
}
