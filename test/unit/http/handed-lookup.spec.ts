import { describe, expect, test } from '@jest/globals';
import { HANDED_LOOKUP, handedLookup, type HandedLookup } from '../../../lib/http/handed-lookup.js';
import { rawRequest } from '../../../lib/http/http-exchange.js';
import type { PageLookup } from '../../../lib/store/page-store.js';

const lookup: PageLookup = {
  page: undefined,
  pathEpoch: 'p1',
  globalEpoch: 'g1',
  vary: undefined,
  storageKey: 'cache-page:GET:http://blog.example/posts',
};
const handed: HandedLookup = { entry: 'cache-page:GET:http://blog.example/posts', lookup };

describe('the lookup the fast path handed on', () => {
  test("is read off Express's request, which is Node's", () => {
    const request = { headers: {}, [HANDED_LOOKUP]: handed };
    expect(handedLookup(request, handed.entry)).toBe(handed);
  });

  test("is read off the Node request under Fastify's", () => {
    const raw = { headers: {}, [HANDED_LOOKUP]: handed };
    expect(handedLookup({ headers: {}, raw } as object, handed.entry)).toBe(handed);
  });

  test('is not used for another page (a subclass keyed the request otherwise)', () => {
    const request = { headers: {}, [HANDED_LOOKUP]: handed };
    expect(handedLookup(request, 'cache-page:GET:http://blog.example/posts?page=2')).toBeUndefined();
  });

  test('is missing when the fast path handed nothing on (it is off, or answered itself)', () => {
    expect(handedLookup({ headers: {} }, handed.entry)).toBeUndefined();
  });
});

describe('the raw request', () => {
  test("is Fastify's Node request, or Express's request itself", () => {
    const raw = { headers: { host: 'blog.example' } };
    const fastify = { headers: { host: 'blog.example' }, raw };
    const express = { headers: { host: 'blog.example' } };
    expect(rawRequest(fastify as object)).toBe(raw);
    expect(rawRequest(express)).toBe(express);
  });
});
