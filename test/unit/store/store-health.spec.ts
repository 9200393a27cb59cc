import { afterEach, describe, expect, test } from '@jest/globals';
import { createCache } from 'cache-manager';
import { CacheManagerBackend } from '../../../lib/store/backends/cache-manager-backend.js';
import { MemoryBackend } from '../../../lib/store/backends/memory-backend.js';
import type { StoreServer } from '../../../lib/store/backends/page-backend.js';
import { StoreHealth } from '../../../lib/store/store-health.js';
import { ThrottledLogger } from '../../../lib/utils/throttled-logger.js';
import { FlakyCache } from '../../support/flaky-cache.js';

/* Whether a backend's answers can be trusted: the guard, the grace after an outage, the run check. */
const settings = { keyPrefix: 'p:', storeTimeoutMs: 200 };
const disposers: Array<() => void> = [];
afterEach(() => disposers.splice(0).forEach((dispose) => dispose()));

function healthOver(backend: MemoryBackend | CacheManagerBackend) {
  const events = { held: 0, recovered: 0, restored: 0 };
  const health = new StoreHealth(backend, settings, 'p:epoch', new ThrottledLogger(), {
    held: () => events.held,
    recovered: () => void (events.recovered += 1),
    restored: async () => {
      events.restored += 1;
      return true;
    },
  });
  disposers.push(() => health.dispose());
  return { health, events };
}

const until = async (condition: () => boolean, ms: number) => {
  for (const end = Date.now() + ms; !condition() && Date.now() < end;) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

describe('StoreHealth', () => {
  test('a memory backend is always trusted and is called as it is', () => {
    const backend = new MemoryBackend(10);
    const { health } = healthOver(backend);
    expect(health.backend).toBe(backend);
    expect(health.trusted).toBe(true);
    expect(health.available).toBe(true);
  });

  test('a shared store that fails is not trusted; when it answers again, held work is retried after a grace', async () => {
    const flaky = new FlakyCache(createCache());
    const { health, events } = healthOver(new CacheManagerBackend(flaky.cache));
    expect(health.trusted).toBe(true);
    flaky.down = true;
    for (let i = 0; i < 3; i++) await Promise.resolve(health.backend.read(['k'])).catch(() => undefined);
    expect(health.available).toBe(false);
    expect(health.trusted).toBe(false);
    flaky.down = false;
    await until(() => events.recovered > 0, 3_000);
    expect(events.recovered).toBe(1);
    expect(health.available).toBe(true);
    // The grace: other processes' held invalidations land before any stored page is served
    // again; the store is used meanwhile (misses, rendered and stored).
    expect(health.trusted).toBe(true);
    expect(health.calm).toBe(false);
    await until(() => health.calm, 3_000);
    expect(health.calm).toBe(true);
  });

  test('data written under another server run makes every page unservable once, then is trusted', async () => {
    let runId = 'run-1';
    const server: StoreServer = { runId: async () => runId, onConnection: () => () => undefined };
    const backend = Object.assign(new CacheManagerBackend(createCache()), { server });
    const { health, events } = healthOver(backend);
    await health.ready();
    expect(health.trusted).toBe(true);
    expect(events.restored).toBe(1);
    await backend.write([{ key: 'p:server', value: 'run-0', ttl: 0 }]);
    runId = 'run-2';
    await until(() => events.restored === 2, 3_000);
    expect(events.restored).toBe(2);
  });
});
