import { describe, expect, test } from '@jest/globals';
import { EdgePurgeError } from '../../../lib/edge/edge-purger.js';
import { BatchFailure, purgeInBatches, splitKeys } from '../../../lib/edge/purgers/batched-purge.js';

const keys = (count: number) => Array.from({ length: count }, (_, index) => `k${index}`);

async function failure(purge: Promise<void>): Promise<EdgePurgeError> {
  const error = await purge.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(EdgePurgeError);
  return error as EdgePurgeError;
}

describe('splitKeys', () => {
  test('slices of at most the size, each key once, in first order', () => {
    expect(splitKeys(['a', 'b', 'a', 'c', 'd', 'b', 'e'], 2)).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    expect(splitKeys([], 100)).toEqual([]);
    expect(splitKeys(keys(600), 256).map((batch) => batch.length)).toEqual([256, 256, 88]);
  });
});

describe('purgeInBatches', () => {
  const base = { name: 'Test edge', maxKeysPerRequest: 2, signal: new AbortController().signal };

  test('sends every batch and resolves', async () => {
    const sent: string[][] = [];
    await purgeInBatches(keys(5), {
      ...base,
      concurrency: 1,
      send: async (batch) => void sent.push([...batch]),
    });
    expect(sent).toEqual([['k0', 'k1'], ['k2', 'k3'], ['k4']]);
  });

  test('sequential: the first failure stops it; the failed and unsent keys remain', async () => {
    const sent: string[][] = [];
    const error = await failure(
      purgeInBatches(keys(7), {
        ...base,
        concurrency: 1,
        send: async (batch) => {
          sent.push([...batch]);
          if (batch.includes('k2')) throw new BatchFailure('HTTP 429.', batch, 3_000);
        },
      }),
    );
    expect(sent).toHaveLength(2);
    expect(error.remaining).toEqual(['k2', 'k3', 'k4', 'k5', 'k6']);
    expect(error.retryAfterMs).toBe(3_000);
    expect(error.message).toBe(
      'CachePageModule: purging 7 surrogate key(s) at Test edge failed: HTTP 429. 5 of 7 key(s) are not purged yet (2 were).',
    );
  });

  test('concurrent: requests under way finish; only unacknowledged keys remain; the longest Retry-After wins', async () => {
    const error = await failure(
      purgeInBatches(keys(6), {
        ...base,
        concurrency: 3,
        send: async (batch) => {
          await new Promise((resolve) => setTimeout(resolve, 5));
          if (batch.includes('k0')) throw new BatchFailure('first.', batch, 1_000);
          if (batch.includes('k4')) throw new BatchFailure('third.', [batch[1]!], 9_000);
        },
      }),
    );
    expect(error.remaining).toEqual(['k0', 'k1', 'k5']);
    expect(error.retryAfterMs).toBe(9_000);
    expect(error.message).toContain('failed: first.');
  });

  test('an unexpected error fails its batch', async () => {
    const error = await failure(
      purgeInBatches(keys(2), {
        ...base,
        concurrency: 1,
        send: async () => {
          throw new Error('boom');
        },
      }),
    );
    expect(error.remaining).toEqual(['k0', 'k1']);
    expect(error.message).toContain('an unexpected error (Error: boom)');
  });

  test('an aborted signal: nothing more is sent, every unsent key remains', async () => {
    const controller = new AbortController();
    const sent: string[][] = [];
    const error = await failure(
      purgeInBatches(keys(6), {
        ...base,
        signal: controller.signal,
        concurrency: 1,
        send: async (batch) => {
          sent.push([...batch]);
          controller.abort();
        },
      }),
    );
    expect(sent).toEqual([['k0', 'k1']]);
    expect(error.remaining).toEqual(['k2', 'k3', 'k4', 'k5']);
    expect(error.message).toContain('aborted');
    expect(error.retryAfterMs).toBeUndefined();
  });

  test('no keys: nothing is sent, even with an aborted signal', async () => {
    const controller = new AbortController();
    controller.abort();
    await purgeInBatches([], {
      ...base,
      signal: controller.signal,
      concurrency: 1,
      send: async () => {
        throw new Error('not sent');
      },
    });
  });
});
