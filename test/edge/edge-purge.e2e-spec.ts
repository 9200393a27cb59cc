import { afterEach, expect, test } from '@jest/globals';
import request from 'supertest';
import { CachePageService, CloudflarePurger, FastlyPurger, VarnishPurger } from 'nestjs-cache-page';
import { ADAPTERS, createPagesApp, type PagesApp } from '../http/fixtures/create-pages-app.js';
import { CapturedLogs } from '../support/captured-logs.js';
import { FakeCdnApi } from '../support/fake-cdn-apis.js';
import { freePort } from '../support/redis-server.js';
import { describeIfAvailable } from '../support/services.js';
import { uniquePrefix } from '../support/stores.js';
import { availability, startVarnish, type VarnishServer } from '../support/varnish-server.js';

/*
 * The `edge` option end to end: a real app behind a real varnishd running the shipped VCL, with
 * Fastly's and Cloudflare's purge APIs served locally beside it. What the edges are told on each
 * response, what they keep, and that every invalidation is purged at each of them, retried when
 * an edge fails, purged again later, and waited for (`waitForPurge`) within `purgeTimeout`.
 */
const TOKEN = 'edge-test-token-0123456789';

let apps: PagesApp[] = [];
let varnish: VarnishServer | undefined;
let apis: FakeCdnApi[] = [];

afterEach(async () => {
  await Promise.all(apps.map((pages) => pages.app.close()));
  apps = [];
  await varnish?.stop();
  varnish = undefined;
  await Promise.all(apis.map((api) => api.close()));
  apis = [];
});

interface Edges {
  readonly pages: PagesApp;
  readonly varnish: VarnishServer;
  readonly fastly: FakeCdnApi;
  readonly cloudflare: FakeCdnApi;
  readonly logs: CapturedLogs;
}

async function behindEdges(
  adapter: (typeof ADAPTERS)[number],
  edge: { mode?: 'xkey' | 'ban'; waitForPurge?: boolean; purgeTimeout?: number; repurgeAfter?: number } = {},
): Promise<Edges> {
  const port = await freePort();
  varnish = await startVarnish({ backend: { host: '127.0.0.1', port } });
  const fastly = await FakeCdnApi.fastly('service1', TOKEN);
  const cloudflare = await FakeCdnApi.cloudflare('zone1', TOKEN);
  apis.push(fastly, cloudflare);
  const logs = new CapturedLogs();
  const { mode, ...timing } = edge;
  const pages = await createPagesApp(
    adapter,
    {
      keyPrefix: uniquePrefix('edge'),
      edge: {
        purgers: [
          new VarnishPurger({ url: varnish.url, mode }),
          new FastlyPurger({ serviceId: 'service1', token: TOKEN, apiUrl: fastly.url }),
          new CloudflarePurger({ zoneId: 'zone1', token: TOKEN, apiUrl: cloudflare.url }),
        ],
        waitForPurge: true,
        ...timing,
      },
    },
    [],
    logs,
    port,
  );
  apps.push(pages);
  return { pages, varnish, fastly, cloudflare, logs };
}

const direct = (pages: PagesApp, path: string) => request(pages.server).get(path);
const viaVarnish = (server: VarnishServer, path: string) => request(server.url).get(path);
/** Varnish names two transactions in `X-Varnish` when it answered from its cache. */
const fromVarnish = (response: request.Response) => /^\d+ \d+$/.test(String(response.headers['x-varnish']));

/** Requests through Varnish until Varnish itself answers (a miss, then an app hit it keeps). */
async function untilVarnishKeeps(server: VarnishServer, path: string): Promise<request.Response> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const response = await viaVarnish(server, path);
    if (fromVarnish(response)) return response;
  }
  throw new Error(`Varnish never kept ${path}`);
}

for (const adapter of ADAPTERS) {
  describeIfAvailable('varnishd with the xkey vmod', availability(), `edge caches on ${adapter}`, () => {
    test('a hit tells each edge its keys and lifetime; a miss tells them to keep nothing; browsers keep getting no-cache', async () => {
      const { pages } = await behindEdges(adapter);
      const miss = await direct(pages, '/items/a');
      expect(miss.headers['x-cache']).toBe('MISS');
      expect(miss.headers['surrogate-control']).toBe('no-store');
      expect(miss.headers['cloudflare-cdn-cache-control']).toBe('no-store');
      expect(miss.headers.xkey).toBeUndefined();

      const hit = await direct(pages, '/items/a');
      expect(hit.headers['x-cache']).toBe('HIT');
      expect(hit.headers['cache-control']).toBe('no-cache');
      expect(hit.headers['surrogate-control']).toBe('max-age=86400');
      expect(hit.headers['cloudflare-cdn-cache-control']).toBe('max-age=86400');
      const keys = String(hit.headers.xkey).split(' ');
      expect(keys).toHaveLength(2);
      for (const key of keys) expect(key).toMatch(/^[0-9a-f]{24}$/);
      expect(hit.headers['surrogate-key']).toBe(keys.join(' '));
      expect(hit.headers['cache-tag']).toBe(keys.join(','));
      // The same keys on every hit, and the global one on every page.
      expect((await direct(pages, '/items/b')).headers['surrogate-control']).toBe('no-store');
      const other = await direct(pages, '/items/b');
      expect(String(other.headers.xkey).split(' ')[1]).toBe(keys[1]);
      expect(String(other.headers.xkey).split(' ')[0]).not.toBe(keys[0]);
    });

    test('an instance on the memory store purges every page at its edges when it starts (a previous run may have died with purges unsent)', async () => {
      const { pages, fastly, cloudflare } = await behindEdges(adapter);
      await direct(pages, '/items/a');
      const everyPage = String((await direct(pages, '/items/a')).headers.xkey).split(' ')[1]!;
      await waitFor(
        () => fastly.acknowledged.includes(everyPage) && cloudflare.acknowledged.includes(everyPage),
      );
      expect(fastly.requests.flatMap((request) => request.keys)).toEqual([everyPage]);
    });

    for (const mode of ['xkey', 'ban'] as const) {
      test(`Varnish (${mode}) keeps a hit, and invalidate() resolves only once every edge forgot the page`, async () => {
        const { pages, varnish: edge, fastly, cloudflare } = await behindEdges(adapter, { mode });
        expect((await viaVarnish(edge, '/items/a')).text).toContain('value v1');
        const kept = await untilVarnishKeeps(edge, '/items/a');
        expect(kept.headers.xkey).toBeUndefined();
        expect(kept.headers['surrogate-control']).toBeUndefined();
        expect(kept.headers['cache-control']).toBe('no-cache');
        expect(fromVarnish(await viaVarnish(edge, '/items/a'))).toBe(true);
        expect(fromVarnish(await viaVarnish(edge, '/items/b'))).toBe(false);
        await untilVarnishKeeps(edge, '/items/b');
        const pathKey = String((await direct(pages, '/items/a')).headers.xkey).split(' ')[0]!;
        const calls = pages.data.counters.of('item');

        pages.data.value = 'v2';
        await pages.app.get(CachePageService).invalidate('/items/a');
        expect(fastly.acknowledged).toContain(pathKey);
        expect(cloudflare.acknowledged).toContain(pathKey);
        const after = await viaVarnish(edge, '/items/a');
        expect(fromVarnish(after)).toBe(false);
        expect(after.text).toContain('value v2');
        expect(pages.data.counters.of('item')).toBe(calls + 1);
        // The other page kept its place at the edge.
        expect(fromVarnish(await viaVarnish(edge, '/items/b'))).toBe(true);

        await pages.app.get(CachePageService).invalidateAll();
        expect(fromVarnish(await viaVarnish(edge, '/items/b'))).toBe(false);
      });
    }

    test('an edge that fails is retried (5xx, 429 with Retry-After) until it acknowledges, without holding the others', async () => {
      const { pages, fastly, cloudflare } = await behindEdges(adapter, {
        waitForPurge: false,
        repurgeAfter: 0,
      });
      await direct(pages, '/items/a');
      const pathKey = String((await direct(pages, '/items/a')).headers.xkey).split(' ')[0]!;
      fastly.replyTo = (_request, index) => (index < 2 ? { status: 503, json: { msg: 'busy' } } : undefined);
      cloudflare.replyTo = (_request, index) =>
        index === 0
          ? { status: 429, headers: { 'Retry-After': '1' }, json: { success: false, errors: [] } }
          : undefined;
      const started = Date.now();
      await pages.app.get(CachePageService).invalidate('/items/a');
      expect(Date.now() - started).toBeLessThan(1_000);
      await waitFor(() => fastly.acknowledged.includes(pathKey) && cloudflare.acknowledged.includes(pathKey));
      expect(fastly.requests.length).toBeGreaterThanOrEqual(3);
      expect(cloudflare.requests.length).toBe(2);
    }, 20_000);

    test('each purge is sent again repurgeAfter later, for responses that were on their way to the edge', async () => {
      const { pages, fastly } = await behindEdges(adapter, { repurgeAfter: 300 });
      await direct(pages, '/items/a');
      const pathKey = String((await direct(pages, '/items/a')).headers.xkey).split(' ')[0]!;
      await pages.app.get(CachePageService).invalidate('/items/a');
      expect(fastly.acknowledged.filter((key) => key === pathKey)).toHaveLength(1);
      await waitFor(() => fastly.acknowledged.filter((key) => key === pathKey).length === 2);
    });

    test('with waitForPurge, an edge that hangs holds a write no longer than purgeTimeout, and it is logged', async () => {
      const { pages, cloudflare, logs } = await behindEdges(adapter, { purgeTimeout: 400 });
      cloudflare.replyTo = () => 'hang';
      await direct(pages, '/items/a');
      const started = Date.now();
      await pages.app.get(CachePageService).invalidate('/items/a');
      const took = Date.now() - started;
      expect(took).toBeGreaterThanOrEqual(350);
      expect(took).toBeLessThan(2_000);
      expect(logs.of('warn').join('\n')).toContain(
        'did not acknowledge a purge within edge.purgeTimeout (400 ms)',
      );
    });
  });
}

async function waitFor(condition: () => boolean, withinMs = 10_000): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('the condition did not hold in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
