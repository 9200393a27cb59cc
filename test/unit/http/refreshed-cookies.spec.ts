import { describe, expect, test } from '@jest/globals';
import { onlyRefreshes, sessionCookiesOf } from '../../../lib/http/refreshed-cookies.js';

const ID = 'k3Jx9QmZ0aV7bT2cR5yW8nL1pE4sH6dG';
/** express-session's cookie for `ID`, as it sends it (url-encoded `s:<id>.<signature>`). */
const EXPRESS = `connect.sid=s%3A${ID}.Zm9vYmFyYmF6cXV4%2Bsig%2Fnature`;
/** @fastify/session's cookie for `ID` (`<id>.<signature>`, url-encoded by @fastify/cookie). */
const FASTIFY = `sessionId=${ID}.c2lnbmF0dXJl%2B%2F`;

const expressRequest = (cookie?: string, sessionID = ID) => ({ sessionID, headers: { cookie } });
const fastifyRequest = (cookie?: string, sessionId = ID) => ({
  session: { sessionId },
  raw: { headers: { cookie }, socket: {} },
  headers: { cookie },
});

describe('session cookies a request sent', () => {
  test("express-session's cookie carries req.sessionID; other cookies are not the session's", () => {
    const held = sessionCookiesOf(expressRequest(`theme=dark; ${EXPRESS}; _ga=GA1.2.3`));
    expect([...held.keys()]).toEqual(['connect.sid']);
    expect(held.get('connect.sid')).toEqual(new Set([EXPRESS.slice('connect.sid='.length)]));
  });

  test("@fastify/session's cookie carries session.sessionId, read from the raw request's headers", () => {
    const held = sessionCookiesOf(fastifyRequest(`${FASTIFY}; theme=dark`));
    expect([...held.keys()]).toEqual(['sessionId']);
  });

  test('none without a session id, with a short one, or when the session was given a new id', () => {
    expect(sessionCookiesOf({ headers: { cookie: EXPRESS } }).size).toBe(0);
    expect(sessionCookiesOf(expressRequest('x=abc', 'abc')).size).toBe(0);
    expect(sessionCookiesOf(expressRequest(EXPRESS, 'Ab9'.repeat(11))).size).toBe(0);
    expect(sessionCookiesOf(expressRequest(undefined)).size).toBe(0);
  });
});

describe('Set-Cookie that only refreshes a session cookie the request sent', () => {
  const express = sessionCookiesOf(expressRequest(`${EXPRESS}; theme=dark`));
  const fastify = sessionCookiesOf(fastifyRequest(FASTIFY));

  test('none at all is no reason', () => {
    expect(onlyRefreshes([undefined, undefined], express)).toBe(true);
  });

  test('the same name and value with renewed attributes, as a string or in an array', () => {
    const expires = new Date(Date.now() + 86_400_000).toUTCString();
    expect(onlyRefreshes([`${EXPRESS}; Path=/; Expires=${expires}; HttpOnly`], express)).toBe(true);
    expect(onlyRefreshes([[`${FASTIFY}; Path=/; HttpOnly`]], fastify)).toBe(true);
    expect(onlyRefreshes([[`${FASTIFY}; Max-Age=3600`], `${FASTIFY}; Path=/`], fastify)).toBe(true);
  });

  test('a new session id, another value, or another session cookie is the render’s', () => {
    expect(onlyRefreshes([`connect.sid=s%3A${'N'.repeat(32)}.sig; Path=/`], express)).toBe(false);
    expect(onlyRefreshes([`${EXPRESS}x; Path=/`], express)).toBe(false);
    expect(onlyRefreshes([`${FASTIFY}; Path=/`], express)).toBe(false);
  });

  test('a cookie the request sent that is not the session’s is the render’s, even with the value sent', () => {
    expect(onlyRefreshes(['theme=dark; Path=/'], express)).toBe(false);
  });

  test('one cookie of the render among refreshes is enough', () => {
    expect(onlyRefreshes([[`${EXPRESS}; Path=/`, 'theme=light']], express)).toBe(false);
    expect(onlyRefreshes([`${EXPRESS}; Path=/`, ['flash=1']], express)).toBe(false);
  });

  test('a deletion of the session cookie is the render’s (logout), by Max-Age or a past Expires', () => {
    expect(onlyRefreshes([`${EXPRESS}; Max-Age=0`], express)).toBe(false);
    expect(onlyRefreshes([`${EXPRESS}; Expires=Thu, 01 Jan 1970 00:00:00 GMT`], express)).toBe(false);
    expect(onlyRefreshes(['connect.sid=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT'], express)).toBe(
      false,
    );
  });

  test('values are compared as sent: a decoded spelling of the same cookie is not the same', () => {
    expect(onlyRefreshes([`connect.sid=${decodeURIComponent(EXPRESS.split('=')[1]!)}`], express)).toBe(false);
  });
});
