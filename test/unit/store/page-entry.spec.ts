import { describe, expect, test } from '@jest/globals';
import { isPageEntry, newPageEntry, type PageDraft } from '../../../lib/store/page-entry.js';

const draft: PageDraft = { status: 200, headers: [], etag: 'W/"5-x"', ttl: 0, varied: [] };

describe('page entries with fragments', () => {
  test('keep where each fragment goes, and validate when read back', () => {
    const entry = newPageEntry(
      {
        ...draft,
        fragments: [
          [0, 'greeting'],
          [5, 'csrf-token'],
        ],
      },
      'd',
      5,
      ['1', '1'],
    );
    expect(entry.p).toEqual([
      [0, 'greeting'],
      [5, 'csrf-token'],
    ]);
    expect(isPageEntry(JSON.parse(JSON.stringify(entry)))).toBe(true);
    expect(newPageEntry(draft, 'd', 5, ['1', '1']).p).toBeUndefined();
  });

  test('an entry whose slots a store mangled is a miss, never a broken page', () => {
    const entry = newPageEntry(draft, 'd', 5, ['1', '1']);
    for (const p of [
      [],
      [[6, 'a']],
      [
        [3, 'a'],
        [1, 'b'],
      ],
      [[0, 'two words']],
      [[-1, 'a']],
      [['0', 'a']],
      'x',
    ]) {
      expect(isPageEntry({ ...entry, p })).toBe(false);
    }
  });
});
