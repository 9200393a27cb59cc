import { describe, expect, test } from '@jest/globals';
import { parseRetryAfter } from '../../../lib/edge/purgers/retry-after.js';

describe('parseRetryAfter', () => {
  const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');

  test.each([
    ['120', 120_000],
    ['0', 0],
    [' 5 ', 5_000],
    ['Wed, 21 Oct 2015 07:28:30 GMT', 30_000],
    ['Wednesday, 21-Oct-15 07:29:00 GMT', 60_000],
    ['Wed Oct 21 07:28:10 2015 GMT', 10_000],
    ['Wed, 21 Oct 2015 07:00:00 GMT', 0],
  ])('%j waits %d ms', (value, ms) => {
    expect(parseRetryAfter(value, now)).toBe(ms);
  });

  test.each([[null], [undefined], [''], ['-5'], ['1.5'], ['soon'], ['Wed, 99 Foo 2015']])(
    '%j says nothing usable',
    (value) => {
      expect(parseRetryAfter(value, now)).toBeUndefined();
    },
  );
});
