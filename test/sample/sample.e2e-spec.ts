import { afterEach, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import type { AdapterName } from '../../sample/src/app.config.js';
import { csrfTokenOf } from './blog-reader.js';
import { BlogUnderTest, type Page } from './blog-under-test.js';
import { buildSampleIfStale } from './sample-build.js';

/*
 * The sample blog (sample/), as a visitor and an editor use it: what `npm run demo` shows, and
 * what the entities' dependentPaths() promise. Each test starts `node sample/dist/main.js` as
 * `npm start` does (the sample wires MikroORM with @mikro-orm/nestjs, which Jest cannot load). Seed facts used below:
 *   caching-whole-pages  Ada  [Caching, NestJS]      measuring-a-cache-hit  Alan  [Performance]
 *   hello-world          Alan [TypeScript]           tag MikroORM (/tags/mikroorm): invalidate-on-commit,
 *   12 posts, 5 per API page                           entities-that-know-their-pages, migrations-without-fear
 */
const ADAPTERS: readonly AdapterName[] = ['express', 'fastify'];

beforeAll(buildSampleIfStale, 180_000);

describe.each(ADAPTERS)('sample blog on %s', (adapter) => {
  let blog: BlogUnderTest;

  beforeEach(async () => {
    blog = await BlogUnderTest.start(adapter);
  });

  afterEach(async () => {
    await blog?.close();
  });

  test('every public page is a MISS first, then a HIT with the same bytes and content type', async () => {
    const pages = await blog.warm([
      '/',
      '/posts/caching-whole-pages',
      '/tags/caching',
      '/authors/ada-lovelace',
      '/feed.xml',
      '/api/posts',
      '/api/posts?page=2',
      '/api/posts/caching-whole-pages',
    ]);
    expect(pages.get('/')!.text).toContain('Caching whole pages');
    expect(pages.get('/posts/caching-whole-pages')!.text).toContain('Forever sounds scary');
    expect(pages.get('/feed.xml')!.contentType).toBe('application/rss+xml; charset=utf-8');
    expect(pages.get('/feed.xml')!.text).toContain(
      '<link>https://blog.example/posts/caching-whole-pages</link>',
    );
    const hit = await blog.get('/feed.xml');
    expect({ cache: hit.cache, contentType: hit.contentType }).toEqual({
      cache: 'HIT',
      contentType: 'application/rss+xml; charset=utf-8',
    });
    blog.expectNoCacheWarnings();
  });

  test('a new comment shows on its post at once; pages that do not show comments stay cached', async () => {
    const unrelated = [
      '/',
      '/posts/measuring-a-cache-hit',
      '/tags/caching',
      '/authors/ada-lovelace',
      '/feed.xml',
      '/api/posts?page=2',
    ];
    await blog.warm(['/posts/caching-whole-pages', '/api/posts/caching-whole-pages', ...unrelated]);

    const posted = await blog.comment('/posts/caching-whole-pages/comments', {
      authorName: 'Tess',
      body: 'Posted by the e2e test',
    });
    expect(posted.status).toBe(303);
    expect(posted.location).toMatch(/^\/posts\/caching-whole-pages#comment-\d+$/);

    await blog.expectFresh('/posts/caching-whole-pages', 'Posted by the e2e test');
    await blog.expectFresh('/api/posts/caching-whole-pages', 'Posted by the e2e test');
    await blog.expectCached(['/posts/caching-whole-pages', ...unrelated]);
    blog.expectNoCacheWarnings();
  });

  test('an invalid comment is refused and invalidates nothing', async () => {
    await blog.warm(['/posts/caching-whole-pages']);
    expect(
      (await blog.comment('/posts/caching-whole-pages/comments', { authorName: 'Tess', body: ' ' })).status,
    ).toBe(400);
    expect(
      (
        await blog.comment(
          '/posts/no-such-post/comments',
          { authorName: 'Tess', body: 'Hi' },
          '/posts/caching-whole-pages',
        )
      ).status,
    ).toBe(404);
    await blog.expectCached(['/posts/caching-whole-pages']);
  });

  test('renaming a tag invalidates its page (the old URL now redirects) and the pages of its posts, nothing else', async () => {
    const tagged = [
      '/posts/invalidate-on-commit',
      '/posts/entities-that-know-their-pages',
      '/posts/migrations-without-fear',
    ];
    const unrelated = [
      '/posts/measuring-a-cache-hit',
      '/posts/caching-whole-pages',
      '/tags/typescript',
      '/authors/alan-turing',
    ];
    await blog.warm([
      '/tags/mikroorm',
      ...tagged,
      '/',
      '/feed.xml',
      '/api/posts',
      '/api/posts/invalidate-on-commit',
      ...unrelated,
    ]);

    const renamed = await blog.submit('/admin/tags/mikroorm', { name: 'Mikro ORM' });
    expect(renamed).toMatchObject({ status: 303, location: '/tags/mikro-orm' });

    expect(await blog.get('/tags/mikroorm')).toMatchObject({ status: 301, location: '/tags/mikro-orm' });
    await blog.expectFresh('/tags/mikro-orm', 'Posts tagged Mikro ORM');
    for (const path of [...tagged, '/', '/feed.xml', '/api/posts', '/api/posts/invalidate-on-commit']) {
      await blog.expectFresh(path, 'Mikro ORM');
    }
    await blog.expectCached(unrelated);
    blog.expectNoCacheWarnings();
  });

  test("changing a post's slug invalidates its old URL and every page listing it", async () => {
    const unrelated = ['/posts/caching-whole-pages', '/tags/caching', '/authors/ada-lovelace'];
    await blog.warm(['/posts/hello-world', '/tags/typescript', '/authors/alan-turing', '/', ...unrelated]);

    const saved = await blog.submit('/admin/posts/hello-world', {
      title: 'Hello again',
      slug: 'hello-again',
      tags: 'TypeScript',
      body: 'Moved to a new address.',
    });
    expect(saved).toMatchObject({ status: 303, location: '/posts/hello-again' });

    expect(await blog.get('/posts/hello-world')).toMatchObject({
      status: 301,
      location: '/posts/hello-again',
    });
    await blog.expectFresh('/posts/hello-again', 'Moved to a new address.');
    for (const path of ['/tags/typescript', '/authors/alan-turing', '/'])
      await blog.expectFresh(path, 'Hello again');
    await blog.expectCached(unrelated);
    blog.expectNoCacheWarnings();
  });

  test('the JSON API pages by query string, and a new post invalidates every page of it', async () => {
    const pages = await blog.warm(['/api/posts', '/api/posts?page=2']);
    const first = JSON.parse(pages.get('/api/posts')!.text) as ApiPage;
    const second = JSON.parse(pages.get('/api/posts?page=2')!.text) as ApiPage;
    expect({ page: second.page, pages: second.pages, total: second.total }).toEqual({
      page: 2,
      pages: 3,
      total: 12,
    });
    expect(second.posts.map((post) => post.slug)).not.toEqual(first.posts.map((post) => post.slug));
    expect((await blog.get('/api/posts?page=4')).status).toBe(404);
    expect((await blog.get('/api/posts?page=0')).status).toBe(400);
    const unrelated = ['/tags/typescript', '/authors/alan-turing', '/posts/measuring-a-cache-hit'];
    await blog.warm(unrelated);

    const created = await blog.submit('/admin/posts', {
      title: 'A brand new post',
      author: 'ada-lovelace',
      tags: 'Caching, Brand new',
      body: 'Fresh off the press.',
    });
    expect(created).toMatchObject({ status: 303, location: '/posts/a-brand-new-post' });

    const newFirst = JSON.parse((await blog.expectFresh('/api/posts')).text) as ApiPage;
    const newSecond = JSON.parse((await blog.expectFresh('/api/posts?page=2')).text) as ApiPage;
    expect(newFirst.posts[0]!.slug).toBe('a-brand-new-post');
    expect(newSecond.posts[0]!.slug).toBe(first.posts.at(-1)!.slug);
    expect(newSecond.total).toBe(13);
    await blog.expectFresh('/tags/brand-new', 'A brand new post');
    await blog.expectCached(unrelated);
    blog.expectNoCacheWarnings();
  });

  test('the admin area is never cached, and shows changes at once', async () => {
    for (const path of ['/admin', '/admin/posts/hello-world', '/admin', '/admin/posts/hello-world']) {
      const page = await blog.get(path);
      expect({ path, status: page.status, cache: page.cache }).toEqual({ path, status: 200, cache: null });
    }
    await blog.comment('/posts/hello-world/comments', { authorName: 'Tess', body: 'Seen by the moderators' });
    expect((await blog.get('/admin')).text).toContain('Seen by the moderators');
  });
});

/** The header's greeting as the page shows it. */
const greetingOf = (page: Page) => /<span class="visitor">(.*?)<\/span>/.exec(page.text)?.[1] ?? '';
/** The footer's render time: the same on every copy of one render. */
const renderedAt = (page: Page) => /<time class="rendered-at" datetime="([^"]+)"/.exec(page.text)?.[1];

describe.each(ADAPTERS)('signed-in readers on the sample blog on %s', (adapter) => {
  let blog: BlogUnderTest;
  const POST = '/posts/caching-whole-pages';

  beforeEach(async () => {
    blog = await BlogUnderTest.start(adapter);
  });

  afterEach(async () => {
    await blog?.close();
  });

  test('two signed-in readers and a guest get their own greeting and CSRF token from one stored post page, and can comment with it', async () => {
    const alice = await blog.signedIn('Alice');
    const bob = await blog.signedIn('Bob <script>');
    const guest = blog.reader();

    const aliceMiss = await alice.get(POST);
    const bobHit = await bob.get(POST);
    const guestHit = await guest.get(POST);
    const aliceHit = await alice.get(POST);
    expect([aliceMiss, bobHit, guestHit, aliceHit].map((page) => [page.status, page.cache])).toEqual([
      [200, 'MISS'],
      [200, 'HIT'],
      [200, 'HIT'],
      [200, 'HIT'],
    ]);
    // One render: every copy has its time.
    expect(new Set([aliceMiss, bobHit, guestHit, aliceHit].map(renderedAt)).size).toBe(1);
    expect(greetingOf(aliceMiss)).toContain('Hi, <strong>Alice</strong>');
    expect(greetingOf(aliceHit)).toContain('Hi, <strong>Alice</strong>');
    expect(greetingOf(bobHit)).toContain('Hi, <strong>Bob &lt;script&gt;</strong>');
    expect(greetingOf(guestHit)).toBe(
      '<a class="sign-in" href="/login?next=%2Fposts%2Fcaching-whole-pages">Sign in</a>',
    );
    for (const page of [aliceMiss, bobHit, guestHit, aliceHit]) {
      expect(page.text).not.toContain('cache-page:');
      expect(page.text).toContain('Forever sounds scary');
    }

    const [aliceToken, bobToken, guestToken] = [aliceHit, bobHit, guestHit].map((page) =>
      csrfTokenOf(page.text),
    );
    expect(aliceToken).toMatch(/.{16,}/);
    expect(bobToken).toMatch(/.{16,}/);
    expect(guestToken).toMatch(/.{16,}/);
    expect(new Set([aliceToken, bobToken, guestToken]).size).toBe(3);

    const comment = (text: string) => ({ authorName: 'Reader', body: text });
    expect(
      (await bob.submit(`${POST}/comments`, { _csrf: aliceToken!, ...comment("with Alice's token") })).status,
    ).toBe(403);
    expect((await guest.submit(`${POST}/comments`, comment('without a token'))).status).toBe(403);
    const refused = await blog.submit(`${POST}/comments`, {
      _csrf: guestToken!,
      ...comment('without the session'),
    });
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('That form cannot be sent');
    await blog.expectCached([POST]);

    expect(
      (await alice.submit(`${POST}/comments`, { _csrf: aliceToken!, ...comment('By Alice') })).status,
    ).toBe(303);
    expect((await bob.submit(`${POST}/comments`, { _csrf: bobToken!, ...comment('By Bob') })).status).toBe(
      303,
    );
    expect(
      (await guest.submit(`${POST}/comments`, { _csrf: guestToken!, ...comment('By a guest') })).status,
    ).toBe(303);
    const fresh = await blog.expectFresh(POST, 'By a guest');
    expect(fresh.text).toContain('By Alice');
    expect(fresh.text).toContain('By Bob');
    blog.expectNoCacheWarnings();
  });

  test('signing in and out changes the greeting, not the stored page; the sign-in page is never cached', async () => {
    await blog.warm([POST]);
    const reader = blog.reader();
    const form = await reader.get(`/login?next=${encodeURIComponent(POST)}`);
    expect({ status: form.status, cache: form.cache }).toEqual({ status: 200, cache: null });
    expect(form.text).toContain(`<input type="hidden" name="next" value="${POST}">`);
    expect((await reader.get('/login')).cache).toBeNull();

    const signedIn = await reader.submit('/login', { name: 'Hedy', next: POST });
    expect({ status: signedIn.status, location: signedIn.location }).toEqual({ status: 303, location: POST });
    const greeted = await reader.get(POST);
    expect(greeted.cache).toBe('HIT');
    expect(greetingOf(greeted)).toContain('Hi, <strong>Hedy</strong>');
    expect(greetingOf(greeted)).toContain('action="/logout"');

    const signedOut = await reader.submit('/logout', { next: POST });
    expect({ status: signedOut.status, location: signedOut.location }).toEqual({
      status: 303,
      location: POST,
    });
    const guest = await reader.get(POST);
    expect(guest.cache).toBe('HIT');
    expect(greetingOf(guest)).toContain('Sign in');
    expect(guest.text).not.toContain('Hedy');
    expect((await reader.submit('/login', { name: ' ' })).status).toBe(400);
    expect((await reader.submit('/login', { name: 'Mallory', next: '//evil.example/' })).location).toBe('/');
  });

  // @fastify/session decides on its cookie and saves the session in its onSend hook: the page
  // cache fills a missed page's fragments before it, so the session the token started is sent.
  test('a guest whose post page was a miss can comment with the token it got', async () => {
    const guest = blog.reader();
    const page = await guest.get(POST);
    expect(page.cache).toBe('MISS');
    const posted = await guest.submit(`${POST}/comments`, {
      _csrf: csrfTokenOf(page.text)!,
      authorName: 'Guest',
      body: 'From a missed page',
    });
    expect(posted.status).toBe(303);
  });
});

interface ApiPage {
  readonly page: number;
  readonly pages: number;
  readonly total: number;
  readonly posts: Array<{ readonly slug: string }>;
}
