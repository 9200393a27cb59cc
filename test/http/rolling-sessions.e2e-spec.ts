import { afterEach, describe, expect, test } from '@jest/globals';
import request from 'supertest';
import { CachePageService } from 'nestjs-cache-page';
import { ADAPTERS } from './fixtures/create-pages-app.js';
import { createSessionApp, type SessionApp } from './fixtures/session-app.js';
import { expectHit, expectMiss, expectNoHit } from '../support/cache-assertions.js';

/*
 * Signed-in visitors under session middleware that sends its cookie again on every response
 * (@fastify/session's default, express-session's `rolling: true`): a shared page rendered for one
 * of them is stored, every signed-in response carries the visitor's own cookie and no one
 * else's, and a cookie the render sets still keeps its page out.
 */
const SESSIONS = [
  ...ADAPTERS.map((adapter) => ({ adapter, session: adapter === 'express' ? 'rolling: true' : 'defaults' })),
  { adapter: 'express' as const, session: 'rolling: false' },
];
const RUNS = SESSIONS.flatMap((run) => [
  { ...run, fastPath: false },
  { ...run, fastPath: 'auto' as const },
  { ...run, fastPath: true },
]);

/** The `name=value` pairs of a response's `Set-Cookie` headers. */
function setCookies(response: { headers: Record<string, unknown> }): string[] {
  const header = response.headers['set-cookie'] as string[] | string | undefined;
  const values = header === undefined ? [] : Array.isArray(header) ? header : [header];
  return values.map((value) => value.split(';')[0]!.trim());
}

describe.each(RUNS)(
  'signed-in visitors on $adapter, session middleware with $session (fast path: $fastPath)',
  ({ adapter, session, fastPath }) => {
    let sessions: SessionApp | undefined;
    afterEach(async () => {
      await sessions?.app.close();
      sessions = undefined;
    });

    const rolling = session !== 'rolling: false';
    const cookieName = adapter === 'express' ? 'connect.sid' : 'sessionId';
    const start = async () =>
      (sessions = await createSessionApp(adapter, {
        options: { fastPath },
        rolling: session === 'rolling: true',
      }));
    const get = (path: string) => request(sessions!.server).get(path);
    const calls = (route: string) => sessions!.counters.of(route);
    const notStored = (pattern: string) =>
      sessions!.app.get(CachePageService).stats().routes[pattern]?.notStored ?? {};

    /** A visitor who logged in: a supertest agent keeping the session cookie, and that cookie. */
    async function loggedIn(name: string) {
      const agent = request.agent(sessions!.server);
      const login = await agent.post(`/login?name=${name}`).expect(201);
      const cookie = setCookies(login).find((pair) => pair.startsWith(`${cookieName}=`));
      expect(cookie).toBeDefined();
      return { agent, cookie: cookie! };
    }

    test("a shared page missed by a signed-in visitor is stored, and each signed-in response carries the visitor's own cookie", async () => {
      await start();
      const fastHits: string[] = [];
      sessions!.app
        .get(CachePageService)
        .onFastHit(({ request }) => fastHits.push(request.headers.cookie ?? ''));
      const alice = await loggedIn('alice');
      const miss = await alice.agent.get('/shared').expect(200);
      expectMiss(miss);
      expect(setCookies(miss)).toEqual(rolling ? [alice.cookie] : []);

      const bob = await loggedIn('bob');
      expect(bob.cookie).not.toBe(alice.cookie);
      const bobHit = await bob.agent.get('/shared').expect(200);
      expectHit(bobHit);
      expect(bobHit.text).toBe(miss.text);
      // `fastPath: true` skips session middleware for requests with cookies: no refresh on a hit.
      const refreshedOnHits = rolling && fastPath !== true;
      expect(setCookies(bobHit)).toEqual(refreshedOnHits ? [bob.cookie] : []);

      const aliceHit = await alice.agent.get('/shared').expect(200);
      expectHit(aliceHit);
      expect(setCookies(aliceHit)).toEqual(refreshedOnHits ? [alice.cookie] : []);

      const anonymous = await get('/shared').expect(200);
      expectHit(anonymous);
      // @fastify/session's `saveUninitialized: true` may give a cookieless visitor a session of their own.
      for (const pair of setCookies(anonymous)) expect([alice.cookie, bob.cookie]).not.toContain(pair);
      expect(calls('shared')).toBe(1);
      expect(notStored('GET /shared')).toEqual({});
      // Session middleware is skipped only for requests without cookies, unless `fastPath: true`.
      expect(fastHits.length).toBe(fastPath === true ? 3 : fastPath === 'auto' ? 1 : 0);
      if (fastPath === 'auto') expect(fastHits).toEqual(['']);
    });

    test('a page that reads the session stays personal: never served to another visitor', async () => {
      await start();
      const alice = await loggedIn('alice');
      const bob = await loggedIn('bob');
      const aliceMe = await alice.agent.get('/me').expect(200);
      expect(aliceMe.text).toContain('me:alice');
      expect(setCookies(aliceMe)).toEqual(rolling ? [alice.cookie] : []);
      const bobMe = await bob.agent.get('/me').expect(200);
      expect(bobMe.text).toContain('me:bob');
      expectNoHit(bobMe);
      const aliceAgain = await alice.agent.get('/me').expect(200);
      expect(aliceAgain.text).toContain('me:alice');
      expectNoHit(aliceAgain);
      expect((await get('/me').expect(200)).text).toContain('me:anonymous');
      expect(calls('me')).toBe(4);
    });

    test('a cookie the render sets keeps the page out, also when the visitor already holds that value', async () => {
      await start();
      const alice = await loggedIn('alice');
      const first = await alice.agent.get('/theme').expect(200);
      expect(setCookies(first)).toContain('theme=dark');
      expectNoHit(await alice.agent.get('/theme').expect(200));
      const holding = () => get('/theme').set('Cookie', `${alice.cookie}; theme=dark`).expect(200);
      expect(setCookies(await holding())).toContain('theme=dark');
      expectNoHit(await holding());
      expectNoHit(await get('/theme').expect(200));
      expect(calls('theme')).toBe(5);
      expect(notStored('GET /theme')).toEqual({ 'set-cookie': 5 });
    });

    test('a render that gives the visitor a new session id is not stored', async () => {
      await start();
      const alice = await loggedIn('alice');
      const relogged = await alice.agent.get('/relogin').expect(200);
      const renewed = setCookies(relogged).find((pair) => pair.startsWith(`${cookieName}=`));
      expect(renewed).toBeDefined();
      expect(renewed).not.toBe(alice.cookie);
      expectNoHit(await alice.agent.get('/relogin').expect(200));
      expect(calls('relogin')).toBe(2);
      expect(notStored('GET /relogin')).toEqual({ 'set-cookie': 2 });
    });
  },
);
