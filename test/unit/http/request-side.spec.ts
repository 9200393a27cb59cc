import { describe, expect, test } from '@jest/globals';
import { negotiateEncoding } from '../../../lib/http/content-encoding.js';
import { IgnoreRules } from '../../../lib/http/ignore-rules.js';
import { pageVariance } from '../../../lib/http/page-variance.js';
import { RenderObservation } from '../../../lib/http/render-observation.js';
import { bestLanguage, HeaderInputs, preferredMediaType } from '../../../lib/http/request-inputs.js';
import { bypassesCache } from '../../../lib/http/request-eligibility.js';
import { requestOrigin } from '../../../lib/http/request-page-key.js';

describe('request origins', () => {
  test.each([
    [{ host: 'Blog.Example' }, false, 'http://blog.example'],
    [{ host: 'blog.example:443' }, true, 'https://blog.example'],
    [{ host: 'blog.example:8080' }, false, 'http://blog.example:8080'],
    [{ host: '127.0.0.1:54321' }, false, 'http://127.0.0.1'],
    [
      { host: 'internal:3000', 'x-forwarded-host': 'www.example, proxy', 'x-forwarded-proto': 'https' },
      false,
      'https://www.example',
    ],
    [{ host: 'internal', forwarded: 'for=1.2.3.4;host="a.example";proto=https' }, false, 'https://a.example'],
  ])('%j (TLS %s) → %s', (headers, encrypted, origin) => {
    expect(requestOrigin(headers, encrypted)).toBe(origin);
  });

  test('the same host gives the same origin again, per TLS and after more hosts than are remembered', () => {
    expect(requestOrigin({ host: 'Shop.Example:443' }, true)).toBe('https://shop.example');
    expect(requestOrigin({ host: 'Shop.Example:443' }, false)).toBe('http://shop.example:443');
    for (let i = 0; i < 300; i++) requestOrigin({ host: `h${i}.example` }, false);
    expect(requestOrigin({ host: 'h299.example' }, false)).toBe('http://h299.example');
    expect(requestOrigin({ host: 'Shop.Example:443' }, true)).toBe('https://shop.example');
    expect(requestOrigin({ host: 'Shop.Example:443', 'x-forwarded-proto': 'http' }, true)).toBe(
      'http://shop.example:443',
    );
    expect(requestOrigin({ host: 'Shop.Example:443' }, false)).toBe('http://shop.example:443');
  });
});

describe('ignore rules', () => {
  const rules = new IgnoreRules(['/account', /^\/preview-/]);
  test.each([
    ['/account', true],
    ['/account/orders', true],
    ['/ACCOUNT/', true],
    ['/accounts', false],
    ['/preview-1', true],
    ['/posts', false],
  ])('%s → %s', (path, ignored) => {
    expect(rules.matches(path, path.toLowerCase().replace(/\/$/, '') || '/')).toBe(ignored);
  });
});

describe('inputs a page may vary on', () => {
  test('Accept-Language is reduced to the best of the app languages (RFC 4647 lookup)', () => {
    expect(bestLanguage('de-CH,de;q=0.9,en;q=0.8', ['en', 'de'])).toBe('de');
    expect(bestLanguage('fr-FR,fr;q=0.9', ['en', 'de'])).toBe('en');
    expect(bestLanguage('en-GB,*;q=0.1', ['en-GB', 'en'])).toBe('en-gb');
    expect(bestLanguage('de-CH,de;q=0.9', [])).toBe('de-ch');
    expect(bestLanguage('de;q=0,en', ['de', 'en'])).toBe('en');
  });

  test('Accept is reduced to its preferred media type', () => {
    expect(preferredMediaType('text/html,application/xhtml+xml;q=0.9,*/*;q=0.8')).toBe('text/html');
    expect(preferredMediaType('application/json;q=0.5, text/plain')).toBe('text/plain');
  });

  test('the cookie input is empty without cookies; a named cookie is its value', () => {
    expect(new HeaderInputs({}, []).valueOf('cookie')).toBe('');
    expect(new HeaderInputs({ cookie: 'a=1' }, []).valueOf('cookie')).not.toBe('');
    expect(new HeaderInputs({ cookie: 'theme=dark; _ga=1' }, []).valueOf('cookie:theme')).toBe('dark');
  });

  test('a named cookie is what cookie-parser gives the app: the first of that name, decoded', () => {
    expect(new HeaderInputs({ cookie: 'theme=dark; theme=light' }, []).valueOf('cookie:theme')).toBe('dark');
    expect(new HeaderInputs({ cookie: 'city=Z%C3%BCrich' }, []).valueOf('cookie:city')).toBe('Zürich');
    expect(new HeaderInputs({ cookie: 'bad=%E0%A4%A' }, []).valueOf('cookie:bad')).toBe('%E0%A4%A');
  });

  test('Accept-Language without app languages is its first preference, q=0 left out', () => {
    expect(bestLanguage('fr;q=0, de-AT;q=0.5, en-US;q=0.8', [])).toBe('en-us');
    expect(bestLanguage('', ['en', 'de'])).toBe('en');
    expect(bestLanguage('de-CH, en', ['en', 'de'])).toBe('de');
  });
});

describe('encodings', () => {
  test.each([
    ['gzip, deflate, br', 'br'],
    ['gzip', 'gzip'],
    ['br;q=0, gzip', 'gzip'],
    ['*', 'br'],
    ['identity', undefined],
    ['', undefined],
    ['gzip, br;q=0.5', 'gzip'],
    ['BR;q=0.5, GZIP;q=0.5', 'br'],
    ['x-gzip', 'gzip'],
    ['gzip;q=0, x-gzip', 'gzip'],
    ['br;q=0, *', 'gzip'],
    ['*;q=0', undefined],
  ])('Accept-Encoding %j → %s', (header, encoding) => {
    expect(negotiateEncoding(header, 10_000)).toBe(encoding);
  });

  test('small bodies are always sent as they are', () => {
    expect(negotiateEncoding('br', 100)).toBeUndefined();
  });

  test('a long header (parsed each time, never remembered) is negotiated like a short one', () => {
    const padding = Array.from({ length: 40 }, (_, i) => `x-${i};q=0.5`).join(', ');
    expect(padding.length).toBeGreaterThan(128);
    expect(negotiateEncoding(`${padding}, br;q=0, gzip`, 10_000)).toBe('gzip');
    expect(negotiateEncoding(`${padding}, br;q=0, gzip`, 10_000)).toBe('gzip');
    expect(negotiateEncoding(`${padding}, br`, 10_000)).toBe('br');
    expect(negotiateEncoding(`${padding}, gzip;q=0`, 10_000)).toBeUndefined();
  });

  test('a remembered header gives the same answer, also after more distinct headers than are remembered', () => {
    expect(negotiateEncoding('br;q=0, gzip', 10_000)).toBe('gzip');
    for (let i = 0; i < 300; i++) negotiateEncoding(`x-${i}, gzip;q=0`, 10_000);
    expect(negotiateEncoding('x-299, gzip;q=0', 10_000)).toBeUndefined();
    expect(negotiateEncoding('br;q=0, gzip', 10_000)).toBe('gzip');
    expect(negotiateEncoding('br;q=0, gzip', 100)).toBeUndefined();
  });
});

describe('what a render read', () => {
  test('headers become variants, credentials and the session make it personal; reads after stop() do not count', () => {
    const request = {
      headers: { 'accept-language': 'de', 'x-api-key': 'k', host: 'h' },
      session: { user: 'alice' },
      cookies: { theme: 'dark', sid: 'x' },
    };
    const observation = new RenderObservation(request, {});
    void request.headers['accept-language'];
    void request.headers.host;
    void request.cookies.theme;
    void request.headers['x-api-key'];
    const observed = observation.stop();
    void request.session;
    expect([...observed.headers]).toEqual(['accept-language']);
    expect([...observed.cookies]).toEqual(['theme']);
    expect([...observed.personal]).toEqual(['x-api-key']);
    expect(request.session).toEqual({ user: 'alice' });
  });

  test('reading the session, or a user that is not there, is personal', () => {
    const request: Record<string, unknown> = { headers: {} };
    const observation = new RenderObservation(request, {});
    void request.user;
    expect([...observation.stop().personal]).toEqual(['cookie']);
    expect('user' in request).toBe(false);
  });

  test('a personal page is storable only for a visitor without an identity', () => {
    const observed = {
      personal: new Set(['cookie']),
      headers: new Set<string>(),
      cookies: new Set<string>(),
    };
    const anonymous = pageVariance([], observed, new HeaderInputs({}, []), false);
    const visitor = pageVariance([], observed, new HeaderInputs({ cookie: 'sid=1' }, []), false);
    expect(anonymous).toEqual({ storable: true, varied: [['cookie', '']] });
    expect(visitor.storable).toBe(false);
    expect(pageVariance([], observed, new HeaderInputs({ cookie: 'sid=1' }, []), true)).toEqual({
      storable: true,
      varied: [],
    });
    expect(pageVariance(['*'], undefined, new HeaderInputs({}, []), false).storable).toBe(false);
  });
});

describe('requests that bypass the cache', () => {
  test.each([
    [{ cookie: '_ga=1; sid=abc' }, true],
    [{ cookie: ' sid = abc ' }, true],
    [{ cookie: '_ga=1; sidekick=1' }, false],
    // No `=`: counted as sid all the same (cookie's parse would skip it; bypassing is the safe side).
    [{ cookie: 'sid' }, true],
    [{ cookie: '' }, false],
    [{ authorization: 'Bearer x' }, true],
    [{ 'content-length': '2' }, true],
    [{ 'content-length': '0' }, false],
  ])('%j → %s', (headers, bypasses) => {
    expect(bypassesCache(headers, ['sid'])).toBe(bypasses);
  });
});
