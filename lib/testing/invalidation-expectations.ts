import type { INestApplication } from '@nestjs/common';
import { AssertionError } from 'node:assert';
import { CachePageService } from '../cache-page.service.js';
import { canonicalInvalidationPath } from '../store/page-path.js';

/** How an invalidation of every page appears among the paths. */
const EVERY_PAGE = '*';

/**
 * Runs `work` (an HTTP request to the app, a service call, a MikroORM transaction: anything that
 * commits) and resolves with the paths it invalidated: every path of every committed transaction
 * and `invalidate()` call while it ran, folded as the cache compares them (lower case, no
 * trailing slash), sorted; `'*'` stands for every page. Unlike `CachePageService.explain()`, the
 * work is really done.
 *
 * For example: `expect(await invalidatedBy(app, () => posts.rename(1, 'Hello again'))).toContain('/posts/hello')`
 *
 * @param app the app under test, initialised, with `CachePageModule`
 * @publicApi
 */
export async function invalidatedBy(app: INestApplication, work: () => unknown): Promise<string[]> {
  const paths = new Set<string>();
  const unsubscribe = app.get(CachePageService, { strict: false }).onInvalidation((event) => {
    for (const path of event.paths) paths.add(path);
    if (event.all) paths.add(EVERY_PAGE);
  });
  try {
    await work();
  } finally {
    unsubscribe();
  }
  return [...paths].sort();
}

/**
 * Asserts that `work` invalidates exactly `paths` (`'*'`: every page), compared as the cache
 * compares paths. The `AssertionError` lists what was expected but not invalidated, and what was
 * invalidated but not expected.
 *
 * For example: `await expectInvalidates(app, () => request(server).post('/posts/1/comments').send({ body }), ['/posts/hello'])`
 *
 * @publicApi
 */
export async function expectInvalidates(
  app: INestApplication,
  work: () => unknown,
  paths: Iterable<string>,
): Promise<void> {
  const actual = await invalidatedBy(app, work);
  const expected = [
    ...new Set([...paths].map((path) => (path === EVERY_PAGE ? path : canonicalInvalidationPath(path)))),
  ].sort();
  const missing = expected.filter((path) => !actual.includes(path));
  const unexpected = actual.filter((path) => !expected.includes(path));
  if (missing.length === 0 && unexpected.length === 0) return;
  const lines = ['the work invalidated other pages than expected'];
  if (missing.length > 0) lines.push(`  expected, not invalidated: ${missing.join(', ')}`);
  if (unexpected.length > 0) lines.push(`  invalidated, not expected: ${unexpected.join(', ')}`);
  throw new AssertionError({
    message: lines.join('\n'),
    actual,
    expected,
    operator: 'deepStrictEqual',
    stackStartFn: expectInvalidates,
  });
}
