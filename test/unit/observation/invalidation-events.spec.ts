import { describe, expect, test } from '@jest/globals';
import { InvalidationEvents } from '../../../lib/observation/invalidation-events.js';
import { invalidationEvent, type InvalidationEvent } from '../../../lib/observation/invalidation-record.js';

describe('invalidation events', () => {
  test("an event's paths are the records' paths folded as the cache compares them, sorted, once each", () => {
    const event = invalidationEvent([
      { trigger: 'update', entity: 'Post', id: 1, paths: ['/Posts/Hello/', '/feed.xml'] },
      { trigger: 'manual', paths: ['https://blog.example/feed.xml', '/'] },
    ]);
    expect(event.paths).toEqual(['/', '/feed.xml', '/posts/hello']);
    expect(event.all).toBe(false);
    expect(event.records).toHaveLength(2);
  });

  test('a record of every page makes the event cover every page', () => {
    expect(invalidationEvent([{ trigger: 'delete', entity: 'Tag', paths: 'all', reason: 'x' }]).all).toBe(
      true,
    );
  });

  test('listeners get each event until they unsubscribe; one that throws does not stop the others', () => {
    const events = new InvalidationEvents();
    const seen: InvalidationEvent[] = [];
    events.subscribe(() => {
      throw new Error('listener bug');
    });
    const unsubscribe = events.subscribe((event) => seen.push(event));
    events.emit([{ trigger: 'manual', paths: ['/a'] }]);
    unsubscribe();
    events.emit([{ trigger: 'manual', paths: ['/b'] }]);
    expect(seen.map((event) => event.paths)).toEqual([['/a']]);
  });
});
