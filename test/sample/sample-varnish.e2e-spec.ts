import { afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import type { AdapterName } from '../../sample/src/app.config.js';
import { describeIfAvailable, isReachable } from '../support/services.js';
import { availability } from '../support/varnish-server.js';
import { BlogBehindVarnish, RUN_SCRIPT } from './blog-behind-varnish.js';
import { BlogReader } from './blog-reader.js';
import { buildSampleIfStale } from './sample-build.js';

/*
 * `npm run start:varnish`: the sample blog behind a real varnishd running sample/varnish/default.vcl
 * (which includes the package's cache-page.vcl), started by sample/varnish/run.sh. Varnish keeps
 * the shared pages (the JSON API, the feed); the HTML pages carry personal fragments (greeting,
 * CSRF token), so they are private and answered by the app's own cache. A comment purges its
 * post's pages at Varnish before the comment's 303 is sent (`waitForPurge`).
 */
const ADAPTERS: readonly AdapterName[] = ['express', 'fastify'];
const POST_JSON = '/api/posts/caching-whole-pages';

// Starting varnishd and the blog takes seconds; more on a busy machine.
const START_AND_TEST_MS = 120_000;

let blog: BlogBehindVarnish | undefined;

beforeAll(buildSampleIfStale, 180_000);

afterEach(async () => {
  await BlogBehindVarnish.closeAll();
  blog = undefined;
});

/** Varnish names two transactions in `X-Varnish` when it answered from its cache. */
const fromVarnish = (response: Response) => /^\d+ \d+$/.test(response.headers.get('x-varnish') ?? '');

async function viaVarnish(path: string): Promise<{ response: Response; text: string }> {
  const response = await fetch(blog!.varnishUrl + path, { redirect: 'manual' });
  return { response, text: await response.text() };
}

/** Requests through Varnish until Varnish itself answers (the app's miss, then its hit, which Varnish keeps). */
async function untilVarnishKeeps(path: string): Promise<{ response: Response; text: string }> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const answer = await viaVarnish(path);
    if (fromVarnish(answer.response)) return answer;
  }
  throw new Error(`Varnish never kept ${path}`);
}

for (const adapter of ADAPTERS) {
  describeIfAvailable(
    'varnishd with the xkey vmod',
    availability(),
    `the sample behind Varnish on ${adapter}`,
    () => {
      test(
        "Varnish keeps a post's JSON; a signed-in reader's comment purges it before the 303, and the feed stays kept",
        async () => {
          blog = await BlogBehindVarnish.start(adapter);
          expect(blog.output()).toContain(`edge      Varnish at ${blog.varnishUrl}, purged on every commit`);

          const kept = await untilVarnishKeeps(POST_JSON);
          expect(kept.text).toContain('Forever sounds scary');
          expect(kept.response.headers.get('age')).toMatch(/^\d+$/);
          expect(kept.response.headers.get('xkey')).toBeNull();
          expect(kept.response.headers.get('surrogate-control')).toBeNull();
          expect(kept.response.headers.get('cache-control')).toBe('no-cache');
          expect(fromVarnish((await viaVarnish(POST_JSON)).response)).toBe(true);
          await untilVarnishKeeps('/feed.xml');
          // The post's HTML page has fragments: the app's cache answers it, Varnish only passes it on.
          await viaVarnish('/posts/caching-whole-pages');
          const html = (await viaVarnish('/posts/caching-whole-pages')).response;
          expect({ fromVarnish: fromVarnish(html), cache: html.headers.get('x-cache') }).toEqual({
            fromVarnish: false,
            cache: 'HIT',
          });

          const reader = await new BlogReader(blog.varnishUrl).signIn('Tess');
          const posted = await reader.comment('/posts/caching-whole-pages/comments', {
            authorName: 'Tess',
            body: 'Posted behind Varnish',
          });
          expect(posted.status).toBe(303);

          const after = await viaVarnish(POST_JSON);
          expect({
            fromVarnish: fromVarnish(after.response),
            shown: after.text.includes('Posted behind Varnish'),
          }).toEqual({
            fromVarnish: false,
            shown: true,
          });
          expect((await untilVarnishKeeps(POST_JSON)).text).toContain('Posted behind Varnish');
          expect((await reader.get('/posts/caching-whole-pages')).text).toContain('Posted behind Varnish');
          expect(fromVarnish((await viaVarnish('/feed.xml')).response)).toBe(true);
        },
        START_AND_TEST_MS,
      );
    },
  );
}

describeIfAvailable('varnishd with the xkey vmod', availability(), 'sample/varnish/run.sh', () => {
  test(
    'Ctrl-C stops Varnish and the blog',
    async () => {
      blog = await BlogBehindVarnish.start('express');
      expect(await isReachable(blog.varnishUrl)).toBe(true);
      expect(await isReachable(blog.appUrl)).toBe(true);
      expect(await blog.interrupt()).toBe(130);
      expect(await isReachable(blog.varnishUrl)).toBe(false);
      expect(await isReachable(blog.appUrl)).toBe(false);
    },
    START_AND_TEST_MS,
  );
});

describe('sample/varnish/run.sh without Varnish', () => {
  test('says how to install it, and starts nothing', async () => {
    const script = spawn('/bin/bash', [RUN_SCRIPT], {
      env: { PATH: '/nonexistent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    script.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    const code = await new Promise((done) => script.once('exit', done));
    expect({ code, stderr }).toEqual({
      code: 1,
      stderr:
        'varnishd is not installed. On Debian or Ubuntu: sudo apt-get install varnish varnish-modules\n',
    });
  });
});
