import { describe, expect, test } from '@jest/globals';
import { createCache } from 'cache-manager';
import { CacheManagerBackend } from '../../../lib/store/backends/cache-manager-backend.js';
import { MemoryBackend } from '../../../lib/store/backends/memory-backend.js';
import type { PageBackend } from '../../../lib/store/backends/page-backend.js';
import { BodyTier, decodeStoredBody } from '../../../lib/store/page-body.js';
import {
  isVaryManifest,
  newPageEntry,
  type RenderEpochs,
  type VariedInput,
} from '../../../lib/store/page-entry.js';
import { bodyKey, variantKey } from '../../../lib/store/page-key.js';
import type { PageLookup } from '../../../lib/store/page-reader.js';
import { MAX_VARIANTS_PER_PAGE, PageVariants } from '../../../lib/store/page-variants.js';
import { PageWriter } from '../../../lib/store/page-writer.js';
import { bodyOf, keyOf, PREFIX, storeContext } from '../../support/store-context.js';

/* A render's side of the store: its epochs before it starts, and the save of what it produced. */
const key = keyOf('/posts');
const body = bodyOf('<p>posts</p>');
const missAt = (pathEpoch?: string, globalEpoch?: string): PageLookup => ({
  page: undefined,
  pathEpoch,
  globalEpoch,
  vary: undefined,
  storageKey: key.entry,
});
const pageUnder = (epochs: RenderEpochs, varied: VariedInput[] = []) => ({
  entry: newPageEntry(
    { status: 200, headers: [], etag: 'W/"x"', ttl: 0, varied },
    body.digest,
    body.bytes.length,
    epochs,
  ),
  body,
});

function writerOver<B extends PageBackend = MemoryBackend>(
  backend: B = new MemoryBackend(100) as unknown as B,
) {
  const context = storeContext(backend);
  const bodies = new BodyTier(1 << 20);
  return { backend, context, bodies, writer: new PageWriter(context, new PageVariants(), bodies) };
}

describe('PageWriter', () => {
  test('a render under known epochs runs under them, without a store call', async () => {
    const { backend, writer } = writerOver();
    expect(await writer.beginRender(key, missAt('path-1', 'global-1'))).toEqual(['path-1', 'global-1']);
    expect(backend.read([key.epoch])).toEqual([undefined]);
  });

  test("a first render creates the missing epochs, and keeps another process's that exist", async () => {
    const { backend, context, writer } = writerOver();
    backend.write([{ key: context.globalKey, value: 'global-0', ttl: 0 }]);
    const epochs = await writer.beginRender(key, missAt());
    expect(epochs?.[1]).toBe('global-0');
    expect(backend.read([key.epoch, context.globalKey])).toEqual(epochs);
  });

  test('a render never begins under a leased epoch', async () => {
    const { backend, writer } = writerOver();
    backend.write([{ key: key.epoch, value: '~writer', ttl: 0 }]);
    expect(await writer.beginRender(key, missAt())).toBeUndefined();
  });

  test('a page is stored at its key, and its body is held in this process', async () => {
    const { backend, bodies, writer } = writerOver();
    await writer.save(key, pageUnder(['p', 'g']));
    expect(backend.read([key.entry])[0]).toMatchObject({ d: body.digest, e: ['p', 'g'] });
    expect(bodies.get(body.digest)).toBe(body);
  });

  test('a shared store gets the body too, under its digest', async () => {
    const { backend, writer } = writerOver(new CacheManagerBackend(createCache()));
    await writer.save(key, pageUnder(['p', 'g']));
    const [stored] = await backend.read([bodyKey(PREFIX, body.digest)]);
    expect(decodeStoredBody(stored, body.digest)?.bytes.toString()).toBe('<p>posts</p>');
  });

  test('a page that varies is stored as a variant, with a manifest at its key naming the inputs', async () => {
    const { backend, writer } = writerOver();
    await writer.save(key, pageUnder(['p', 'g'], [['accept-language', 'de']]));
    const [manifest, variant] = backend.read([key.entry, variantKey(key.entry, 'de')]);
    expect(isVaryManifest(manifest) && manifest.vary).toEqual(['accept-language']);
    expect(variant).toMatchObject({ d: body.digest });
  });

  test(`variants past ${MAX_VARIANTS_PER_PAGE} of one page are not stored`, async () => {
    const { backend, writer } = writerOver();
    for (let i = 0; i <= MAX_VARIANTS_PER_PAGE; i++) {
      await writer.save(key, pageUnder(['p', 'g'], [['accept-language', `l${i}`]]));
    }
    const last = variantKey(key.entry, `l${MAX_VARIANTS_PER_PAGE}`);
    expect(backend.read([variantKey(key.entry, 'l0'), last])).toEqual([expect.anything(), undefined]);
  });
});
