import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import type { AdapterName } from '../../sample/src/app.config.js';
import { BlogUnderTest, type Page } from './blog-under-test.js';
import { buildSampleIfStale } from './sample-build.js';

/*
 * The sample blog as a real site (issue 13, point 3): readers get HTML error pages, editors get
 * form errors instead of a 500, renamed pages answer at their old URLs with a 301, and the page
 * cache stays exact through all of it. Driven over HTTP against `node sample/dist/main.js`.
 * Seed facts used below: tags Caching (/tags/caching), NestJS (/tags/nestjs), MikroORM
 * (/tags/mikroorm: invalidate-on-commit, entities-that-know-their-pages, migrations-without-fear);
 * posts hello-world (Alan, TypeScript) and caching-whole-pages (Ada, Caching + NestJS).
 */
const ADAPTERS: readonly AdapterName[] = ['express', 'fastify'];

beforeAll(buildSampleIfStale, 180_000);

const isHtml = (page: { contentType: string | null }) => page.contentType?.startsWith('text/html') ?? false;
const isJson = (page: { contentType: string | null }) =>
  page.contentType?.startsWith('application/json') ?? false;

/** The page's `<input name=…>` is required and has a `pattern` that needs a non-space. */
function expectRequiredNonBlank(html: string, name: string): void {
  const input = new RegExp(`<input name="${name}"[^>]*>`).exec(html)?.[0];
  expect({
    name,
    required: / required[ >]/.test(input ?? ''),
    pattern: / pattern="[^"]*\\S/.test(input ?? ''),
  }).toEqual({
    name,
    required: true,
    pattern: true,
  });
}

describe.each(ADAPTERS)('the sample as a site, on %s', (adapter) => {
  let blog: BlogUnderTest;

  /** A reader's error page: HTML in the site's layout, never cached. */
  async function expectErrorPage(path: string, status: number, text: string): Promise<Page> {
    const page = await blog.get(path);
    expect({ path, status: page.status, html: isHtml(page) }).toEqual({ path, status, html: true });
    expect(page.text).toContain('<h1 class="site-title"><a href="/">The Cached Blog</a></h1>');
    expect(page.text).toContain(text);
    const again = await blog.get(path);
    expect({ path, status: again.status, hit: again.cache === 'HIT' }).toEqual({ path, status, hit: false });
    return page;
  }

  describe('pages and forms, read and refused (one blog for all)', () => {
    beforeAll(async () => {
      blog = await BlogUnderTest.start(adapter);
    });

    afterAll(async () => {
      await blog?.close();
    });

    test('missing pages are HTML 404 pages in the layout, not JSON, and never cached', async () => {
      await expectErrorPage('/posts/no-such-post', 404, 'no-such-post');
      await expectErrorPage('/tags/no-such-tag', 404, 'no-such-tag');
      await expectErrorPage('/authors/nobody', 404, 'nobody');
      await expectErrorPage('/no/such/page', 404, '/no/such/page');
      const admin = await blog.get('/admin/posts/no-such-post');
      expect({ status: admin.status, html: isHtml(admin), cache: admin.cache }).toEqual({
        status: 404,
        html: true,
        cache: null,
      });
      expect(admin.text).toContain('href="/admin"');
      blog.expectNoCacheWarnings();
    });

    test('the JSON API keeps JSON errors', async () => {
      const missing = await blog.get('/api/posts/no-such-post');
      expect({ status: missing.status, json: isJson(missing) }).toEqual({ status: 404, json: true });
      expect(JSON.parse(missing.text)).toMatchObject({
        statusCode: 404,
        message: expect.stringContaining('no-such-post'),
      });
      const badPage = await blog.get('/api/posts?page=0');
      expect({ status: badPage.status, json: isJson(badPage) }).toEqual({ status: 400, json: true });
      const noRoute = await blog.get('/api/nothing-here');
      expect({ status: noRoute.status, json: isJson(noRoute) }).toEqual({ status: 404, json: true });
    });

    test('the forms reject names of only spaces before they are sent', async () => {
      const post = (await blog.get('/posts/caching-whole-pages')).text;
      expectRequiredNonBlank(post, 'authorName');
      const admin = (await blog.get('/admin')).text;
      expectRequiredNonBlank(admin, 'name');
      expectRequiredNonBlank(admin, 'title');
      expectRequiredNonBlank((await blog.get('/admin/posts/hello-world')).text, 'title');
    });

    test('comments keep their paragraphs and line breaks, escaped', async () => {
      await blog.comment('/posts/hello-world/comments', {
        authorName: 'Tess',
        body: 'First paragraph.\r\n\r\nSecond <b>paragraph</b>,\r\non two lines.',
      });
      const page = (await blog.get('/posts/hello-world')).text;
      expect(page).toContain('<p>First paragraph.</p>');
      expect(page).toContain('<p>Second &lt;b&gt;paragraph&lt;/b&gt;,<br>on two lines.</p>');
    });

    test('dates read as dates: the footer time and comment times are not raw ISO timestamps', async () => {
      const page = (await blog.get('/posts/caching-whole-pages')).text;
      const footerTime = /<time class="rendered-at" datetime="([^"]+)">([^<]+)<\/time>/.exec(page);
      expect(footerTime).not.toBeNull();
      expect(footerTime![1]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
      expect(footerTime![2]).toMatch(/^\d\d:\d\d:\d\d UTC, \d{1,2} [A-Z][a-z]+ \d{4}$/);
      expect(page).toContain('>14 November 2026, 10:00 UTC</time>');
    });

    test('the footer hint tells what a reload and Back/Forward show, and the admin area says it is never cached', async () => {
      const post = (await blog.get('/posts/caching-whole-pages')).text;
      expect(post).toContain('X-Cache: HIT');
      expect(post).toMatch(/Back and Forward/);
      const admin = (await blog.get('/admin')).text;
      expect(admin).not.toContain('X-Cache: HIT');
      expect(admin).toMatch(/never cached/);
    });

    test('the favicon is an image, not a JSON 404', async () => {
      for (const path of ['/favicon.ico', '/favicon.svg']) {
        const icon = await blog.get(path);
        expect({ path, status: icon.status, svg: /^image\/svg\+xml\b/.test(icon.contentType ?? '') }).toEqual(
          {
            path,
            status: 200,
            svg: true,
          },
        );
        expect(icon.text).toContain('<svg');
      }
      expect((await blog.get('/')).text).toContain('<link rel="icon" href="/favicon.svg"');
    });
  });

  describe('changes (a fresh blog each)', () => {
    beforeEach(async () => {
      blog = await BlogUnderTest.start(adapter);
    });

    afterEach(async () => {
      await blog?.close();
    });

    test('a comment whose name is only spaces gets an HTML 400 that says what to fix, and changes nothing', async () => {
      await blog.warm(['/posts/caching-whole-pages']);
      const refused = await blog.comment('/posts/caching-whole-pages/comments', {
        authorName: '   ',
        body: 'A comment with no name',
      });
      expect({ status: refused.status, html: isHtml(refused) }).toEqual({ status: 400, html: true });
      expect(refused.text).toContain('Name');
      expect(refused.text).toMatch(/only spaces/);
      expect(refused.text).toContain('href="/posts/caching-whole-pages"');
      await blog.expectCached(['/posts/caching-whole-pages']);
      expect((await blog.get('/posts/caching-whole-pages')).text).not.toContain('A comment with no name');
    });

    test('renaming a tag to the name of another tag is a 409 form error, not a 500, and changes nothing', async () => {
      const pages = ['/tags/caching', '/tags/nestjs', '/posts/caching-whole-pages', '/'];
      await blog.warm(pages);
      const refused = await blog.submit('/admin/tags/caching', { name: 'NestJS' });
      expect({ status: refused.status, html: isHtml(refused) }).toEqual({ status: 409, html: true });
      expect(refused.text).toContain('There is already a tag');
      expect(refused.text).toContain('href="/tags/nestjs"');
      expect(refused.text).toContain('href="/admin"');
      await blog.expectCached(pages);
      expect((await blog.get('/admin')).text).toContain('>Caching<');
      blog.expectNoCacheWarnings();
    });

    test("giving a post another post's slug is a 409 form error, for an edit and for a new post", async () => {
      await blog.warm(['/posts/hello-world', '/posts/caching-whole-pages']);
      const edit = await blog.submit('/admin/posts/hello-world', { slug: 'caching-whole-pages' });
      expect({ status: edit.status, html: isHtml(edit) }).toEqual({ status: 409, html: true });
      expect(edit.text).toContain('/posts/caching-whole-pages');
      const created = await blog.submit('/admin/posts', {
        title: 'Caching whole pages',
        author: 'ada-lovelace',
        body: 'The same title again.',
      });
      expect({ status: created.status, html: isHtml(created) }).toEqual({ status: 409, html: true });
      await blog.expectCached(['/posts/hello-world', '/posts/caching-whole-pages']);
      blog.expectNoCacheWarnings();
    });

    test('a tag name without letters or digits is refused (400) instead of keeping a slug that does not match', async () => {
      const refused = await blog.submit('/admin/tags/caching', { name: '!!!' });
      expect({ status: refused.status, html: isHtml(refused) }).toEqual({ status: 400, html: true });
      expect((await blog.get('/tags/caching')).text).toContain('Posts tagged Caching');
    });

    test("a renamed tag's old URL redirects (301, not cached) to its new page, which is fresh", async () => {
      await blog.warm(['/tags/mikroorm', '/posts/invalidate-on-commit']);
      expect(await blog.submit('/admin/tags/mikroorm', { name: 'Mikro ORM' })).toMatchObject({
        status: 303,
        location: '/tags/mikro-orm',
      });

      for (let visit = 0; visit < 2; visit += 1) {
        const moved = await blog.get('/tags/mikroorm');
        expect({ status: moved.status, location: moved.location, cache: moved.cache }).toEqual({
          status: 301,
          location: '/tags/mikro-orm',
          cache: 'MISS',
        });
      }
      await blog.expectFresh('/tags/mikro-orm', 'Posts tagged Mikro ORM');
      await blog.expectFresh('/posts/invalidate-on-commit', 'Mikro ORM');
      await blog.expectCached(['/tags/mikro-orm', '/posts/invalidate-on-commit']);
      blog.expectNoCacheWarnings();
    });

    test('old tag URLs always lead to the current page, and a renamed-back tag takes its old URL again', async () => {
      await blog.submit('/admin/tags/mikroorm', { name: 'Mikro ORM' });
      await blog.submit('/admin/tags/mikro-orm', { name: 'MikroORM 6' });
      for (const old of ['/tags/mikroorm', '/tags/mikro-orm']) {
        expect((await blog.get(old)).location).toBe('/tags/mikroorm-6');
      }
      await blog.warm(['/tags/mikroorm-6']);

      await blog.submit('/admin/tags/mikroorm-6', { name: 'MikroORM' });
      await blog.expectFresh('/tags/mikroorm', 'Posts tagged MikroORM');
      for (const old of ['/tags/mikroorm-6', '/tags/mikro-orm']) {
        const moved = await blog.get(old);
        expect({ old, status: moved.status, location: moved.location }).toEqual({
          old,
          status: 301,
          location: '/tags/mikroorm',
        });
      }
    });

    test('a new tag may take a URL that redirects today; the URL then shows the new tag', async () => {
      await blog.submit('/admin/tags/mikroorm', { name: 'Mikro ORM' });
      expect((await blog.get('/tags/mikroorm')).status).toBe(301);
      await blog.submit('/admin/posts', {
        title: 'Back to MikroORM',
        author: 'grace-hopper',
        tags: 'MikroORM',
        body: 'A new tag with an old name.',
      });
      const page = await blog.expectFresh('/tags/mikroorm', 'Back to MikroORM');
      expect(page.text).not.toContain('Invalidate on commit');
      await blog.expectFresh('/tags/mikro-orm', 'Invalidate on commit');
    });

    test("a post's old URLs redirect (301) to the new ones, for the page, its JSON and its edit form", async () => {
      await blog.warm(['/posts/hello-world', '/api/posts/hello-world']);
      await blog.submit('/admin/posts/hello-world', { slug: 'hello-again' });
      for (const [old, moved] of [
        ['/posts/hello-world', '/posts/hello-again'],
        ['/api/posts/hello-world', '/api/posts/hello-again'],
        ['/admin/posts/hello-world', '/admin/posts/hello-again'],
      ] as const) {
        const page = await blog.get(old);
        expect({ old, status: page.status, location: page.location }).toEqual({
          old,
          status: 301,
          location: moved,
        });
      }
      await blog.expectFresh('/posts/hello-again', 'The first post of a blog');
      await blog.expectFresh('/api/posts/hello-again', 'hello-again');
      blog.expectNoCacheWarnings();
    });

    test('forms from pages shown before a rename: a rename and a comment reach the tag or post, a whole-post edit is refused (409)', async () => {
      await blog.submit('/admin/tags/mikroorm', { name: 'Mikro ORM' });
      expect(await blog.submit('/admin/tags/mikroorm', { name: 'Mikro-ORM' })).toMatchObject({
        status: 303,
        location: '/tags/mikro-orm',
      });
      await blog.submit('/admin/posts/hello-world', { slug: 'hello-again' });
      const staleEdit = await blog.submit('/admin/posts/hello-world', {
        title: 'Hello, world',
        slug: 'hello-world',
      });
      expect({ status: staleEdit.status, html: isHtml(staleEdit) }).toEqual({ status: 409, html: true });
      expect(staleEdit.text).toContain('href="/admin/posts/hello-again"');
      const comment = await blog.comment(
        '/posts/hello-world/comments',
        { authorName: 'Tess', body: 'Late, from an old page' },
        '/posts/hello-again',
      );
      expect(comment.status).toBe(303);
      expect(comment.location).toMatch(/^\/posts\/hello-again#comment-\d+$/);
      await blog.expectFresh('/posts/hello-again', 'Late, from an old page');
    });

    test('the 301 tells browsers to check again, so a later rename cannot leave them in a redirect loop', async () => {
      await blog.submit('/admin/tags/mikroorm', { name: 'Mikro ORM' });
      const response = await fetch(`${blog.url}/tags/mikroorm`, { redirect: 'manual' });
      expect(response.status).toBe(301);
      expect(response.headers.get('cache-control')).toBe('no-cache');
    });
  });
});
