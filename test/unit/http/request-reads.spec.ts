import { describe, expect, test } from '@jest/globals';
import {
  CREDENTIAL_COOKIE,
  CREDENTIAL_HEADER,
  PERSONAL_REQUEST_PROPERTIES,
  UNOBSERVED_HEADERS,
} from '../../../lib/http/request-reads.js';

describe('what a read of the request means', () => {
  test.each(['cookie', 'authorization', 'proxy-authorization', 'x-api-key', 'x-auth-user', 'x-csrf-token'])(
    'reading the %s header makes a page personal',
    (header) => expect(CREDENTIAL_HEADER.test(header)).toBe(true),
  );

  test.each(['accept-language', 'accept', 'user-agent', 'x-requested-with', 'cookie2'])(
    'reading the %s header makes it a variant at most',
    (header) => expect(CREDENTIAL_HEADER.test(header)).toBe(false),
  );

  test('identity cookies are told from preference cookies by name', () => {
    for (const name of ['connect.sid', 'session', 'sessionId', 'jwt', 'XSRF-TOKEN', 'remember_me']) {
      expect(CREDENTIAL_COOKIE.test(name)).toBe(true);
    }
    for (const name of ['theme', 'lang', 'consent']) expect(CREDENTIAL_COOKIE.test(name)).toBe(false);
  });

  test('headers the cache keys or handles itself are never observed; the ones pages vary on are', () => {
    for (const header of ['host', 'x-forwarded-proto', 'accept-encoding', 'if-none-match']) {
      expect(UNOBSERVED_HEADERS.has(header)).toBe(true);
    }
    for (const header of ['accept-language', 'accept', 'user-agent']) {
      expect(UNOBSERVED_HEADERS.has(header)).toBe(false);
    }
  });

  test("the usual middleware's per-visitor state is watched (sessions, passport, CSRF)", () => {
    expect(PERSONAL_REQUEST_PROPERTIES).toEqual(
      expect.arrayContaining(['session', 'sessionID', 'user', 'isAuthenticated', 'csrfToken']),
    );
  });
});
