import { describe, expect, test } from '@jest/globals';
import { createCache } from 'cache-manager';
import { CacheManagerBackend } from '../../../lib/store/backends/cache-manager-backend.js';
import { MemoryBackend } from '../../../lib/store/backends/memory-backend.js';
import type { PageBackend } from '../../../lib/store/backends/page-backend.js';
import { newPageEntry, type PageEntry } from '../../../lib/store/page-entry.js';
import { PageRefresh } from '../../../lib/store/page-refresh.js';
import { bodyOf, keyOf, storeContext } from '../../support/store-context.js';

/* Pages that are read stay in a shared store; pages nobody reads are reclaimed. */
const RECLAIM_MS = 60_000;
const key = keyOf('/posts');
const body = bodyOf('<p>posts</p>');
const entryAged = (ageMs: number, ttl = 0): PageEntry => ({
  ...newPageEntry(
    { status: 200, headers: [], etag: 'W/"x"', ttl, varied: [] },
    body.digest,
    body.bytes.length,
    ['p', 'g'],
  ),
  a: Date.now() - ageMs,
});

async function refreshOf(backend: PageBackend, entry: PageEntry): Promise<unknown> {
  await backend.write([{ key: key.entry, value: entry, ttl: 0 }]);
  new PageRefresh(storeContext(backend, RECLAIM_MS)).ifOld(key, key.entry, entry, body);
  await new Promise((resolve) => setTimeout(resolve, 20));
  return (await backend.read([key.entry]))[0];
}

describe('PageRefresh', () => {
  test('a page past half its time in a shared store is stored again, as it was read', async () => {
    const entry = entryAged(RECLAIM_MS * 0.6);
    const stored = (await refreshOf(new CacheManagerBackend(createCache()), entry)) as PageEntry;
    expect(stored.a).toBeGreaterThan(entry.a);
    expect(stored.e).toEqual(entry.e);
  });

  test('a younger page, a page with its own TTL, and a memory page are left alone', async () => {
    for (const [backend, entry] of [
      [new CacheManagerBackend(createCache()), entryAged(RECLAIM_MS * 0.4)],
      [new CacheManagerBackend(createCache()), entryAged(RECLAIM_MS * 0.6, 5_000)],
      [new MemoryBackend(10), entryAged(RECLAIM_MS * 0.6)],
    ] as const) {
      expect(((await refreshOf(backend, entry)) as PageEntry).a).toBe(entry.a);
    }
  });
});
