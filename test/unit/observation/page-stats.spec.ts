import { describe, expect, test } from '@jest/globals';
import { InvalidationEvents } from '../../../lib/observation/invalidation-events.js';
import { PageStats } from '../../../lib/observation/page-stats.js';

describe('page stats', () => {
  test('routes are counted under their pattern, and the snapshot is a copy', () => {
    const stats = new PageStats(new InvalidationEvents());
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
          bypasses: { credentials: 1 },
          notStored: { personal: 1 },
        },
        '(unknown route)': { hits: 1, misses: 0, stored: 0, bypasses: {}, notStored: {} },
      },
      entities: {},
      store: { errors: 1, down: false, heldInvalidations: 0 },
    });
  });

  test('an invalidation counts once per entity, and every-page records by cause', () => {
    const events = new InvalidationEvents();
    const stats = new PageStats(events);
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
});
