import { afterEach, describe, expect, test } from '@jest/globals';
import { CachePageService } from 'nestjs-cache-page';
import { describeWithBrowser, launchBrowser, type TestBrowser } from '../support/browser.js';
import { ADAPTERS, createPagesApp, type PagesApp } from './fixtures/create-pages-app.js';

/*
 * What a real browser (Debian's Chromium) shows on Back after the page changed on the server:
 * its own old copy (from its back/forward cache, or its disk cache when that is off), whatever
 * the server cache does; with `reloadOnBack`, the page notices and reloads the current one.
 */
describeWithBrowser('Back/Forward in Chromium', () => {
  describe.each(ADAPTERS)('on %s', (adapter) => {
    let pages: PagesApp | undefined;
    let browser: TestBrowser | undefined;
    afterEach(async () => {
      await Promise.all([browser?.close(), pages?.app.close()]);
      pages = undefined;
      browser = undefined;
    });

    /** Reads article a, follows its link to b, changes a on the server, goes Back: what does the window show? */
    async function backAfterAChange(reloadOnBack: boolean, backForwardCache: boolean): Promise<string> {
      pages = await createPagesApp(adapter, { reloadOnBack });
      browser = await launchBrowser({ backForwardCache });
      const { page } = browser;
      const base = `http://127.0.0.1:${(pages.server.address() as { port: number }).port}`;
      await page.goto(`${base}/article/a`);
      expect(await page.textContent('h1')).toBe('a v1');
      await page.click('#other');
      await page.waitForURL(`${base}/article/b`);

      pages.data.value = 'v2';
      await pages.app.get(CachePageService).invalidate('/article/a');
      await page.goBack({ waitUntil: 'commit' });
      await page.waitForURL(`${base}/article/a`, { waitUntil: 'commit' });
      if (reloadOnBack)
        await page.waitForFunction(() => document.querySelector('h1')?.textContent === 'a v2', null, {
          timeout: 5_000,
        });
      else await page.waitForTimeout(500);
      return (await page.textContent('h1')) ?? '';
    }

    test.each([true, false])(
      'without reloadOnBack, Back shows the old page (back/forward cache %s)',
      async (bfcache) => {
        expect(await backAfterAChange(false, bfcache)).toBe('a v1');
      },
      60_000,
    );

    test.each([true, false])(
      'with reloadOnBack, Back shows the current page (back/forward cache %s)',
      async (bfcache) => {
        expect(await backAfterAChange(true, bfcache)).toBe('a v2');
        expect(pages!.data.counters.of('article:a')).toBe(2);
      },
      60_000,
    );
  });
});
