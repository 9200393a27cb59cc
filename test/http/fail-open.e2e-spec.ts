import { afterEach, describe, expect, test } from '@jest/globals';
import { createCache } from 'cache-manager';
import request from 'supertest';
import { CachePageService } from 'nestjs-cache-page';
import { CapturedLogs } from '../support/captured-logs.js';
import { FlakyCache } from '../support/flaky-cache.js';
import { ADAPTERS, createPagesApp, type PagesApp } from './fixtures/create-pages-app.js';
import { expectBypass, expectHit, expectMiss } from '../support/cache-assertions.js';

/*
 * A cache-manager store (not Redis) whose calls reject, the way a Keyv store over a lost
 * connection does. Real Redis faults (killed, paused, unreachable, restored) are in test/faults.
 */
describe.each(ADAPTERS)('fail open with a failing cache-manager store, on %s', (adapter) => {
  let pages: PagesApp | undefined;
  afterEach(async () => {
    await pages?.app.close();
    pages = undefined;
  });

  const moduleErrors = (logger: CapturedLogs) => logger.of('error');

  test('with a store that throws, every request is served uncached and errors are logged once', async () => {
    const flaky = new FlakyCache(createCache());
    flaky.down = true;
    const logger = new CapturedLogs();
    pages = await createPagesApp(adapter, { cache: flaky.cache }, [], logger);

    for (let i = 1; i <= 20; i++) {
      const response = await request(pages.server).get('/json').expect(200);
      expectBypass(response);
      expect(JSON.parse(response.text).call).toBe(i);
    }
    const errors = moduleErrors(logger);
    expect(errors.length).toBeGreaterThanOrEqual(1);
    expect(errors.length).toBeLessThanOrEqual(2);
    expect(errors[0]).toContain('failed to read a page');
  });

  test('a failed invalidation is retried, and the page is not served from the cache meanwhile', async () => {
    const flaky = new FlakyCache(createCache());
    const logger = new CapturedLogs();
    pages = await createPagesApp(adapter, { cache: flaky.cache }, [], logger);
    const cachePage = pages.app.get(CachePageService);
    const get = () => request(pages!.server).get('/items/retry');

    await get();
    expectHit(await get());

    flaky.down = true;
    pages.data.value = 'changed';
    await expect(cachePage.invalidate('/items/retry')).resolves.toBeUndefined();
    const duringOutage = await get().expect(200);
    expectBypass(duringOutage);
    expect(duringOutage.text).toContain('value changed');

    flaky.down = false;
    const seen: Array<string | undefined> = [];
    const deadline = Date.now() + 10_000;
    let response = await get();
    while (response.headers['x-cache'] === undefined && Date.now() < deadline) {
      seen.push(response.headers['x-cache']);
      expect(response.text).toContain('value changed');
      await new Promise((resolve) => setTimeout(resolve, 50));
      response = await get();
    }
    expectMiss(response);
    expect(response.text).toContain('value changed');
    expectHit(await get());
    expect(moduleErrors(logger).some((line) => line.includes('page epoch(s) failed'))).toBe(true);
    expect(flaky.clearCalls).toBe(0);
  });
});
