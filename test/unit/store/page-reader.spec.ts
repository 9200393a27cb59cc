import { describe, expect, test } from '@jest/globals';
import { createCache } from 'cache-manager';
import { CacheManagerBackend } from '../../../lib/store/backends/cache-manager-backend.js';
import { MemoryBackend } from '../../../lib/store/backends/memory-backend.js';
import type { PageBackend } from '../../../lib/store/backends/page-backend.js';
import { BodyTier, encodeStoredBody } from '../../../lib/store/page-body.js';
import { newPageEntry, PAGE_ENTRY_FORMAT, type VariedInput } from '../../../lib/store/page-entry.js';
import { bodyKey, variantKey } from '../../../lib/store/page-key.js';
import { PageReader } from '../../../lib/store/page-reader.js';
import { PageVariants, type RequestInputs } from '../../../lib/store/page-variants.js';
import { bodyOf, keyOf, PREFIX, storeContext } from '../../support/store-context.js';

/* The lookup: one multi-get of entry and epochs, and the hit decision. */
const NO_INPUTS: RequestInputs = { valueOf: () => '' };
const key = keyOf('/posts');
const body = bodyOf('<p>posts</p>');

function readerOver<B extends PageBackend = MemoryBackend>(
  backend: B = new MemoryBackend(100) as unknown as B,
) {
  const context = storeContext(backend);
  const bodies = new BodyTier(1 << 20);
  return {
    backend,
    context,
    bodies,
    reader: new PageReader(context, new PageVariants(), bodies, () => false),
  };
}

const entryUnder = (epochs: readonly [string, string], varied: VariedInput[] = []) =>
  newPageEntry(
    { status: 200, headers: [], etag: 'W/"x"', ttl: 0, varied },
    body.digest,
    body.bytes.length,
    epochs,
  );

describe('PageReader', () => {
  test('a miss reports the epochs it read and where the page would be stored', () => {
    const { backend, context, reader } = readerOver();
    backend.write([
      { key: key.epoch, value: 'path-1', ttl: 0 },
      { key: context.globalKey, value: 'global-1', ttl: 0 },
    ]);
    expect(reader.read(key, NO_INPUTS)).toEqual({
      page: undefined,
      pathEpoch: 'path-1',
      globalEpoch: 'global-1',
      vary: undefined,
      storageKey: key.entry,
    });
  });

  test('an entry under the current epochs is a hit, synchronously on the memory backend', () => {
    const { backend, context, bodies, reader } = readerOver();
    bodies.set(body);
    backend.write([
      { key: key.epoch, value: 'path-1', ttl: 0 },
      { key: context.globalKey, value: 'global-1', ttl: 0 },
      { key: key.entry, value: entryUnder(['path-1', 'global-1']), ttl: 0 },
    ]);
    const lookup = reader.read(key, NO_INPUTS);
    expect(lookup).not.toBeInstanceOf(Promise);
    expect((lookup as { page?: { body: unknown } }).page?.body).toBe(body);
  });

  test('an entry under an older path or global epoch is a miss', () => {
    for (const epochs of [
      ['path-0', 'global-1'],
      ['path-1', 'global-0'],
    ] as const) {
      const { backend, context, bodies, reader } = readerOver();
      bodies.set(body);
      backend.write([
        { key: key.epoch, value: 'path-1', ttl: 0 },
        { key: context.globalKey, value: 'global-1', ttl: 0 },
        { key: key.entry, value: entryUnder(epochs), ttl: 0 },
      ]);
      expect((reader.read(key, NO_INPUTS) as { page?: unknown }).page).toBeUndefined();
    }
  });

  test('a value that is not an entry is a miss and is dropped from the store', () => {
    const { backend, reader } = readerOver();
    backend.write([{ key: key.entry, value: { not: 'an entry' }, ttl: 0 }]);
    expect((reader.read(key, NO_INPUTS) as { page?: unknown }).page).toBeUndefined();
    expect(backend.read([key.entry])).toEqual([undefined]);
  });

  test("a manifest leads to the variant the request's inputs choose", () => {
    const { backend, context, bodies, reader } = readerOver();
    bodies.set(body);
    const german: RequestInputs = { valueOf: (input) => (input === 'accept-language' ? 'de' : '') };
    backend.write([
      { key: key.epoch, value: 'path-1', ttl: 0 },
      { key: context.globalKey, value: 'global-1', ttl: 0 },
      { key: key.entry, value: { v: PAGE_ENTRY_FORMAT, vary: ['accept-language'] }, ttl: 0 },
      {
        key: variantKey(key.entry, 'de'),
        value: entryUnder(['path-1', 'global-1'], [['accept-language', 'de']]),
        ttl: 0,
      },
    ]);
    const first = reader.read(key, german) as { page?: unknown; storageKey: string };
    expect(first.page).toBeDefined();
    expect(first.storageKey).toBe(variantKey(key.entry, 'de'));
    const english = reader.read(key, { valueOf: () => 'en' }) as { page?: unknown; storageKey: string };
    expect(english.page).toBeUndefined();
    expect(english.storageKey).toBe(variantKey(key.entry, 'en'));
  });

  test('a body held by a shared store only is read from it, checked, and then held here', async () => {
    const { backend, context, bodies, reader } = readerOver(new CacheManagerBackend(createCache()));
    await backend.write([
      { key: key.epoch, value: 'path-1', ttl: 0 },
      { key: context.globalKey, value: 'global-1', ttl: 0 },
      { key: key.entry, value: entryUnder(['path-1', 'global-1']), ttl: 0 },
      { key: bodyKey(PREFIX, body.digest), value: encodeStoredBody(body.bytes), ttl: 0 },
    ]);
    const lookup = await reader.read(key, NO_INPUTS);
    expect(lookup?.page?.body.bytes.toString()).toBe('<p>posts</p>');
    expect(bodies.get(body.digest)?.bytes.toString()).toBe('<p>posts</p>');
  });

  test('a leased epoch on a store without leases makes the request bypass the cache', async () => {
    const { backend, context, reader } = readerOver();
    backend.write([
      { key: key.epoch, value: '~writer', ttl: 0 },
      { key: context.globalKey, value: 'g', ttl: 0 },
    ]);
    expect(await reader.read(key, NO_INPUTS)).toBeUndefined();
  });
});
