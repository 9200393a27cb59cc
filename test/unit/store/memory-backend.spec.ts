import { describe, expect, test } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { MemoryBackend } from '../../../lib/store/backends/memory-backend.js';

describe('the memory backend', () => {
  test('is bounded by entries: the least recently read or written key goes first', () => {
    const backend = new MemoryBackend(3);
    backend.write(['a', 'b', 'c'].map((key) => ({ key, value: key, ttl: 0 })));
    expect(backend.read(['a'])).toEqual(['a']);
    backend.write([{ key: 'd', value: 'd', ttl: 0 }]);
    expect(backend.read(['a', 'b', 'c', 'd'])).toEqual(['a', undefined, 'c', 'd']);
  });

  test('expires each key after its own ttl; 0 keeps it', async () => {
    const backend = new MemoryBackend(10);
    backend.write([
      { key: 'short', value: 1, ttl: 20 },
      { key: 'forever', value: 2, ttl: 0 },
    ]);
    expect(backend.read(['short', 'forever'])).toEqual([1, 2]);
    await sleep(60);
    expect(backend.read(['short', 'forever'])).toEqual([undefined, 2]);
  });

  test('renewing epochs replaces the existing ones only, keeping their place in the bound', () => {
    const backend = new MemoryBackend(2);
    const [older] = backend.createEpochs([{ key: 'e1', token: 't1', ttl: 0 }]);
    backend.write([{ key: 'page', value: 'p', ttl: 0 }]);
    expect(backend.invalidateEpochs(['e1', 'missing'], 'w', 0, new Set(), true)).toBe(true);
    const [renewed, missing] = backend.read(['e1', 'missing']);
    expect(renewed).not.toBe(older);
    expect(missing).toBeUndefined();
    backend.write([{ key: 'other', value: 'o', ttl: 0 }]);
    // e1 was read last, so the page goes first.
    expect(backend.read(['page', 'e1', 'other'])).toEqual([undefined, renewed, 'o']);
  });
});
