import { afterEach, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import type { Page } from 'playwright-core';
import type { AdapterName } from '../../sample/src/app.config.js';
import { describeWithBrowser, launchBrowser, type TestBrowser } from '../support/browser.js';
import { BlogUnderTest } from './blog-under-test.js';
import { buildSampleIfStale } from './sample-build.js';

/*
 * The sample blog in a real browser (Debian's Chromium through playwright-core), as a reader and
 * an editor use it: comment, edit a post, rename a tag, go Back and Forward; and its layout on
 * a 390 px phone and a 1280 px desktop. Each test gets a fresh blog process and a fresh profile.
 */
const ADAPTERS: readonly AdapterName[] = ['express', 'fastify'];
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };

/** The page's main heading. */
const heading = (page: Page) => page.locator('main h2').first().textContent();

/** When the shown copy of the page was rendered (the footer's `datetime`, in milliseconds). */
const renderedAt = (page: Page) => page.locator('.rendered-at').getAttribute('datetime');

/** Fills the rename form of the tag at `slug` on the admin page and sends it. */
async function renameTag(page: Page, slug: string, name: string): Promise<void> {
  const form = page.locator(`form[action="/admin/tags/${slug}"]`);
  await form.locator('input[name="name"]').fill(name);
  await form.locator('button').click();
}

/** Signs in through the sign-in form, which sends the browser back to `/`. */
async function signIn(page: Page, url: string, name: string): Promise<void> {
  await page.goto(`${url}/login`);
  await page.fill('input[name="name"]', name);
  await page.click('button:text("Sign in")');
  await page.waitForURL(`${url}/`);
}

describeWithBrowser('the sample blog in Chromium', () => {
  beforeAll(buildSampleIfStale, 180_000);

  describe.each(ADAPTERS)('on %s', (adapter) => {
    let blog: BlogUnderTest;
    let browser: TestBrowser;
    let page: Page;

    beforeEach(async () => {
      [blog, browser] = await Promise.all([BlogUnderTest.start(adapter), launchBrowser()]);
      page = browser.page;
    });

    afterEach(async () => {
      await Promise.all([browser?.close(), blog?.close()]);
    });

    test('a reader comments: a name of only spaces is stopped by the form, then the comment shows at once, in paragraphs', async () => {
      // Signed in, so the session that holds the form's CSRF secret exists before the page is
      // rendered: on Fastify a guest's first token from a missed page is refused (see sample.e2e-spec.ts).
      await signIn(page, blog.url, 'Tess');
      await page.goto(`${blog.url}/posts/caching-whole-pages`);
      const firstRender = await renderedAt(page);

      await page.fill('input[name="authorName"]', '   ');
      await page.fill('textarea[name="body"]', 'Sent with a name of spaces');
      await page.click('button:text("Post comment")');
      const refused = await page.locator('input[name="authorName"]').evaluate((input: HTMLInputElement) => ({
        valid: input.validity.valid,
        pattern: input.validity.patternMismatch,
      }));
      expect(refused).toEqual({ valid: false, pattern: true });
      expect(page.url()).toBe(`${blog.url}/posts/caching-whole-pages`);

      await page.fill('input[name="authorName"]', 'Tess');
      await page.fill('textarea[name="body"]', 'First paragraph.\n\nSecond paragraph,\non two lines.');
      await page.click('button:text("Post comment")');
      await page.waitForURL(/\/posts\/caching-whole-pages#comment-\d+$/);
      const id = new URL(page.url()).hash;
      const comment = page.locator(`${id} p:not(.meta)`);
      expect(await comment.allTextContents()).toEqual(['First paragraph.', 'Second paragraph,on two lines.']);
      expect(await comment.nth(1).innerHTML()).toBe('Second paragraph,<br>on two lines.');
      expect(await page.locator(`${id} .meta time`).textContent()).toMatch(
        /^\d{1,2} [A-Z][a-z]+ \d{4}, \d\d:\d\d UTC$/,
      );
      expect(await renderedAt(page)).not.toBe(firstRender);
      expect(await page.content()).not.toContain('Sent with a name of spaces');
    });

    test('two readers signed in in two browsers see their own name on the same cached page, and sign out', async () => {
      const other = await launchBrowser();
      try {
        const post = `${blog.url}/posts/caching-whole-pages`;
        await signIn(page, blog.url, 'Hedy');
        await signIn(other.page, blog.url, 'Linus');
        const first = await page.goto(post);
        const second = await other.page.goto(post);
        expect([first?.status(), second?.status()]).toEqual([200, 200]);
        expect(second?.headers()['x-cache']).toBe('HIT');
        // The one stored render: its time is on both copies.
        expect(await renderedAt(other.page)).toBe(await renderedAt(page));
        expect(await page.locator('.visitor').textContent()).toMatch(/^Hi, Hedy · /);
        expect(await other.page.locator('.visitor').textContent()).toMatch(/^Hi, Linus · /);
        expect(await other.page.content()).not.toContain('Hedy');
        const tokens = await Promise.all(
          [page, other.page].map((tab) => tab.locator('input[name="_csrf"]').getAttribute('value')),
        );
        expect(tokens[0]).toMatch(/.{16,}/);
        expect(tokens[1]).not.toBe(tokens[0]);

        await other.page.click('.visitor button:text("Sign out")');
        await other.page.waitForURL(post);
        expect((await other.page.locator('.visitor').textContent())?.trim()).toBe('Sign in');
        expect(await renderedAt(other.page)).toBe(await renderedAt(page));
      } finally {
        await other.close();
      }
    });

    test('an editor edits a post: the new title is everywhere at once, and the old URL leads to the new one', async () => {
      await page.goto(`${blog.url}/`);
      expect(await page.locator('main').textContent()).toContain('Hello, world');
      await page.goto(`${blog.url}/admin`);
      await page.locator('li', { hasText: 'Hello, world' }).getByRole('link', { name: 'edit' }).click();
      await page.waitForURL('**/admin/posts/hello-world');
      await page.fill('input[name="title"]', 'Hello again');
      await page.fill('input[name="slug"]', 'hello-again');
      await page.click('button:text("Save")');
      await page.waitForURL('**/posts/hello-again');
      expect(await heading(page)).toBe('Hello again');

      await page.goto(`${blog.url}/posts/hello-world`);
      expect(new URL(page.url()).pathname).toBe('/posts/hello-again');
      await page.goto(`${blog.url}/`);
      const home = await page.locator('main').textContent();
      expect({ updated: home?.includes('Hello again'), old: home?.includes('Hello, world') }).toEqual({
        updated: true,
        old: false,
      });
    });

    test('an editor renames a tag: a taken name is a form error, an old URL followed before a rename back never loops', async () => {
      await page.goto(`${blog.url}/admin`);
      await renameTag(page, 'caching', 'NestJS');
      expect(await heading(page)).toBe('That cannot be saved');
      expect(await page.locator('main').textContent()).toContain('There is already a tag “NestJS”');
      expect(await page.locator('main a[href="/tags/nestjs"]').count()).toBe(1);
      // The link goes back in history (the form keeps what was typed): no `load` from a restored page.
      await page.click('a.back');
      await page.waitForURL('**/admin', { waitUntil: 'commit' });

      await renameTag(page, 'caching', 'Web caching');
      await page.waitForURL('**/tags/web-caching');
      expect(await heading(page)).toBe('Posts tagged Web caching');
      await page.goto(`${blog.url}/tags/caching`);
      expect(new URL(page.url()).pathname).toBe('/tags/web-caching');

      // Another editor renames it back. This browser saw /tags/caching redirect to /tags/web-caching
      // and did not post the change itself (which would have dropped its copy): it must ask again.
      expect(await blog.submit('/admin/tags/web-caching', { name: 'Caching' })).toMatchObject({
        status: 303,
      });
      await page.goto(`${blog.url}/tags/web-caching`);
      expect(new URL(page.url()).pathname).toBe('/tags/caching');
      expect(await heading(page)).toBe('Posts tagged Caching');
    });

    test('readers get HTML error pages, and the favicon loads', async () => {
      const missing = await page.goto(`${blog.url}/posts/no-such-post`);
      expect(missing?.status()).toBe(404);
      expect(await heading(page)).toBe('Page not found');
      await page.click('a.back');
      await page.waitForURL(`${blog.url}/`);
      const iconWidth = await page.evaluate(
        () =>
          new Promise<number>((resolve, reject) => {
            const icon = new Image();
            icon.onload = () => resolve(icon.naturalWidth);
            icon.onerror = () => reject(new Error('the favicon did not load'));
            icon.src = '/favicon.ico';
          }),
      );
      expect(iconWidth).toBeGreaterThan(0);
    });
  });

  describe.each([
    ['a 390 px phone', PHONE],
    ['a 1280 px desktop', DESKTOP],
  ] as const)('the layout on %s', (_size, viewport) => {
    let blog: BlogUnderTest;
    let browser: TestBrowser;

    beforeEach(async () => {
      [blog, browser] = await Promise.all([BlogUnderTest.start('express'), launchBrowser({ viewport })]);
    });

    afterEach(async () => {
      await Promise.all([browser?.close(), blog?.close()]);
    });

    test('the site title is one line, nothing scrolls sideways, and admin buttons sit beside their inputs', async () => {
      const { page } = browser;
      for (const path of [
        '/',
        '/posts/caching-whole-pages',
        '/tags/mikroorm',
        '/admin',
        '/admin/posts/hello-world',
      ]) {
        await page.goto(blog.url + path);
        const layout = await page.evaluate(() => ({
          titleLines: document.querySelector('header h1 a')!.getClientRects().length,
          overflow: document.documentElement.scrollWidth - window.innerWidth,
        }));
        expect({ path, ...layout }).toEqual({ path, titleLines: 1, overflow: 0 });
      }
      await page.goto(`${blog.url}/admin`);
      const forms = await page.locator('form:has(input[name="name"])').evaluateAll((found) =>
        found.map((form) => {
          const input = form.querySelector('input')!.getBoundingClientRect();
          const button = form.querySelector('button')!.getBoundingClientRect();
          return {
            besideInput: button.top < input.bottom && button.bottom > input.top && button.left >= input.right,
          };
        }),
      );
      expect(forms.length).toBe(6);
      expect(forms).toEqual(forms.map(() => ({ besideInput: true })));
    });
  });

  // Today's behaviour, documented: Back/Forward never reach the server, so readers see the
  // browser's copy from before a change. The library's opt-in to reload such pages comes later.
  describe.each([
    ['on (as in a user’s Chromium)', true, 'back-forward-cache'],
    ['off (the HTTP cache answers)', false, 'http-cache'],
  ] as const)('Back and Forward with the back/forward cache %s', (_mode, backForwardCache, from) => {
    let blog: BlogUnderTest;
    let browser: TestBrowser;
    let page: Page;

    beforeEach(async () => {
      [blog, browser] = await Promise.all([
        BlogUnderTest.start('express'),
        launchBrowser({ backForwardCache }),
      ]);
      page = browser.page;
    });

    afterEach(async () => {
      await Promise.all([browser?.close(), blog?.close()]);
    });

    /** Goes Back or Forward; a page from the back/forward cache fires no `load`, so wait for the URL. */
    async function history(direction: 'back' | 'forward', path: string): Promise<void> {
      const options = { waitUntil: 'commit' } as const;
      await (direction === 'back' ? page.goBack(options) : page.goForward(options));
      await page.waitForURL(`**${path}`, options);
      await page.locator('#browser-copy').waitFor({ state: 'visible' });
    }

    test('after a rename, Back shows the browser’s copy from before it, the footer says so, and the old admin form still works', async () => {
      const requests: string[] = [];
      page.on('request', (request) => requests.push(new URL(request.url()).pathname));
      await page.goto(`${blog.url}/tags/caching`);
      const tagRender = await renderedAt(page);
      expect(await page.locator('#browser-copy').isVisible()).toBe(false);
      await page.goto(`${blog.url}/admin`);
      await renameTag(page, 'caching', 'Caching pages');
      await page.waitForURL('**/tags/caching-pages');

      requests.length = 0;
      await history('back', '/admin');
      await history('back', '/tags/caching');
      // What the reader sees today: the tag as it was, rendered before the rename.
      expect(await heading(page)).toBe('Posts tagged Caching');
      expect(await renderedAt(page)).toBe(tagRender);
      expect(await page.locator('#browser-copy').getAttribute('data-from')).toBe(from);
      // Restored pages make no request; pages from the HTTP cache make one that the cache answers.
      expect(requests.filter((path) => !path.startsWith('/favicon'))).toEqual(
        backForwardCache ? [] : ['/admin', '/tags/caching'],
      );

      await page.reload();
      expect(new URL(page.url()).pathname).toBe('/tags/caching-pages');
      expect(await heading(page)).toBe('Posts tagged Caching pages');
      expect(await page.locator('#browser-copy').isVisible()).toBe(false);

      // Forward: the admin page from before the rename, whose form still posts to the old slug.
      await history('forward', '/admin');
      expect(await page.locator('form[action="/admin/tags/caching"]').count()).toBe(1);
      await renameTag(page, 'caching', 'Page caching');
      await page.waitForURL('**/tags/page-caching');
      expect(await heading(page)).toBe('Posts tagged Page caching');
    });
  });
});
