import { afterEach, describe, expect, test } from '@jest/globals';
import { createCache } from 'cache-manager';
import { CacheManagerBackend } from '../../../lib/store/backends/cache-manager-backend.js';
import { MemoryBackend } from '../../../lib/store/backends/memory-backend.js';
import { LeaseBook } from '../../../lib/store/lease-book.js';
import { MAX_INVALIDATION_KEYS, PageInvalidator } from '../../../lib/store/page-invalidator.js';
import { FlakyCache } from '../../support/flaky-cache.js';
import { keyOf, storeContext } from '../../support/store-context.js';

/* Invalidation: paths → epoch keys, renewed at once, or held and retried. */
const disposers: Array<() => void> = [];
afterEach(() => disposers.splice(0).forEach((dispose) => dispose()));

function invalidatorOver(backend: MemoryBackend | CacheManagerBackend, available = { available: true }) {
  const context = storeContext(backend);
  const invalidator = new PageInvalidator(context, new LeaseBook(), available);
  disposers.push(() => invalidator.dispose());
  return { context, invalidator };
}

describe('PageInvalidator', () => {
  test('a path gives its epoch key once, however often it is named', () => {
    const { invalidator } = invalidatorOver(new MemoryBackend(100));
    expect(invalidator.epochKeysOf(['/posts', '/posts/', '/posts'])).toEqual([keyOf('/posts').epoch]);
  });

  test('a value that is not a list of paths is refused, naming the module', () => {
    const { invalidator } = invalidatorOver(new MemoryBackend(100));
    expect(() => invalidator.epochKeysOf(42 as never)).toThrow(/CachePageModule/);
  });

  test(`more than ${MAX_INVALIDATION_KEYS} keys on a shared store renew the global epoch instead`, () => {
    const paths = Array.from({ length: MAX_INVALIDATION_KEYS + 1 }, (_, i) => `/p/${i}`);
    const shared = invalidatorOver(new CacheManagerBackend(createCache()));
    expect(shared.invalidator.epochKeysOf(paths)).toEqual([shared.context.globalKey]);
    const memory = invalidatorOver(new MemoryBackend(100));
    expect(memory.invalidator.epochKeysOf(paths)).toHaveLength(MAX_INVALIDATION_KEYS + 1);
  });

  test('a renewal writes a new token to each epoch that exists', async () => {
    const backend = new MemoryBackend(100);
    const { invalidator } = invalidatorOver(backend);
    const epoch = keyOf('/posts').epoch;
    backend.write([{ key: epoch, value: 'old', ttl: 0 }]);
    await invalidator.renewOrHold([epoch]);
    expect(backend.read([epoch])[0]).not.toBe('old');
    expect(invalidator.blocks(epoch)).toBe(false);
  });

  test('a renewal the store refuses is held, blocks its pages, and lands on a retry', async () => {
    const flaky = new FlakyCache(createCache());
    const backend = new CacheManagerBackend(flaky.cache);
    const { invalidator } = invalidatorOver(backend);
    const epoch = keyOf('/posts').epoch;
    await backend.write([{ key: epoch, value: 'old', ttl: 0 }]);
    flaky.down = true;
    await invalidator.renewOrHold([epoch]);
    expect(invalidator.blocks(epoch)).toBe(true);
    expect(invalidator.held).toBe(1);
    flaky.down = false;
    invalidator.retryNow();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(invalidator.blocks(epoch)).toBe(false);
    expect((await backend.read([epoch]))[0]).not.toBe('old');
  });
});
