import { describe, expect, test } from '@jest/globals';
import { createCache } from 'cache-manager';
import { CacheManagerBackend } from '../../../lib/store/backends/cache-manager-backend.js';
import { MemoryBackend } from '../../../lib/store/backends/memory-backend.js';
import type { PageBackend } from '../../../lib/store/backends/page-backend.js';
import { BodyTier } from '../../../lib/store/page-body.js';
import { newPageEntry } from '../../../lib/store/page-entry.js';
import { PageReader } from '../../../lib/store/page-reader.js';
import { PageVariants } from '../../../lib/store/page-variants.js';
import { PageWriter } from '../../../lib/store/page-writer.js';
import { bodyOf, keyOf, storeContext } from '../../support/store-context.js';

/*
 * Dependency keys in the store (`dependencies: 'auto'`): an entry is served only while every key
 * still holds the epoch it was stored with, and a render's keys are stored only if no class it
 * read was written between its start and the reading of their epochs.
 */
const key = keyOf('/tags/news');
const body = bodyOf('<p>news</p>');
const NO_INPUTS = { valueOf: () => '' };
const DEPS = ['p:dep:Tag#s1', 'p:dep:Post.tag=s1'];

function over(backend: PageBackend, held: (key: string) => boolean = () => false) {
  const context = storeContext(backend);
  const bodies = new BodyTier(1 << 20);
  bodies.set(body);
  const variants = new PageVariants();
  return {
    context,
    reader: new PageReader(context, variants, bodies, held),
    writer: new PageWriter(context, variants, bodies),
  };
}

async function storedWithDependencies(backend: PageBackend, held?: (key: string) => boolean) {
  const parts = over(backend, held);
  await backend.write([
    { key: key.epoch, value: 'path-1', ttl: 0 },
    { key: parts.context.globalKey, value: 'global-1', ttl: 0 },
    { key: DEPS[0]!, value: 'row-1', ttl: 0 },
    { key: DEPS[1]!, value: 'members-1', ttl: 0 },
  ]);
  const entry = newPageEntry(
    { status: 200, headers: [], etag: 'W/"x"', ttl: 0, varied: [] },
    body.digest,
    body.bytes.length,
    ['path-1', 'global-1'],
    { keys: DEPS, epochs: ['row-1', 'members-1'] },
  );
  await parts.writer.save(key, { entry, body });
  return parts;
}

const backends: Array<[string, () => PageBackend]> = [
  ['memory', () => new MemoryBackend(100)],
  ['a cache-manager store', () => new CacheManagerBackend(createCache())],
];

describe.each(backends)('dependency keys on %s', (_name, makeBackend) => {
  test('a hit while every key holds its epoch; a miss once one is renewed', async () => {
    const backend = makeBackend();
    const { reader } = await storedWithDependencies(backend);
    expect((await reader.read(key, NO_INPUTS))?.page).toBeDefined();
    expect((await reader.read(key, NO_INPUTS))?.page).toBeDefined();
    await backend.write([{ key: DEPS[1]!, value: 'members-2', ttl: 0 }]);
    expect((await reader.read(key, NO_INPUTS))?.page).toBeUndefined();
  });

  test('a missing key (evicted, expired) never validates the entry', async () => {
    const backend = makeBackend();
    const { reader } = await storedWithDependencies(backend);
    await backend.remove([DEPS[0]!]);
    expect((await reader.read(key, NO_INPUTS))?.page).toBeUndefined();
  });

  test('a key whose invalidation is held makes the entry unservable', async () => {
    const backend = makeBackend();
    const { reader } = await storedWithDependencies(backend, (k) => k === DEPS[0]);
    expect((await reader.read(key, NO_INPUTS))?.page).toBeUndefined();
  });

  test('once the reader knows an entry’s keys, a hit reads them with the entry in one multi-get', async () => {
    const backend = makeBackend();
    const { reader } = await storedWithDependencies(backend);
    const reads: string[][] = [];
    const read = backend.read.bind(backend);
    backend.read = (keys) => {
      reads.push([...keys]);
      return read(keys);
    };
    await reader.read(key, NO_INPUTS);
    await reader.read(key, NO_INPUTS);
    expect(reads.at(-1)).toEqual([key.entry, key.epoch, 'p:epoch', ...DEPS]);
    expect(reads.length).toBe(3);
  });

  test('a render’s keys are stored only while its guard holds', async () => {
    const backend = makeBackend();
    const { writer } = over(backend);
    const guard = ['p:dep:Tag', 'p:dep:Post'];
    const started = await writer.beginDependencies(key, guard);
    expect(started?.size).toBe(2);
    const epochs = await writer.dependencyEpochs(key, DEPS, guard, started!);
    expect(epochs).toHaveLength(2);
    expect(await writer.dependencyEpochs(key, [], guard, started!)).toEqual([]);
    // A write to Post committed mid-render renewed its class key: the keys' epochs may be the new ones.
    await backend.write([{ key: 'p:dep:Post', value: 'renewed', ttl: 0 }]);
    expect(await writer.dependencyEpochs(key, DEPS, guard, started!)).toBeUndefined();
    expect(await writer.dependencyEpochs(key, DEPS, ['p:dep:Tag'], started!)).toHaveLength(2);
  });
});
