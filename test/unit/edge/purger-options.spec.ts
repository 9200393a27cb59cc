import { describe, expect, test } from '@jest/globals';
import { inspect } from 'node:util';
import { providerText, transportProblem } from '../../../lib/edge/purgers/cdn-api-request.js';
import { CloudflarePurger } from '../../../lib/edge/purgers/cloudflare-purger.js';
import { FastlyPurger } from '../../../lib/edge/purgers/fastly-purger.js';

const TOKEN = 'S3CRET-token-0123456789abcdef';

/** The error the constructor throws, checked to start with the module and to name no token. */
function thrown(construct: () => unknown): string {
  let message = '';
  try {
    construct();
  } catch (error) {
    message = (error as Error).message;
  }
  expect(message).toMatch(/^CachePageModule: new (Fastly|Cloudflare)Purger\(\): option "/);
  expect(message).not.toContain(TOKEN);
  return message;
}

describe('FastlyPurger and CloudflarePurger options', () => {
  test('valid options: names, headers and limits', () => {
    const fastly = new FastlyPurger({ serviceId: 'SU1Z0isxPaozGVKXdv0eY', token: TOKEN });
    expect(fastly).toMatchObject({
      name: 'Fastly service SU1Z0isxPaozGVKXdv0eY',
      keyHeader: 'Surrogate-Key',
      keySeparator: ' ',
      maxKeyHeaderBytes: 16_384,
      lifetimeHeader: 'Surrogate-Control',
    });
    const cloudflare = new CloudflarePurger({
      zoneId: '023e105f4ecef8ad9ca31a8372d0c353',
      token: TOKEN,
      apiUrl: 'http://127.0.0.1:8080/cf/',
    });
    expect(cloudflare).toMatchObject({
      name: 'Cloudflare zone 023e105f4ecef8ad9ca31a8372d0c353 at http://127.0.0.1:8080/cf',
      keyHeader: 'Cache-Tag',
      keySeparator: ',',
      maxKeyHeaderBytes: 16_000,
      lifetimeHeader: 'Cloudflare-CDN-Cache-Control',
    });
    for (const purger of [fastly, cloudflare]) {
      expect(JSON.stringify(purger)).not.toContain(TOKEN);
      expect(inspect(purger, { showHidden: true, depth: 5 })).not.toContain(TOKEN);
    }
  });

  test.each([
    [{ token: TOKEN }, 'option "serviceId" must be a non-empty string', '(got undefined)'],
    [{ serviceId: '', token: TOKEN }, 'option "serviceId"', '(got "")'],
    [{ serviceId: 'www.example.com', token: TOKEN }, 'must be an ID, not a domain name', 'Fastly console'],
    [{ serviceId: 'abc/def', token: TOKEN }, 'option "serviceId"', '"abc/def"'],
  ])('FastlyPurger(%j) is refused with the option, the value and the fix', (options, expected, detail) => {
    const message = thrown(() => new FastlyPurger(options as never));
    expect(message).toContain(expected);
    expect(message).toContain(detail);
  });

  test.each([
    [undefined, 'got undefined'],
    ['', 'got an empty string'],
    [`${TOKEN}\n`, 'got a string with leading or trailing whitespace'],
    [`${TOKEN.slice(0, 5)}\u0000${TOKEN.slice(5)}`, 'got a string with a character not allowed'],
    [42, 'got number'],
  ])('a token %j is refused without being shown', (token, detail) => {
    const fastly = thrown(() => new FastlyPurger({ serviceId: 'abc', token } as never));
    expect(fastly).toContain(detail);
    expect(fastly).toContain('purge_select');
    const cloudflare = thrown(() => new CloudflarePurger({ zoneId: 'abc', token } as never));
    expect(cloudflare).toContain(detail);
    expect(cloudflare).toContain('Cache Purge');
  });

  test('a zone given as a domain name', () => {
    expect(thrown(() => new CloudflarePurger({ zoneId: 'example.com', token: TOKEN }))).toContain(
      'option "zoneId" must be an ID, not a domain name (got "example.com"). Pass the Zone ID shown',
    );
  });

  test.each([
    ['not a url', 'must be an absolute URL (got "not a url")'],
    ['ftp://api.example', 'must be an http: or https: URL'],
    ['https://api.example/?x=1', 'must have no query or fragment'],
    [42, 'must be an absolute URL (got 42)'],
  ])('apiUrl %j is refused', (apiUrl, expected) => {
    const message = thrown(() => new FastlyPurger({ serviceId: 'abc', token: TOKEN, apiUrl } as never));
    expect(message).toContain(expected);
    expect(message).toContain('https://api.fastly.com');
  });

  test('an apiUrl with credentials is refused without showing them', () => {
    const message = thrown(
      () =>
        new CloudflarePurger({ zoneId: 'abc', token: TOKEN, apiUrl: 'https://user:hunter2@proxy.example/' }),
    );
    expect(message).toContain('must not carry credentials');
    expect(message).not.toContain('hunter2');
    expect(message).not.toContain('user');
  });
});

describe('API texts', () => {
  test('providerText: one short line, the token blanked', () => {
    expect(providerText(`bad key ${TOKEN}\n  here`, TOKEN)).toBe('bad key [token] here');
    expect(providerText('x'.repeat(400), TOKEN)).toHaveLength(301);
  });

  test('transportProblem: the network error code, or the abort', () => {
    const refused = Object.assign(new TypeError('fetch failed'), {
      cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    });
    expect(transportProblem(refused, new AbortController().signal, 'http://x')).toContain(
      'could not reach http://x (ECONNREFUSED)',
    );
    expect(
      transportProblem(new TypeError('fetch failed'), new AbortController().signal, 'http://x'),
    ).toContain('(fetch failed)');
    expect(transportProblem(new Error('x'), AbortSignal.abort(), 'http://x')).toContain('aborted');
  });
});
