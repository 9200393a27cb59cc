import { describe, expect, test } from '@jest/globals';
import { changedSince, renewedEpochToken } from '../../../lib/store/epoch-token.js';

describe('epoch tokens record the one change after a page’s epoch (grace)', () => {
  test('a renewal records the token it replaced and when; a page under that token is one change behind', () => {
    const renewed = renewedEpochToken('fresh', 'old', 1_000);
    expect(renewed).toBe(`fresh.old.${(1_000).toString(36)}`);
    expect(changedSince('old', renewed)).toBe(1_000);
  });

  test('two changes: the page under the first token is not one change behind the third', () => {
    const second = renewedEpochToken('second', 'first', 1_000);
    const third = renewedEpochToken('third', second, 2_000);
    expect(changedSince('first', third)).toBeUndefined();
    expect(changedSince(second, third)).toBe(2_000); // the page stored under the second
  });

  test('a lease’s record is kept when it settles: the change began at the lease', () => {
    const lease = `~${renewedEpochToken('leased', 'old', 1_000)}:writer-a,writer-b`;
    const settled = renewedEpochToken('settled', lease, 5_000);
    expect(changedSince('old', settled)).toBe(1_000);
  });

  test('without a time (a restored store) or without a previous token, nothing is recorded', () => {
    expect(renewedEpochToken('fresh', 'old', undefined)).toBe('fresh');
    expect(renewedEpochToken('fresh', undefined, 1_000)).toBe('fresh');
    expect(changedSince('old', 'fresh')).toBeUndefined();
    expect(changedSince('old', 'old')).toBeUndefined();
  });
});
