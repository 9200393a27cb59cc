import { describe, expect, test } from '@jest/globals';
import { createCache } from 'cache-manager';
import { CacheManagerBackend } from '../../../lib/store/backends/cache-manager-backend.js';
import { MemoryBackend } from '../../../lib/store/backends/memory-backend.js';
import type { PageBackend } from '../../../lib/store/backends/page-backend.js';
import { digestOf } from '../../../lib/store/page-body.js';
import { newPageEntry, type VariedInput } from '../../../lib/store/page-entry.js';
import { canonicalQuery, pageKey, type PageKey } from '../../../lib/store/page-key.js';
import { requestPagePath } from '../../../lib/store/page-path.js';
import { PageStore, type CachedPage } from '../../../lib/store/page-store.js';
import { MAX_VARIANTS_PER_PAGE, type RequestInputs } from '../../../lib/store/page-variants.js';
import { PathMapping } from '../../../lib/store/path-mapping.js';
import { FlakyCache } from '../../support/flaky-cache.js';

/* The never-stale core on its own: epochs, variants, bounds and failures, without HTTP or an ORM. */
const NO_INPUTS: RequestInputs = { valueOf: () => '' };

function storeOver(backend: PageBackend, maxBodyBytes = 1 << 20): PageStore {
  return new PageStore(backend, {
    keyPrefix: 'p:',
    storeTimeoutMs: 200,
    reclaimAfterMs: 60_000,
    maxBodyBytes,
    paths: new PathMapping(),
  });
}

const keyOf = (url: string): PageKey => {
  const [path, query = ''] = url.split('?', 2);
  return pageKey('p:', {
    origin: '',
    path: path!,
    query: canonicalQuery(query),
    pagePath: requestPagePath(path!),
  });
};

/** A render of `url`, from its lookup to the stored page, with the body `text`. */
async function render(
  store: PageStore,
  url: string,
  text: string,
  varied: VariedInput[] = [],
  inputs = NO_INPUTS,
) {
  const key = keyOf(url);
  const lookup = await store.lookup(key, inputs);
  const epochs = await store.beginRender(key, lookup!);
  return { key, epochs: epochs!, finish: () => save(store, key, text, epochs!, varied) };
}

async function save(
  store: PageStore,
  key: PageKey,
  text: string,
  epochs: readonly [string, string],
  varied: VariedInput[] = [],
) {
  const bytes = Buffer.from(text);
  const body = { digest: digestOf(bytes), bytes };
  const page: CachedPage = {
    entry: newPageEntry(
      { status: 200, headers: [], etag: 'W/"x"', ttl: 0, varied },
      body.digest,
      bytes.length,
      epochs,
    ),
    body,
  };
  await store.save(key, page);
}

const textOf = async (store: PageStore, url: string, inputs = NO_INPUTS) =>
  (await store.lookup(keyOf(url), inputs))?.page?.body.bytes.toString();

describe.each([
  ['the memory backend', () => new MemoryBackend(1_000)],
  ['a cache-manager store', () => new CacheManagerBackend(createCache())],
])('the page store over %s', (_name, backend) => {
  test('a stored page is served until its path is invalidated', async () => {
    const store = storeOver(backend());
    await (await render(store, '/posts/a', 'A1')).finish();
    expect(await textOf(store, '/posts/a')).toBe('A1');
    expect(await textOf(store, '/posts/a?page=2')).toBeUndefined();
    await store.invalidate(['/posts/a']);
    expect(await textOf(store, '/posts/a')).toBeUndefined();
  });

  test('a render that began before an invalidation is stored but never served after it', async () => {
    const store = storeOver(backend());
    const early = await render(store, '/posts/a', 'old');
    await store.invalidate(['/posts/a']);
    await early.finish();
    expect(await textOf(store, '/posts/a')).toBeUndefined();
    await (await render(store, '/posts/a', 'new')).finish();
    expect(await textOf(store, '/posts/a')).toBe('new');
  });

  test('invalidateAll() makes every page unservable with one write', async () => {
    const store = storeOver(backend());
    await (await render(store, '/a', 'a')).finish();
    await (await render(store, '/b', 'b')).finish();
    await store.invalidateAll();
    expect([await textOf(store, '/a'), await textOf(store, '/b')]).toEqual([undefined, undefined]);
  });

  test('variants are served only to requests with the same inputs, and all go with the path', async () => {
    const store = storeOver(backend());
    const german: RequestInputs = { valueOf: (input) => (input === 'accept-language' ? 'de' : '') };
    const english: RequestInputs = { valueOf: (input) => (input === 'accept-language' ? 'en' : '') };
    await (await render(store, '/home', 'Hallo', [['accept-language', 'de']], german)).finish();
    expect(await textOf(store, '/home', german)).toBe('Hallo');
    expect(await textOf(store, '/home', english)).toBeUndefined();
    await (await render(store, '/home', 'Hello', [['accept-language', 'en']], english)).finish();
    expect(await textOf(store, '/home', english)).toBe('Hello');
    await store.invalidate(['/home']);
    expect([await textOf(store, '/home', german), await textOf(store, '/home', english)]).toEqual([
      undefined,
      undefined,
    ]);
  });

  test(`at most ${MAX_VARIANTS_PER_PAGE} variants of one page are stored`, async () => {
    const store = storeOver(backend());
    const inputs = (value: string): RequestInputs => ({ valueOf: () => value });
    for (let i = 0; i <= MAX_VARIANTS_PER_PAGE; i++) {
      await (await render(store, '/v', `v${i}`, [['x-variant', `${i}`]], inputs(`${i}`))).finish();
    }
    expect(await textOf(store, '/v', inputs(`${MAX_VARIANTS_PER_PAGE - 1}`))).toBe(
      `v${MAX_VARIANTS_PER_PAGE - 1}`,
    );
    expect(await textOf(store, '/v', inputs(`${MAX_VARIANTS_PER_PAGE}`))).toBeUndefined();
  });
});

describe('the page store, memory specifics', () => {
  test('a memory hit is synchronous (no await on the hit path)', async () => {
    const store = storeOver(new MemoryBackend(100));
    await (await render(store, '/sync', 'x')).finish();
    const lookup = store.lookup(keyOf('/sync'), NO_INPUTS);
    expect(lookup).not.toBeInstanceOf(Promise);
  });

  test('bodies are bounded by bytes: the least recently used go first', async () => {
    const store = storeOver(new MemoryBackend(10_000), 4_000);
    for (let i = 0; i < 5; i++) await (await render(store, `/big/${i}`, `${i}`.padEnd(1_000, 'x'))).finish();
    expect(await textOf(store, '/big/0')).toBeUndefined();
    expect(await textOf(store, '/big/4')).toBeDefined();
  });

  test('an invalidation of many paths renews only the epochs that exist, evicting nothing', async () => {
    const store = storeOver(new MemoryBackend(100));
    await (await render(store, '/kept', 'kept')).finish();
    await store.invalidate(Array.from({ length: 100_001 }, (_, i) => `/gone/${i}`));
    expect(await textOf(store, '/kept')).toBe('kept');
  });

  test('a value that is not a path is refused with the module name', async () => {
    const store = storeOver(new MemoryBackend(100));
    await expect(store.invalidate(['posts'])).rejects.toThrow(/CachePageModule: cannot invalidate "posts"/);
    await expect(store.invalidate(42 as never)).rejects.toThrow(/CachePageModule: cannot invalidate 42/);
  });
});

describe('the page store over a failing cache-manager store', () => {
  test('an invalidation that fails is held: the page is bypassed until a retry succeeds', async () => {
    const flaky = new FlakyCache(createCache());
    const store = storeOver(new CacheManagerBackend(flaky.cache));
    await (await render(store, '/held', 'v1')).finish();
    flaky.down = true;
    await expect(store.invalidate(['/held'])).resolves.toBeUndefined();
    flaky.down = false;
    expect(await store.lookup(keyOf('/held'), NO_INPUTS)).toBeUndefined(); // held: bypassed
    const deadline = Date.now() + 5_000;
    while ((await store.lookup(keyOf('/held'), NO_INPUTS)) === undefined && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const after = await store.lookup(keyOf('/held'), NO_INPUTS);
    expect(after).toBeDefined();
    expect(after?.page).toBeUndefined(); // the retry renewed the epoch: the old page is gone
    expect(flaky.clearCalls).toBe(0);
    store.dispose();
  });
});
