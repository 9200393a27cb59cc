import { afterEach, describe, expect, test } from '@jest/globals';
import { EdgePurgeError } from '../../lib/edge/edge-purger.js';
import { CloudflarePurger } from '../../lib/edge/purgers/cloudflare-purger.js';
import { FastlyPurger } from '../../lib/edge/purgers/fastly-purger.js';
import { FakeCdnApi, hexKeys } from '../support/fake-cdn-apis.js';

/*
 * FastlyPurger and CloudflarePurger against local servers that speak Fastly's batch
 * surrogate-key purge and Cloudflare's purge-by-tag API (test/support/fake-cdn-apis.ts).
 */

const TOKEN = 'S3CRET-token-0123456789abcdef';
const SERVICE_ID = 'SU1Z0isxPaozGVKXdv0eY';
const ZONE_ID = '023e105f4ecef8ad9ca31a8372d0c353';

const apis: FakeCdnApi[] = [];
afterEach(async () => {
  await Promise.all(apis.splice(0).map((api) => api.close()));
});

async function fastly(token = TOKEN): Promise<{ api: FakeCdnApi; purger: FastlyPurger }> {
  const api = await FakeCdnApi.fastly(SERVICE_ID, TOKEN);
  apis.push(api);
  return { api, purger: new FastlyPurger({ serviceId: SERVICE_ID, token, apiUrl: api.url }) };
}

async function cloudflare(token = TOKEN): Promise<{ api: FakeCdnApi; purger: CloudflarePurger }> {
  const api = await FakeCdnApi.cloudflare(ZONE_ID, TOKEN);
  apis.push(api);
  return { api, purger: new CloudflarePurger({ zoneId: ZONE_ID, token, apiUrl: api.url }) };
}

const options = (soft = false, signal = new AbortController().signal) => ({ soft, signal });

/** The purge's rejection, checked to be an `EdgePurgeError` that names no token. */
async function rejection(purge: Promise<void>): Promise<EdgePurgeError> {
  const error = await purge.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(EdgePurgeError);
  const edgeError = error as EdgePurgeError;
  expect(edgeError.message).toMatch(/^CachePageModule: /);
  expect(edgeError.message).not.toContain(TOKEN);
  expect(String(edgeError.stack)).not.toContain(TOKEN);
  return edgeError;
}

const sorted = (keys: readonly string[]) => [...keys].sort();
const without = (keys: readonly string[], gone: readonly string[]) =>
  keys.filter((key) => !gone.includes(key));

describe('FastlyPurger against a Fastly API', () => {
  test('a purge is one batch POST with the token, JSON and the keys', async () => {
    const { api, purger } = await fastly();
    const keys = hexKeys(3);
    await purger.purge(keys, options());
    expect(api.requests).toHaveLength(1);
    const [request] = api.requests;
    expect(request).toMatchObject({ method: 'POST', path: `/service/${SERVICE_ID}/purge` });
    expect(request!.headers).toMatchObject({
      'fastly-key': TOKEN,
      accept: 'application/json',
      'content-type': 'application/json',
    });
    expect(request!.headers['fastly-soft-purge']).toBeUndefined();
    expect(JSON.parse(request!.body)).toEqual({ surrogate_keys: keys });
    expect(api.acknowledged).toEqual(keys);
  });

  test('a soft purge adds Fastly-Soft-Purge: 1', async () => {
    const { api, purger } = await fastly();
    await purger.purge(hexKeys(2), options(true));
    expect(api.requests[0]!.headers['fastly-soft-purge']).toBe('1');
  });

  test('600 keys go in requests of 256, 256 and 88, each key once, a few at a time', async () => {
    const { api, purger } = await fastly();
    const keys = hexKeys(600);
    await purger.purge(keys, options());
    expect(api.requests.map((request) => request.keys.length).sort((a, b) => b - a)).toEqual([256, 256, 88]);
    expect(sorted(api.requests.flatMap((request) => request.keys))).toEqual(sorted(keys));
    expect(api.acknowledged).toHaveLength(600);
    expect(api.maxInFlight).toBeGreaterThan(1);
  });

  test('duplicate keys are sent once; no keys, no request', async () => {
    const { api, purger } = await fastly();
    const keys = hexKeys(3);
    await purger.purge([...keys, ...keys], options());
    expect(api.requests.map((request) => request.keys)).toEqual([keys]);
    await purger.purge([], options());
    expect(api.requests).toHaveLength(1);
  });

  test('a request that fails leaves exactly its keys remaining, with Retry-After in seconds', async () => {
    const { api, purger } = await fastly();
    const keys = hexKeys(600);
    const failing = keys[300]!;
    api.replyTo = (request) =>
      request.keys.includes(failing)
        ? { status: 503, headers: { 'Retry-After': '7' }, json: { msg: 'Service Unavailable' } }
        : undefined;
    const error = await rejection(purger.purge(keys, options()));
    expect(sorted(error.remaining)).toEqual(sorted(without(keys, api.acknowledged)));
    expect(error.remaining).toEqual(api.requests.find((request) => request.keys.includes(failing))!.keys);
    expect(error.retryAfterMs).toBe(7000);
    expect(error.message).toContain(`Fastly service ${SERVICE_ID}`);
    expect(error.message).toContain('HTTP 503 (Service Unavailable)');
    expect(error.message).toContain('256 of 600 key(s) are not purged yet (344 were)');
  });

  test('a 429 with an HTTP-date Retry-After gives the wait until that date', async () => {
    const { api, purger } = await fastly();
    const at = new Date(Math.ceil(Date.now() / 1000) * 1000 + 30_000);
    api.replyTo = () => ({
      status: 429,
      headers: { 'Retry-After': at.toUTCString() },
      json: { msg: 'Too Many Requests' },
    });
    const error = await rejection(purger.purge(hexKeys(10), options()));
    expect(error.remaining).toEqual(hexKeys(10));
    expect(error.retryAfterMs).toBeGreaterThan(25_000);
    expect(error.retryAfterMs).toBeLessThanOrEqual(31_000);
    expect(error.message).toContain('Retry-After');
  });

  test('a wrong token: the status, Fastly’s text and the scope to check, never the token', async () => {
    const { purger } = await fastly('wrong-token-that-must-not-leak');
    const error = await rejection(purger.purge(hexKeys(5), options()));
    expect(error.message).toContain('HTTP 401 (Provided credentials are missing or invalid)');
    expect(error.message).toContain('purge_select');
    expect(error.message).not.toContain('wrong-token-that-must-not-leak');
    expect(error.remaining).toEqual(hexKeys(5));
    expect(error.retryAfterMs).toBeUndefined();
  });

  test('a key Fastly’s answer does not name is not acknowledged', async () => {
    const { api, purger } = await fastly();
    const keys = hexKeys(4);
    api.replyTo = () => ({ status: 200, json: { [keys[0]!]: '1', [keys[2]!]: '2' } });
    const error = await rejection(purger.purge(keys, options()));
    expect(error.remaining).toEqual([keys[1], keys[3]]);
    expect(error.message).toContain('no purge ID for 2 of 4 key(s)');
  });

  test('a 200 that is not Fastly’s JSON acknowledges nothing', async () => {
    const { api, purger } = await fastly();
    api.replyTo = () => ({ status: 200 });
    const error = await rejection(purger.purge(hexKeys(2), options()));
    expect(error.remaining).toEqual(hexKeys(2));
  });

  test('an aborted purge rejects promptly with every key remaining', async () => {
    const { api, purger } = await fastly();
    api.replyTo = () => 'hang';
    const controller = new AbortController();
    const keys = hexKeys(600);
    const started = Date.now();
    setTimeout(() => controller.abort(), 100);
    const error = await rejection(purger.purge(keys, options(false, controller.signal)));
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(sorted(error.remaining)).toEqual(sorted(keys));
    expect(error.message).toContain('aborted');
  });

  test('an already aborted signal sends nothing', async () => {
    const { api, purger } = await fastly();
    const controller = new AbortController();
    controller.abort();
    const error = await rejection(purger.purge(hexKeys(3), options(false, controller.signal)));
    expect(error.remaining).toEqual(hexKeys(3));
    expect(api.requests).toHaveLength(0);
  });

  test('an API that is not listening: connection refused, every key remaining', async () => {
    const { api, purger } = await fastly();
    await api.close();
    const error = await rejection(purger.purge(hexKeys(300), options()));
    expect(error.message).toContain(`could not reach ${api.url} (ECONNREFUSED)`);
    expect(sorted(error.remaining)).toEqual(sorted(hexKeys(300)));
  });

  test('a batch over Fastly’s limit would be refused by the fake, as by Fastly', async () => {
    const api = await FakeCdnApi.fastly(SERVICE_ID, TOKEN);
    apis.push(api);
    const response = await fetch(`${api.url}/service/${SERVICE_ID}/purge`, {
      method: 'POST',
      headers: { 'Fastly-Key': TOKEN, 'Content-Type': 'application/json' },
      body: JSON.stringify({ surrogate_keys: hexKeys(257) }),
    });
    expect(response.status).toBe(400);
  });
});

describe('CloudflarePurger against a Cloudflare API', () => {
  test('a purge is one POST to purge_cache with the bearer token and the tags; soft changes nothing', async () => {
    const { api, purger } = await cloudflare();
    const keys = hexKeys(3);
    await purger.purge(keys, options());
    await purger.purge(keys, options(true));
    expect(api.requests).toHaveLength(2);
    for (const request of api.requests) {
      expect(request).toMatchObject({ method: 'POST', path: `/client/v4/zones/${ZONE_ID}/purge_cache` });
      expect(request.headers).toMatchObject({
        authorization: `Bearer ${TOKEN}`,
        'content-type': 'application/json',
      });
      expect(JSON.parse(request.body)).toEqual({ tags: keys });
    }
    expect(api.requests[0]!.headers).toEqual(api.requests[1]!.headers);
  });

  test('600 keys go in 6 requests of 100, in order, one at a time', async () => {
    const { api, purger } = await cloudflare();
    const keys = hexKeys(600);
    await purger.purge(keys, options());
    expect(api.requests.map((request) => request.keys)).toEqual(
      Array.from({ length: 6 }, (_, index) => keys.slice(index * 100, index * 100 + 100)),
    );
    expect(api.maxInFlight).toBe(1);
    expect(api.acknowledged).toEqual(keys);
  });

  test('a 429 partway stops the purge: the keys of that request and the later ones remain', async () => {
    const { api, purger } = await cloudflare();
    const keys = hexKeys(600);
    api.replyTo = (_request, index) =>
      index === 2
        ? {
            status: 429,
            headers: { 'Retry-After': '60' },
            json: {
              success: false,
              errors: [{ code: 971, message: 'Please wait and consider throttling your request speed' }],
            },
          }
        : undefined;
    const error = await rejection(purger.purge(keys, options()));
    expect(api.requests).toHaveLength(3);
    expect(error.remaining).toEqual(keys.slice(200));
    expect(error.remaining).toEqual(without(keys, api.acknowledged));
    expect(error.retryAfterMs).toBe(60_000);
    expect(error.message).toContain('HTTP 429 (971 Please wait and consider throttling your request speed)');
    expect(error.message).toContain('rate limit');
    expect(error.message).toContain('400 of 600 key(s) are not purged yet (200 were)');
  });

  test('a 503 with an HTTP-date Retry-After', async () => {
    const { api, purger } = await cloudflare();
    const at = new Date(Math.ceil(Date.now() / 1000) * 1000 + 10_000);
    api.replyTo = () => ({ status: 503, headers: { 'Retry-After': at.toUTCString() } });
    const error = await rejection(purger.purge(hexKeys(150), options()));
    expect(error.remaining).toEqual(hexKeys(150));
    expect(error.retryAfterMs).toBeGreaterThan(5_000);
    expect(error.retryAfterMs).toBeLessThanOrEqual(11_000);
  });

  test('a 200 with success: false is a failure, with Cloudflare’s errors in the message', async () => {
    const { api, purger } = await cloudflare();
    const keys = hexKeys(250);
    api.replyTo = (_request, index) =>
      index === 1
        ? {
            status: 200,
            json: {
              success: false,
              errors: [{ code: 1134, message: 'Purge failed' }],
              messages: [],
              result: null,
            },
          }
        : undefined;
    const error = await rejection(purger.purge(keys, options()));
    expect(error.remaining).toEqual(keys.slice(100));
    expect(error.message).toContain('HTTP 200 with success: false (1134 Purge failed)');
    expect(error.retryAfterMs).toBeUndefined();
  });

  test('a 500 fails the request', async () => {
    const { api, purger } = await cloudflare();
    api.replyTo = () => ({ status: 500, json: { success: false, errors: [], messages: [], result: null } });
    const error = await rejection(purger.purge(hexKeys(5), options()));
    expect(error.message).toContain('HTTP 500.');
    expect(error.remaining).toEqual(hexKeys(5));
  });

  test('a wrong token: the status, Cloudflare’s error and the permission to grant, never the token', async () => {
    const { purger } = await cloudflare('wrong-token-that-must-not-leak');
    const error = await rejection(purger.purge(hexKeys(5), options()));
    expect(error.message).toContain('HTTP 403 (10000 Authentication error)');
    expect(error.message).toContain('Cache Purge');
    expect(error.message).not.toContain('wrong-token-that-must-not-leak');
  });

  test('a zone the API does not know: the fix names zoneId', async () => {
    const api = await FakeCdnApi.cloudflare('ffffffffffffffffffffffffffffffff', TOKEN);
    apis.push(api);
    const purger = new CloudflarePurger({ zoneId: ZONE_ID, token: TOKEN, apiUrl: api.url });
    const error = await rejection(purger.purge(hexKeys(1), options()));
    expect(error.message).toContain('HTTP 404 (7003 Could not route to');
    expect(error.message).toContain('"zoneId"');
  });

  test('an aborted purge rejects promptly with every key not yet acknowledged remaining', async () => {
    const { api, purger } = await cloudflare();
    const keys = hexKeys(300);
    api.replyTo = (_request, index) => (index === 1 ? 'hang' : undefined);
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 150);
    const error = await rejection(purger.purge(keys, options(false, controller.signal)));
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(error.remaining).toEqual(keys.slice(100));
    expect(api.requests).toHaveLength(2);
  });

  test('an API that is not listening: connection refused, every key remaining', async () => {
    const { api, purger } = await cloudflare();
    await api.close();
    const error = await rejection(purger.purge(hexKeys(250), options()));
    expect(error.message).toContain(`could not reach ${api.url} (ECONNREFUSED)`);
    expect(error.remaining).toEqual(hexKeys(250));
  });

  test('a batch over Cloudflare’s limit would be refused by the fake, as by Cloudflare', async () => {
    const api = await FakeCdnApi.cloudflare(ZONE_ID, TOKEN);
    apis.push(api);
    const response = await fetch(`${api.url}/client/v4/zones/${ZONE_ID}/purge_cache`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ tags: hexKeys(101) }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ success: false });
  });
});
