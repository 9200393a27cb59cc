import { afterEach, describe, expect, test } from '@jest/globals';
import request from 'supertest';
import { CapturedLogs } from '../support/captured-logs.js';
import { ADAPTERS } from './fixtures/create-pages-app.js';
import { createVisitorApp, type VisitorApp, type VisitorAppSetup } from './fixtures/visitor-app.js';
import { expectBypass, expectHit, expectMiss, expectNoHit } from '../support/cache-assertions.js';

/*
 * Never someone else's page, never the wrong page, with default options, behind the middleware
 * NestJS apps install (sessions, passport, CSRF tokens in the session, cookies, compression,
 * helmet, CORS), and against adversarial requests (forged hosts, bodies on GET).
 */
const RUNS = ADAPTERS.flatMap((adapter) => [
  { adapter, fastPath: false },
  { adapter, fastPath: 'auto' as const },
  { adapter, fastPath: true },
]);

describe.each(RUNS)('personal pages on $adapter (fast path: $fastPath)', ({ adapter, fastPath }) => {
  let visitors: VisitorApp | undefined;
  afterEach(async () => {
    await visitors?.app.close();
    visitors = undefined;
  });

  const start = async (setup: VisitorAppSetup = {}) =>
    (visitors = await createVisitorApp(adapter, { ...setup, options: { fastPath, ...setup.options } }));
  const get = (path: string) => request(visitors!.server).get(path);
  const calls = (route: string) => visitors!.counters.of(route);

  /** A visitor who logged in: a supertest agent keeping the session cookie. */
  async function loggedIn(name: string) {
    const agent = request.agent(visitors!.server);
    await agent.post(`/login?name=${name}`).expect(201);
    return agent;
  }

  test('a page that read the session is never served to another visitor, and anonymous visitors share theirs', async () => {
    await start();
    const alice = await loggedIn('alice');
    const aliceMe = await alice.get('/me').expect(200);
    expect(aliceMe.text).toContain('me:alice');
    expect((await alice.get('/me')).text).toContain('me:alice');

    const anonymous = await get('/me').expect(200);
    expect(anonymous.text).toContain('me:anonymous');
    const again = await get('/me').expect(200);
    expectHit(again);
    expect(again.text).toBe(anonymous.text);

    const bob = await loggedIn('bob');
    expect((await bob.get('/me')).text).toContain('me:bob');
    expect((await alice.get('/me')).text).toContain('me:alice');
    expectNoHit(await alice.get('/me'));
  });

  test('a page showing the user (passport) is never shared between visitors', async () => {
    await start();
    const alice = request.agent(visitors!.server);
    if (adapter === 'express') await alice.post('/passport-login?name=alice').expect(200);
    else alice.set('Cookie', 'test_user=alice');
    expect((await alice.get('/user')).text).toContain('user:alice');
    expect((await alice.get('/user')).text).toContain('user:alice');
    expect((await get('/user')).text).toContain('user:nobody');
    expectHit(await get('/user'));
    expect((await alice.get('/user')).text).toContain('user:alice');
  });

  test("a form with a CSRF token kept in the session: each visitor gets their own token, and bob's POST is accepted", async () => {
    await start();
    const alice = await loggedIn('alice');
    const bob = await loggedIn('bob');
    const token = (text: string) => /value="([^"]+)"/.exec(text)?.[1];
    const aliceToken = token((await alice.get('/form').expect(200)).text);
    const bobToken = token((await bob.get('/form').expect(200)).text);
    expect(aliceToken).toBeDefined();
    expect(bobToken).not.toBe(aliceToken);
    await bob.post('/form').set('x-csrf-token', bobToken!).expect(201);
    await alice.post('/form').set('x-csrf-token', aliceToken!).expect(201);
  });

  test('with saveUninitialized: true, the session cookie added as headers go out keeps the page out of the cache', async () => {
    await start({ saveUninitialized: true });
    const first = await get('/shared').expect(200);
    expect(first.headers['set-cookie']).toBeDefined();
    const second = await get('/shared').expect(200);
    expectNoHit(second);
    expect(calls('shared')).toBe(2);
  });

  test('a page personalised by a hand-made cookie is kept per cookie value, never given to another', async () => {
    await start();
    const hello = (cookie?: string) =>
      cookie ? get('/hello-cookie').set('Cookie', cookie) : get('/hello-cookie');
    expect((await hello('name=alice')).text).toContain('hello alice');
    expect((await hello('name=bob')).text).toContain('hello bob');
    expect((await hello()).text).toContain('hello stranger');
    const aliceAgain = await hello('name=alice; _ga=GA1.2.3');
    expect(aliceAgain.text).toContain('hello alice');
    expectHit(aliceAgain);
    expectHit(await hello());
  });

  test('a page personalised by an X-Api-Key header is never stored for a key, and keyless visitors share theirs', async () => {
    await start();
    expect((await get('/api-key').set('X-Api-Key', 'secret-1')).text).toContain('key secret-1');
    const other = await get('/api-key').set('X-Api-Key', 'secret-2');
    expect(other.text).toContain('key secret-2');
    expectNoHit(other);
    expect((await get('/api-key')).text).toContain('key none');
    const keyless = await get('/api-key');
    expectHit(keyless);
    expect(keyless.text).toContain('key none');
    expect((await get('/api-key').set('X-Api-Key', 'secret-1')).text).toContain('key secret-1');
  });

  test('pages the same for everyone stay cached for visitors with unrelated cookies and sessions', async () => {
    await start();
    await get('/shared').expect(200);
    const alice = await loggedIn('alice');
    const withAnalytics = await get('/shared').set('Cookie', '_ga=GA1.2.345; _gid=GA1.2.678');
    const withSession = await alice.get('/shared');
    expectHit(withAnalytics);
    expectHit(withSession);
    expect(calls('shared')).toBe(1);
  });

  test('Vary: Accept-Language is honoured: each language its own page, regional variants share one', async () => {
    await start({ options: { languages: ['en', 'de'] } });
    const lang = (value: string) => get('/lang').set('Accept-Language', value);
    expect((await lang('de-DE,de;q=0.9')).text).toContain('Hallo');
    expect((await lang('en-US,en;q=0.9')).text).toContain('Hello');
    const swiss = await lang('de-CH,de;q=0.8');
    expect(swiss.text).toContain('Hallo');
    expectHit(swiss);
    const british = await lang('en-GB');
    expect(british.text).toContain('Hello');
    expectHit(british);
    expect(british.headers.vary).toMatch(/Accept-Language/i);
    expect(calls('lang')).toBe(2);
  });

  test('a render that read Accept-Language varies on it even without a Vary header', async () => {
    await start({ options: { languages: ['en', 'de'] } });
    expect((await get('/read-lang').set('Accept-Language', 'de')).text).toContain('Hallo');
    expect((await get('/read-lang').set('Accept-Language', 'en')).text).toContain('Hello');
    const german = await get('/read-lang').set('Accept-Language', 'de-AT');
    expect(german.text).toContain('Hallo');
    expectHit(german);
    expect(german.headers.vary).toMatch(/Accept-Language/i);
  });

  test('variants of one page are capped: the 33rd language is served but not stored', async () => {
    await start();
    const tags = Array.from({ length: 34 }, (_, i) => `x-${String.fromCharCode(97 + (i % 26))}${i}`);
    for (const tag of tags) await get('/read-lang').set('Accept-Language', tag);
    const stored = await get('/read-lang').set('Accept-Language', tags[31]);
    expectHit(stored);
    const beyond = await get('/read-lang').set('Accept-Language', tags[33]);
    expectMiss(beyond);
  });

  test('Vary: Accept is honoured: a browser never gets the JSON, an API client never the HTML', async () => {
    await start();
    const html = 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.8';
    expect((await get('/negotiated').set('Accept', 'application/json')).headers['content-type']).toMatch(
      /json/,
    );
    const browser = await get('/negotiated').set('Accept', html);
    expect(browser.headers['content-type']).toMatch(/html/);
    expectHit(await get('/negotiated').set('Accept', html));
    const api = await get('/negotiated').set('Accept', 'application/json');
    expect(api.headers['content-type']).toMatch(/json/);
    expectHit(api);
  });

  test('Vary: Cookie is honoured: a visitor without the theme cookie never gets the dark variant', async () => {
    await start();
    expect((await get('/themed').set('Cookie', 'theme=dark')).text).toContain('dark');
    expect((await get('/themed')).text).toContain('light');
    expectHit(await get('/themed'));
    expect((await get('/themed').set('Cookie', 'theme=dark')).text).toContain('dark');
  });

  test('Vary: * is never stored', async () => {
    await start();
    await get('/vary-star');
    expectNoHit(await get('/vary-star'));
    expect(calls('vary-star')).toBe(2);
  });

  test.each([
    ['Host', 'evil.example'],
    ['X-Forwarded-Host', 'evil.example'],
    ['Forwarded', 'host=evil.example'],
  ])('a forged %s never poisons the page other visitors get', async (header, value) => {
    await start();
    const forged = await get('/links').set(header, value);
    expect(forged.text).toContain('evil.example');
    const normal = await get('/links');
    expect(normal.text).not.toContain('evil.example');
    expectHit(await get('/links'));
  });

  test('a GET with a body is neither served from the cache nor stored', async () => {
    await start();
    const withBody = await get('/body-echo').set('Content-Type', 'application/json').send('{"secret":1}');
    expectBypass(withBody);
    const plain = await get('/body-echo');
    expect(plain.text).not.toContain('secret');
    expectMiss(plain);
  });

  test('compression: pages are stored once and every client gets the encoding it accepts', async () => {
    await start();
    const browser = 'gzip, deflate, br';
    const miss = await get('/shared').set('Accept-Encoding', browser).expect(200);
    expectMiss(miss);
    const brotli = await get('/shared').set('Accept-Encoding', browser).expect(200);
    expectHit(brotli);
    expect(brotli.headers['content-encoding']).toBe('br');
    expect(brotli.text).toBe(miss.text);
    const gzip = await get('/shared').set('Accept-Encoding', 'gzip');
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(gzip.text).toBe(miss.text);
    const identity = await get('/shared').set('Accept-Encoding', 'identity');
    expect(identity.headers['content-encoding']).toBeUndefined();
    expect(identity.text).toBe(miss.text);
    expect(identity.headers.vary).toMatch(/Accept-Encoding/i);
    expect(calls('shared')).toBe(1);
  });

  test('helmet and CORS headers are on hits, CORS per Origin', async () => {
    await start();
    await get('/shared').set('Origin', 'https://a.example');
    const hit = await get('/shared').set('Origin', 'https://b.example');
    expectHit(hit);
    expect(hit.headers['x-content-type-options']).toBe('nosniff');
    expect(hit.headers['access-control-allow-origin']).toBe('*');
  });

  test("ignorePaths: '/account' means that path and everything under it", async () => {
    await start({ options: { ignorePaths: ['/account'] } });
    for (const path of ['/account', '/account/orders', '/ACCOUNT']) {
      await get(path);
      const second = await get(path);
      expect({ path, cache: second.headers['x-cache'] }).toEqual({ path, cache: undefined });
    }
    await get('/accounts');
    expectHit(await get('/accounts'));
  });

  test('a RegExp that leaves the path itself cached is warned about at startup', async () => {
    const logs = new CapturedLogs();
    await start({ options: { ignorePaths: [/^\/account\//] }, logger: logs });
    expect(logs.of('warn').join('\n')).toContain(
      'matches "/account/…" but not "/account" itself, so "/account" is cached',
    );
  });

  test('repeated query parameters in another order are another page', async () => {
    await start();
    expect((await get('/query?a=1&a=2')).text).toContain('a=1&a=2');
    expect((await get('/query?a=2&a=1')).text).toContain('a=2&a=1');
    expect((await get('/query?a=2&a=1')).text).toContain('a=2&a=1');
    expectHit(await get('/query?a=1&a=2'));
  });
});
