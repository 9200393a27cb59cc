import { afterEach, describe, expect, test } from '@jest/globals';
import { describeWithBrowser, launchBrowser, type TestBrowser } from '../support/browser.js';
import { ADAPTERS } from './fixtures/create-pages-app.js';
import { createFragmentApp, type FragmentApp } from './fixtures/fragment-app.js';

/*
 * Two readers, signed in in two Chromium profiles, on one cached page: each sees their own
 * greeting and gets their own CSRF token, filled by the server (`fragments: 'server'`, the
 * default) or by the module's script under a `default-src 'self'` policy (`'client'`).
 */
describeWithBrowser('personal fragments in Chromium', () => {
  describe.each(ADAPTERS)('on %s', (adapter) => {
    let site: FragmentApp | undefined;
    let browsers: TestBrowser[] = [];
    afterEach(async () => {
      await Promise.all([...browsers.map((browser) => browser.close()), site?.app.close()]);
      site = undefined;
      browsers = [];
    });

    async function reader(name: string) {
      const browser = await launchBrowser();
      browsers.push(browser);
      const base = `http://127.0.0.1:${(site!.server.address() as { port: number }).port}`;
      const login = await browser.context.request.post(`${base}/login?name=${name}`);
      expect(login.status()).toBe(201);
      return { page: browser.page, base };
    }

    test.each(['/post', '/edge'])(
      '%s: each reader sees their own name and token on one stored page',
      async (path) => {
        site = await createFragmentApp(adapter);
        const alice = await reader('alice');
        const bob = await reader('bob');
        const seen: Array<{ header: string; token: string | null; cache: string | undefined }> = [];
        for (const { page, base } of [alice, bob, alice]) {
          const response = await page.goto(`${base}${path}`);
          if (path === '/edge')
            await page.waitForSelector('html[data-page-fragments="filled"]', { timeout: 5_000 });
          seen.push({
            header: (await page.textContent('header'))!,
            token: await page.getAttribute('input[name="_csrf"]', 'value'),
            cache: response!.headers()['x-cache'],
          });
        }
        expect(seen.map(({ header }) => header)).toEqual([
          'Hi, alice member',
          'Hi, bob member',
          'Hi, alice member',
        ]);
        expect(seen.map(({ cache }) => cache)).toEqual(['MISS', 'HIT', 'HIT']);
        expect(site.counters.of(path.slice(1))).toBe(1);
        expect(seen[0].token).toMatch(/.{8,}/);
        expect(seen[1].token).toMatch(/.{8,}/);
        expect(seen[1].token).not.toBe(seen[0].token);
        for (const { page } of [alice, bob]) {
          const posted = await page.evaluate(async () => {
            const token = document.querySelector<HTMLInputElement>('input[name="_csrf"]')!.value;
            return (await fetch('/comment', { method: 'POST', headers: { 'x-csrf-token': token } })).status;
          });
          expect(posted).toBe(201);
        }
      },
    );
  });
});
