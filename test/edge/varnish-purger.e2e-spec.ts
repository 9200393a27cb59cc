import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { createServer, type OutgoingHttpHeaders, type Server } from 'node:http';
import { connect, createServer as createTcpServer, type AddressInfo } from 'node:net';
import { EdgePurgeError } from '../../lib/edge/edge-purger.js';
import { VarnishPurger } from '../../lib/edge/varnish-purger.js';
import { describeIfAvailable } from '../support/services.js';
import { availability, startVarnish, type VarnishServer } from '../support/varnish-server.js';

/*
 * A real varnishd running the shipped varnish/cache-page.vcl with the xkey vmod, in front of a
 * plain node:http backend that counts its requests per path: a page was served from Varnish
 * exactly when the backend's count did not move.
 */

const EDGE_HEADERS = { 'surrogate-control': 'max-age=3600', 'cache-control': 'no-cache' };

/** What the backend answers for a path (default: an edge-cacheable page with no keys). */
const pages = new Map<string, OutgoingHttpHeaders>();
const fetches = new Map<string, number>();
let backend: Server;
let varnish: VarnishServer;

const newKey = () => randomBytes(12).toString('hex');
let pageCount = 0;
/** A fresh path answered with `headers` (an edge-cacheable page carrying `keys` by default). */
function page(keys: readonly string[], headers: OutgoingHttpHeaders = EDGE_HEADERS): string {
  const path = `/page-${++pageCount}`;
  pages.set(path, { ...headers, ...(keys.length > 0 ? { xkey: keys.join(' ') } : {}) });
  return path;
}
const backendFetches = (path: string) => fetches.get(path) ?? 0;

async function get(path: string, headers: Record<string, string> = {}) {
  const response = await fetch(varnish.url + path, { headers });
  return { status: response.status, headers: response.headers, body: await response.text() };
}

/** Requests every path twice through Varnish, so that each is stored (or proven not to be). */
async function warm(...paths: string[]) {
  for (const path of paths) {
    await get(path);
    await get(path);
  }
}

const purge = (purger: VarnishPurger, keys: readonly string[], soft = false) =>
  purger.purge(keys, { soft, signal: AbortSignal.timeout(10_000) });

/** Waits (up to 5 s) until `condition` holds, then checks it once more. */
async function until(condition: () => boolean | Promise<boolean>) {
  for (let waited = 0; !(await condition()) && waited < 5_000; waited += 20)
    await new Promise((resolve) => setTimeout(resolve, 20));
  expect(await condition()).toBe(true);
}

/** Sends `request` over the PROXY-protocol listener as if from `clientIp`; resolves the status line. */
function requestFrom(clientIp: string, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port: varnish.proxyPort });
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString()));
    socket.on('error', reject);
    socket.on('end', () => resolve(answer.split('\r\n')[0]!));
    socket.end(`PROXY TCP4 ${clientIp} 127.0.0.1 40000 80\r\n${request}Connection: close\r\n\r\n`);
  });
}

describeIfAvailable(
  'varnishd with the xkey vmod',
  availability(),
  'VarnishPurger and varnish/cache-page.vcl',
  () => {
    beforeAll(async () => {
      backend = createServer((request, response) => {
        const path = request.url!;
        fetches.set(path, backendFetches(path) + 1);
        response.writeHead(200, { 'content-type': 'text/plain', ...(pages.get(path) ?? EDGE_HEADERS) });
        response.end(`${path} #${backendFetches(path)}`);
      });
      await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
      const { port } = backend.address() as AddressInfo;
      varnish = await startVarnish({ backend: { host: '127.0.0.1', port }, purgers: ['"198.51.100.0"/24'] });
    }, 90_000);

    afterAll(async () => {
      await varnish?.stop();
      await new Promise((resolve) => backend?.close(resolve));
    });

    test('a page with Surrogate-Control is a Varnish hit the second time, delivered without the edge headers', async () => {
      const path = page([newKey()]);
      const first = await get(path);
      const second = await get(path);
      expect(backendFetches(path)).toBe(1);
      expect(second.body).toBe(first.body);
      expect(second.headers.get('x-varnish')).toMatch(/^\d+ \d+$/); // a hit names the request that stored it
      expect(second.headers.get('age')).toMatch(/^\d+$/);
      expect(second.headers.get('cache-control')).toBe('no-cache');
      expect(second.headers.has('surrogate-control')).toBe(false);
      expect(second.headers.has('xkey')).toBe(false);
    });

    test('the lifetime is the one in Surrogate-Control, whatever Cache-Control says', async () => {
      const longLived = page([newKey()], {
        'surrogate-control': 'max-age=3600',
        'cache-control': 'max-age=0',
      });
      const shortLived = page([newKey()], {
        'surrogate-control': 'max-age=1',
        'cache-control': 'max-age=3600',
      });
      await warm(longLived, shortLived);
      expect([longLived, shortLived].map(backendFetches)).toEqual([1, 1]);
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      await get(longLived);
      await get(shortLived); // within grace: the stale page, refetched in the background
      await until(() => backendFetches(shortLived) === 2);
      expect(backendFetches(longLived)).toBe(1);
    });

    test('requests with cookies are answered from the cache', async () => {
      const path = page([newKey()]);
      await get(path);
      const withCookie = await get(path, { cookie: 'session=abc' });
      expect(backendFetches(path)).toBe(1);
      expect(withCookie.headers.get('x-varnish')).toMatch(/^\d+ \d+$/);
    });

    test.each([
      ['Surrogate-Control: no-store', { 'surrogate-control': 'no-store', 'cache-control': 'no-cache' }],
      ['no Surrogate-Control', { 'cache-control': 'public, max-age=3600' }],
      ['Cache-Control: private', { ...EDGE_HEADERS, 'cache-control': 'private, no-cache' }],
      ['Cache-Control: no-store', { ...EDGE_HEADERS, 'cache-control': 'no-store' }],
      ['Set-Cookie', { ...EDGE_HEADERS, 'set-cookie': 'session=abc; HttpOnly' }],
      ['Vary: *', { ...EDGE_HEADERS, vary: '*' }],
    ])('a response with %s is not cached', async (_, headers) => {
      const path = page([newKey()], headers);
      await warm(path);
      await get(path);
      expect(backendFetches(path)).toBe(3);
    });

    test('requests with Authorization are not answered from the cache, nor stored', async () => {
      const path = page([newKey()]);
      await get(path, { authorization: 'Bearer token' });
      await get(path, { authorization: 'Bearer token' });
      expect(backendFetches(path)).toBe(2);
      await warm(path);
      expect(backendFetches(path)).toBe(3);
      await get(path, { authorization: 'Bearer token' });
      expect(backendFetches(path)).toBe(4);
    });

    test('a page carrying keys up to maxKeyHeaderBytes is stored and purged by its last key', async () => {
      const purger = new VarnishPurger({ url: varnish.url });
      const keys = Array.from({ length: Math.floor((purger.maxKeyHeaderBytes + 1) / 25) }, newKey);
      expect(keys.join(' ').length).toBeLessThanOrEqual(purger.maxKeyHeaderBytes);
      expect(keys.join(' ').length).toBeGreaterThan(purger.maxKeyHeaderBytes - 25);
      const path = page(keys);
      await warm(path);
      expect(backendFetches(path)).toBe(1);
      await purge(purger, [keys.at(-1)!]);
      await get(path);
      expect(backendFetches(path)).toBe(2);
    });

    for (const mode of ['xkey', 'ban'] as const) {
      test(`${mode} mode: purging a key refetches exactly the pages carrying it`, async () => {
        const [shared, other, third] = [newKey(), newKey(), newKey()];
        const first = page([other, shared]);
        const second = page([shared, third]);
        const untouched = page([other, third]);
        const keyless = page([]);
        await warm(first, second, untouched, keyless);
        await purge(new VarnishPurger({ url: varnish.url, mode }), [shared]);
        await warm(first, second, untouched, keyless);
        expect([first, second, untouched, keyless].map(backendFetches)).toEqual([2, 2, 1, 1]);
      });

      test(`${mode} mode: keys sent in several xkey headers are all purged`, async () => {
        const [first, second] = [newKey(), newKey()];
        const path = page([], { ...EDGE_HEADERS, xkey: [first, second] });
        await warm(path);
        await purge(new VarnishPurger({ url: varnish.url, mode }), [second]);
        await get(path);
        expect(backendFetches(path)).toBe(2);
      });

      test(`${mode} mode: a key matches only as a whole key, never as a prefix, suffix or part of another`, async () => {
        const key = newKey();
        const longer = [page([key + 'ab']), page(['ab' + key]), page([`${newKey()} x${key}x ${newKey()}`])];
        await warm(...longer);
        await purge(new VarnishPurger({ url: varnish.url, mode }), [key, key.slice(0, 8), key.slice(4)]);
        await warm(...longer);
        expect(longer.map(backendFetches)).toEqual([1, 1, 1]);
      });

      test(`${mode} mode: 2,000 keys go in several requests within Varnish's header limit, and all are purged`, async () => {
        const keys = Array.from({ length: 2_000 }, newKey);
        const paths = Array.from({ length: 40 }, (_, index) => page(keys.slice(index * 50, index * 50 + 50)));
        const control = page([newKey()]);
        await warm(...paths, control);
        // One request could not carry them: Varnish answers 400 above 8 KiB a header line, and
        // resets the connection above http_req_size (32 KiB).
        const unsplit = await fetch(varnish.url, {
          method: mode === 'ban' ? 'BAN' : 'PURGE',
          headers: { [mode === 'ban' ? 'x-cache-page-ban' : 'xkey-purge']: keys.join(' ') },
        }).then(
          (response) => response.status,
          () => 'reset',
        );
        expect([400, 'reset']).toContain(unsplit);
        await purge(new VarnishPurger({ url: varnish.url, mode }), keys);
        await warm(...paths, control);
        expect(new Set(paths.map(backendFetches))).toEqual(new Set([2]));
        expect(backendFetches(control)).toBe(1);
      });
    }

    test('xkey mode: a soft purge serves the stale page once while Varnish refetches it', async () => {
      const key = newKey();
      const path = page([key]);
      await warm(path);
      await purge(new VarnishPurger({ url: varnish.url }), [key], true);
      expect((await get(path)).body).toBe(`${path} #1`);
      // The refetch is stored once its response is complete: until then the stale page is served.
      await until(async () => (await get(path)).body === `${path} #2`);
      expect(backendFetches(path)).toBe(2);
    });

    test('ban mode: a soft purge removes the page (bans are always hard)', async () => {
      const key = newKey();
      const path = page([key]);
      await warm(path);
      await purge(new VarnishPurger({ url: varnish.url, mode: 'ban' }), [key], true);
      expect((await get(path)).body).toBe(`${path} #2`);
    });

    test('PURGE and BAN from an address outside the acl are refused, X-Forwarded-For or not', async () => {
      const key = newKey();
      const path = page([key]);
      await warm(path);
      const outsider = '203.0.113.5';
      expect(
        await requestFrom(outsider, `GET ${path} HTTP/1.1\r\nHost: ${new URL(varnish.url).host}\r\n`),
      ).toMatch(/^HTTP\/1.1 200/);
      for (const request of [
        `PURGE / HTTP/1.1\r\nHost: x\r\nxkey-purge: ${key}\r\n`,
        `PURGE / HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 127.0.0.1\r\nxkey-purge: ${key}\r\n`,
        `BAN / HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 127.0.0.1\r\nx-cache-page-ban: ${key}\r\n`,
      ])
        expect(await requestFrom(outsider, request)).toMatch(/^HTTP\/1.1 403/);
      await get(path);
      expect(backendFetches(path)).toBe(1);
    });

    test('an address the user added with call cache_page_purge may purge', async () => {
      const [first, second] = [newKey(), newKey()];
      const [xkeyPage, banPage] = [page([first]), page([second])];
      await warm(xkeyPage, banPage);
      const appServer = '198.51.100.7';
      expect(await requestFrom(appServer, `PURGE / HTTP/1.1\r\nHost: x\r\nxkey-purge: ${first}\r\n`)).toMatch(
        /^HTTP\/1.1 200/,
      );
      expect(
        await requestFrom(appServer, `BAN / HTTP/1.1\r\nHost: x\r\nx-cache-page-ban: ${second}\r\n`),
      ).toMatch(/^HTTP\/1.1 200/);
      await warm(xkeyPage, banPage);
      expect([xkeyPage, banPage].map(backendFetches)).toEqual([2, 2]);
    });

    test('a request refused by Varnish rejects with the keys of that request and the ones after it', async () => {
      const early = Array.from({ length: 300 }, newKey); // more than one request's worth
      const path = page([early[0]!]);
      await warm(path);
      const refused = 'not.a.key';
      const late = [newKey(), newKey()];
      const error = await purge(new VarnishPurger({ url: varnish.url, mode: 'ban' }), [
        ...early,
        refused,
        ...late,
      ]).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(EdgePurgeError);
      const { remaining, message } = error as EdgePurgeError;
      expect(remaining).toEqual(expect.arrayContaining([refused, ...late]));
      expect(remaining).not.toContain(early[0]);
      expect(message).toContain(varnish.url);
      expect(message).toContain('400');
      expect(message).toMatch(/^CachePageModule: /);
      await get(path);
      expect(backendFetches(path)).toBe(2); // the first request's keys were purged
    });

    test('a Varnish that is down rejects with every key remaining', async () => {
      const { port } = backend.address() as AddressInfo;
      const doomed = await startVarnish({ backend: { host: '127.0.0.1', port } });
      await doomed.kill();
      const keys = [newKey(), newKey()];
      const error = await purge(new VarnishPurger({ url: doomed.url }), keys).catch(
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(EdgePurgeError);
      expect((error as EdgePurgeError).remaining).toEqual(keys);
      expect((error as EdgePurgeError).message).toContain(doomed.url);
    }, 90_000);

    test('a purge aborted by its signal rejects with every key remaining', async () => {
      const keys = [newKey(), newKey()];
      const purger = new VarnishPurger({ url: varnish.url });
      const aborted = await purger
        .purge(keys, { soft: false, signal: AbortSignal.abort() })
        .catch((caught: unknown) => caught);
      expect(aborted).toBeInstanceOf(EdgePurgeError);
      expect((aborted as EdgePurgeError).remaining).toEqual(keys);
      expect((aborted as EdgePurgeError).message).toContain('aborted');
    });

    test('a purge aborted while Varnish does not answer rejects with every key remaining', async () => {
      const silent = createTcpServer(() => {}); // accepts and never answers, like a stalled Varnish
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
      const keys = [newKey()];
      const started = Date.now();
      const error = await new VarnishPurger({ url })
        .purge(keys, { soft: false, signal: AbortSignal.timeout(200) })
        .catch((caught: unknown) => caught);
      silent.close();
      expect(error).toBeInstanceOf(EdgePurgeError);
      expect((error as EdgePurgeError).remaining).toEqual(keys);
      expect(Date.now() - started).toBeLessThan(10_000);
    });
  },
);
