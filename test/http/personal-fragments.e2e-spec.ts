import { afterEach, describe, expect, test } from '@jest/globals';
import request from 'supertest';
import { gunzipSync } from 'node:zlib';
import { CachePageService } from 'nestjs-cache-page';
import { expectHit, expectMiss } from '../support/cache-assertions.js';
import { CapturedLogs } from '../support/captured-logs.js';
import { describeWithService, isReachable, REDIS_URL } from '../support/services.js';
import { keyvRedisStore, memoryStore, uniquePrefix, type StoreSetup } from '../support/stores.js';
import { ADAPTERS } from './fixtures/create-pages-app.js';
import { get as httpGet, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createFragmentApp, FORGED, type FragmentApp } from './fixtures/fragment-app.js';

/*
 * Personal fragments on shared pages: the page is rendered once and stored with its places;
 * every response (miss, hit, HEAD, 304, gzip, identity, a Vary variant, a route the cache does
 * not serve) gets its own visitor's values, through real session and CSRF middleware, on both
 * adapters, with the fast path off and on, on the memory store and on Redis.
 */
const redisReachable = await isReachable(REDIS_URL);
const RUNS = [memoryStore, keyvRedisStore].flatMap((store) =>
  ADAPTERS.flatMap((adapter) =>
    (['auto', true, false] as const).map((fastPath) => ({ adapter, store, fastPath })),
  ),
);
/** A real marker (the forged one in the comment has no secret): none may ever reach a client. */
const ANY_MARKER = /cache-page:(?!0{24})[0-9a-f]{24}:/;

describe.each(RUNS)(
  'personal fragments on $adapter, $store.name, fast path $fastPath',
  ({ adapter, store, fastPath }) => {
    describeWithService('Redis', REDIS_URL, !store.needsRedis || redisReachable, store.name, () => {
      let site: FragmentApp | undefined;
      let stored: StoreSetup | undefined;
      let logs: CapturedLogs;
      afterEach(async () => {
        await stored?.cleanup();
        await site?.app.close();
        site = undefined;
        stored = undefined;
      });

      async function start(): Promise<FragmentApp> {
        const keyPrefix = uniquePrefix('fragments');
        stored = await store.setup(keyPrefix);
        logs = new CapturedLogs();
        site = await createFragmentApp(adapter, {
          imports: stored.imports,
          options: { keyPrefix, fastPath, ...stored.options },
          logger: logs,
        });
        return site;
      }
      const calls = (name: string) => site!.counters.of(name);
      async function signedIn(name: string) {
        const agent = request.agent(site!.server);
        await agent.post(`/login?name=${encodeURIComponent(name)}`).expect(201);
        return agent;
      }
      /** The stored copy is written after the response: wait until a request is a hit. */
      async function cachedSoon(path: string, headers: Record<string, string> = {}) {
        for (let attempt = 0; attempt < 50; attempt++) {
          const response = await request(site!.server).head(path).set(headers);
          if (response.headers['x-cache'] === 'HIT') return;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        throw new Error(`${path} was not stored`);
      }
      /** The session cookie of a visitor who signed in (for requests made without supertest). */
      async function sessionCookie(name: string) {
        const login = await request(site!.server).post(`/login?name=${name}`).expect(201);
        return String(login.headers['set-cookie']![0]).split(';')[0]!;
      }
      const tokenOf = (html: string) => /name="_csrf" value="([^"]*)"/.exec(html)?.[1];

      test('two signed-in readers and a guest get their own greeting and CSRF token from one stored page; both can post the form', async () => {
        await start();
        const alice = await signedIn('alice');
        const bob = await signedIn('bob');

        const aliceMiss = await alice.get('/post').expect(200);
        expectMiss(aliceMiss);
        expect(aliceMiss.text).toContain('Hi, alice <b class="badge">member</b>');
        await cachedSoon('/post');

        const bobHit = await bob.get('/post').expect(200);
        expectHit(bobHit);
        expect(bobHit.text).toContain('Hi, bob <b class="badge">member</b>');
        const guest = await request(site!.server).get('/post').expect(200);
        expectHit(guest);
        expect(guest.text).toContain('Hi, guest <b class="badge">new</b>');
        const aliceHit = await alice.get('/post').expect(200);
        expectHit(aliceHit);
        expect(aliceHit.text).toContain('Hi, alice');
        expect(calls('post')).toBe(1);

        const aliceToken = tokenOf(aliceHit.text);
        const bobToken = tokenOf(bobHit.text);
        expect(aliceToken).toMatch(/.{8,}/);
        expect(bobToken).toMatch(/.{8,}/);
        expect(aliceToken).not.toBe(bobToken);
        expect([aliceToken, bobToken]).not.toContain(tokenOf(guest.text));
        // @fastify/csrf-protection makes a new token from the session's secret on each call: all hold.
        await alice.post('/comment').set('x-csrf-token', tokenOf(aliceMiss.text)!).expect(201);
        await alice.post('/comment').set('x-csrf-token', aliceToken!).expect(201);
        await bob.post('/comment').set('x-csrf-token', bobToken!).expect(201);
        await bob.post('/comment').set('x-csrf-token', aliceToken!).expect(403);

        for (const response of [aliceMiss, bobHit, guest, aliceHit]) {
          expect(response.text).not.toMatch(ANY_MARKER);
          expect(response.headers['cache-control']).toBe('private, no-cache');
        }
      });

      test("a guest's first visit, a miss, gives a token its session keeps: the comment is accepted", async () => {
        await start();
        const guest = request.agent(site!.server);
        const page = await guest.get('/post').expect(200);
        expectMiss(page);
        const token = tokenOf(page.text);
        expect(token).toMatch(/.{8,}/);
        await guest.post('/comment').set('x-csrf-token', token!).expect(201);
      });

      test("an error page a filter renders for a cached route gets its visitor's fragments too", async () => {
        await start();
        const alice = await signedIn('alice');
        const page = await alice.get('/missing').expect(404);
        expect(page.text).toBe('<header>Hi, alice</header><h1>404</h1>');
        expect((await request(site!.server).get('/missing').expect(404)).text).toContain('Hi, guest');
      });

      test('a marker typed into content stays text, and values are escaped unless they are { html }', async () => {
        await start();
        const eve = await signedIn('<img src=x onerror=alert(1)>');
        const first = await eve.get('/post').expect(200);
        expect(first.text).toContain('Hi, &lt;img src=x onerror=alert(1)&gt;');
        expect(first.text).toContain(FORGED);
        await cachedSoon('/post');
        const hit = await eve.get('/post').expect(200);
        expectHit(hit);
        expect(hit.text).toContain(`<p class="comment">${FORGED}</p>`);
        expect(hit.text).toContain('Hi, &lt;img src=x onerror=alert(1)&gt;');
        expect(hit.text).toContain('<b class="badge">member</b>');
      });

      test('a method that hangs or throws gives its fallback in time, logged, and never a 500', async () => {
        await start();
        const reader = await signedIn('reader');
        const started = Date.now();
        const miss = await reader.get('/failing').expect(200);
        expect(miss.text).toContain('<p><i>later</i>|fallback text|Hi, reader</p>');
        await cachedSoon('/failing');
        const hit = await request(site!.server).get('/failing').expect(200);
        expectHit(hit);
        expect(hit.text).toContain('<p><i>later</i>|fallback text|Hi, guest</p>');
        expect(Date.now() - started).toBeLessThan(2_000 + 50 * 20);
        expect(calls('failing')).toBe(1);
        const warnings = logs.of('warn').join('\n');
        expect(warnings).toContain(
          "@PageFragment('hangs') SiteFragments.hangs took longer than fragmentTimeout (250 ms)",
        );
        expect(warnings).toContain(
          "@PageFragment('throws') SiteFragments.throws threw Error: the greeting service is down",
        );
      });

      test('an unknown fragment name leaves its place empty and says which names exist', async () => {
        await start();
        const page = await request(site!.server).get('/unknown').expect(200);
        expect(page.text).toContain('<p>[]</p>');
        expect(logs.of('warn').join('\n')).toContain(
          "pageFragment('gretting') but no @PageFragment('gretting') method exists (declared: badge, csrf-token, greeting, hangs, throws)",
        );
      });

      test('HEAD and 304: the entity tag covers the values, so a changed greeting is never a 304', async () => {
        await start();
        const alice = await signedIn('alice');
        // A page without a CSRF token: @fastify/csrf-protection's tokens differ on every response.
        const first = await alice.get('/small').set('Accept-Encoding', 'identity').expect(200);
        await cachedSoon('/small');
        const hit = await alice.get('/small').set('Accept-Encoding', 'identity').expect(200);
        expectHit(hit);
        const aliceTag = hit.headers.etag as string;
        expect(aliceTag).toMatch(/^W\/".+-.+"$/);
        expect(first.headers.etag).toBe(aliceTag);

        const head = await alice.head('/small').set('Accept-Encoding', 'identity').expect(200);
        expect(head.headers['content-length']).toBe(String(Buffer.byteLength(hit.text)));
        expect(head.headers.etag).toBe(aliceTag);

        const notModified = await alice.get('/small').set('If-None-Match', aliceTag).expect(304);
        expectHit(notModified);
        const bob = await signedIn('bob');
        const bobWithAliceTag = await bob.get('/small').set('If-None-Match', aliceTag).expect(200);
        expect(bobWithAliceTag.text).toContain('Hi, bob');
        await alice.post('/login?name=alicia').expect(201);
        const renamed = await alice.get('/small').set('If-None-Match', aliceTag).expect(200);
        expect(renamed.text).toContain('Hi, alicia');
        expect(calls('small')).toBe(1);
      });

      test('a revalidating miss answers 304 only when the values match too', async () => {
        await start();
        const alice = await signedIn('alice');
        const seen = await alice.get('/steady').expect(200);
        const tag = seen.headers.etag as string;
        await site!.app.get(CachePageService).invalidate('/steady');
        const again = await alice.get('/steady').set('If-None-Match', tag).expect(304);
        expect(again.headers.etag).toBe(tag);
        expect(calls('steady')).toBe(2);
        const bob = await signedIn('bob');
        await site!.app.get(CachePageService).invalidate('/steady');
        const bobMiss = await bob.get('/steady').set('If-None-Match', tag).expect(200);
        expect(bobMiss.text).toContain('Hi, bob');
        expect(calls('steady')).toBe(3);
      });

      test('gzip is made from pieces compressed once; a client that takes only br gets identity', async () => {
        await start();
        const alice = await signedIn('alice');
        await alice.get('/post').expect(200);
        await cachedSoon('/post');
        const cookie = await sessionCookie('alice');
        const gzipped = await rawGet(site!.server, '/post', {
          'accept-encoding': 'gzip, deflate, br',
          cookie,
        });
        expect(gzipped.headers['x-cache']).toBe('HIT');
        expect(gzipped.headers['content-encoding']).toBe('gzip');
        expect(gzipped.headers.vary).toMatch(/Accept-Encoding/i);
        expect(Number(gzipped.headers['content-length'])).toBe(gzipped.body.length);
        const text = gunzipSync(gzipped.body).toString();
        expect(text).toContain('Hi, alice');
        expect(text).toContain('</html>');
        expect(text).not.toMatch(ANY_MARKER);

        // The cache sends such a client identity (the app's own compression middleware may still encode it).
        const brOnly = await rawGet(site!.server, '/post', { 'accept-encoding': 'br', cookie });
        expect(brOnly.headers['x-cache']).toBe('HIT');
        expect(brOnly.headers['content-encoding']).not.toBe('gzip');
        const identity = await rawGet(site!.server, '/post', { 'accept-encoding': 'identity', cookie });
        expect(identity.headers['x-cache']).toBe('HIT');
        expect(identity.headers['content-encoding']).toBeUndefined();
        expect(identity.body.toString()).toContain('Hi, alice');
        expect(calls('post')).toBe(1);
      });

      test('a page with fragments and Vary keeps one copy per language, each filled per visitor', async () => {
        await start();
        const alice = await signedIn('alice');
        expect((await alice.get('/lang').set('Accept-Language', 'de')).text).toContain('Hallo Hi, alice');
        expect((await alice.get('/lang').set('Accept-Language', 'en')).text).toContain('Hello Hi, alice');
        await cachedSoon('/lang', { 'Accept-Language': 'de' });
        await cachedSoon('/lang', { 'Accept-Language': 'en' });
        const german = await request(site!.server).get('/lang').set('Accept-Language', 'de').expect(200);
        expect(german.text).toContain('Hallo Hi, guest');
        const english = await request(site!.server).get('/lang').set('Accept-Language', 'en').expect(200);
        expect(english.text).toContain('Hello Hi, guest');
        expect(calls('lang')).toBe(2);
      });

      test('a route the cache does not serve still gets its fragments filled', async () => {
        await start();
        const alice = await signedIn('alice');
        const page = await alice.get('/uncached').expect(200);
        expect(page.text).toContain('<p>Hi, alice</p>');
        expect(page.text).not.toMatch(ANY_MARKER);
        expect((await request(site!.server).get('/uncached')).text).toContain('<p>Hi, guest</p>');
        expect(calls('uncached')).toBe(2);
      });

      test('fragment methods run per response, never the handler; pages without fragments are untouched', async () => {
        await start();
        await (await signedIn('reader')).get('/small').expect(200);
        await cachedSoon('/small');
        const before = calls('greeting');
        for (let i = 0; i < 3; i++) expectHit(await request(site!.server).get('/small'));
        expect(calls('greeting')).toBe(before + 3);
        expect(calls('small')).toBe(1);
        const plain = await (await signedIn('reader')).get('/plain').expect(200);
        expect(plain.headers['cache-control']).toBe('no-cache');
        expect(plain.text).toContain('<p>no fragments</p>');
      });
    });
  },
);

/** A GET whose body is read as it came (no decoding), to check the encoding itself. */
function rawGet(server: Server, path: string, headers: Record<string, string>) {
  const { port } = server.address() as AddressInfo;
  return new Promise<{ headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
    httpGet({ host: '127.0.0.1', port, path, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ headers: response.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}
