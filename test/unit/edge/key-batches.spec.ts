import { describe, expect, test } from '@jest/globals';
import { keyBatches } from '../../../lib/edge/key-batches.js';

describe('keyBatches', () => {
  test('keeps every key, in order, in runs whose joined length fits the limit', () => {
    const keys = Array.from({ length: 2_000 }, (_, index) => index.toString(16).padStart(24, '0'));
    const batches = keyBatches(keys, 7_168, ' ');
    expect(batches.flat()).toEqual(keys);
    for (const batch of batches) expect(batch.join(' ').length).toBeLessThanOrEqual(7_168);
    // Full runs: 286 keys of 24 bytes and 285 spaces make 7,149 bytes; one more key would not fit.
    expect(batches.map((batch) => batch.length)).toEqual([286, 286, 286, 286, 286, 286, 284]);
  });

  test('fills a run up to the exact limit, counting the separator', () => {
    expect(keyBatches(['aa', 'bb', 'cc'], 5, ' ')).toEqual([['aa', 'bb'], ['cc']]);
    expect(keyBatches(['aa', 'bb', 'cc'], 4, ' ')).toEqual([['aa'], ['bb'], ['cc']]);
    expect(keyBatches(['aa', 'bb', 'cc'], 8, ', ')).toEqual([['aa', 'bb'], ['cc']]);
  });

  test('gives a key longer than the limit a run of its own, and nothing for no keys', () => {
    expect(keyBatches(['a', 'toolong', 'b'], 3, ' ')).toEqual([['a'], ['toolong'], ['b']]);
    expect(keyBatches([], 10, ' ')).toEqual([]);
  });
});
