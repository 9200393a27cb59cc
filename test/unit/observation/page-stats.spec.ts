import { describe, expect, test } from '@jest/globals';
import { InvalidationEvents } from '../../../lib/observation/invalidation-events.js';
import { PageStats } from '../../../lib/observation/page-stats.js';
import { MemoryBackend } from '../../../lib/store/backends/memory-backend.js';
import { PageStore } from '../../../lib/store/page-store.js';
import { PathMapping } from '../../../lib/store/path-mapping.js';

const storeOf = () =>
  new PageStore(new MemoryBackend(100), {
    keyPrefix: 'p:',
    storeTimeoutMs: 200,
    reclaimAfterMs: 60_000,
    maxBodyBytes: 1 << 20,
    paths: new PathMapping(),
  });

describe('page stats', () => {
  test('routes are counted under their pattern, and the snapshot is a copy', () => {
    const stats = new PageStats(new InvalidationEvents(), storeOf());
    stats.route('/posts/:slug').hits += 2;
    stats.route('/posts/:slug').bypass('credentials');
    stats.route('/posts/:slug').notStore('personal');
    stats.route(undefined).hits += 1;
    const snapshot = stats.snapshot({ errors: 1, down: false, heldInvalidations: 0 });
    stats.route('/posts/:slug').hits += 1;
    expect(snapshot).toEqual({
      routes: {
        'GET /posts/:slug': {
          hits: 2,
          misses: 0,
          stored: 0,
          stale: 0,
          warmed: 0,
          invalidations: 0,
          bypasses: { credentials: 1 },
          notStored: { personal: 1 },
        },
        '(unknown route)': {
          hits: 1,
          misses: 0,
          stored: 0,
          stale: 0,
          warmed: 0,
          invalidations: 0,
          bypasses: {},
          notStored: {},
        },
      },
      entities: {},
      store: { errors: 1, down: false, heldInvalidations: 0 },
    });
  });

  test('an invalidation counts once per entity, and every-page records by cause', () => {
    const events = new InvalidationEvents();
    const stats = new PageStats(events, storeOf());
    events.emit([
      { trigger: 'update', entity: 'Post', id: 1, paths: ['/a'] },
      { trigger: 'update', entity: 'Post', id: 2, paths: ['/b'] },
      { trigger: 'delete', entity: 'Tag', id: 3, paths: 'all', reason: 'x', cause: 'unloaded-read' },
    ]);
    events.emit([{ trigger: 'manual', paths: ['/c'] }]);
    expect(stats.snapshot({ errors: 0, down: false, heldInvalidations: 0 }).entities).toEqual({
      Post: { invalidations: 1, everyPage: {} },
      Tag: { invalidations: 1, everyPage: { 'unloaded-read': 1 } },
    });
  });

  test("invalidations of a route's stored pages count against the route, by their epoch keys", async () => {
    const store = storeOf();
    const stats = new PageStats(new InvalidationEvents(), store);
    stats.route('/posts/:slug').storedPage('p:epoch:/posts/a');
    stats.route('/posts/:slug').storedPage('p:epoch:/posts/b');
    store.onRenewed(() => undefined);
    await store.invalidate(['/posts/a', '/posts/b', '/other']);
    await store.invalidate(['/posts/a']);
    const route = stats.snapshot({ errors: 0, down: false, heldInvalidations: 0 }).routes['GET /posts/:slug'];
    expect(route).toMatchObject({ stored: 2, invalidations: 3 });
  });
});
