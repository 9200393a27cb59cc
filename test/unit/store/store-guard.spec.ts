import { describe, expect, test } from '@jest/globals';
import { PendingInvalidations } from '../../../lib/store/pending-invalidations.js';
import { StoreGuard, StoreUnavailableError } from '../../../lib/store/store-guard.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const never = () => new Promise<never>(() => undefined);

function guardWith(probe: () => Promise<unknown>) {
  const events: string[] = [];
  const guard = new StoreGuard({ timeoutMs: 30, failuresToOpen: 3, probeIntervalMs: 20 }, probe, {
    opened: (reason) => events.push(`opened: ${reason}`),
    closed: () => events.push('closed'),
  });
  return { guard, events };
}

describe('the store guard', () => {
  test('a call that never settles is given up after the deadline', async () => {
    const { guard } = guardWith(async () => 'ok');
    const started = Date.now();
    await expect(guard.run(never)).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(Date.now() - started).toBeLessThan(500);
    guard.dispose();
  });

  test('three failures in a row open the circuit: calls then fail at once, until a probe answers', async () => {
    let storeUp = false;
    const { guard, events } = guardWith(async () => {
      if (!storeUp) throw new Error('down');
    });
    for (let i = 0; i < 3; i++) await expect(guard.run(never)).rejects.toThrow();
    expect(guard.available).toBe(false);
    expect(events[0]).toMatch(/^opened: 3 calls in a row failed or took over 30 ms/);
    const started = Date.now();
    await expect(guard.run(async () => 'never called')).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(Date.now() - started).toBeLessThan(10);
    storeUp = true;
    await sleep(80);
    expect(guard.available).toBe(true);
    expect(events).toContain('closed');
    await expect(guard.run(async () => 'answered')).resolves.toBe('answered');
    guard.dispose();
  });

  test('a success resets the count: failures must be consecutive', async () => {
    const { guard } = guardWith(async () => undefined);
    await expect(guard.run(never)).rejects.toThrow();
    await expect(guard.run(never)).rejects.toThrow();
    await guard.run(async () => 'fine');
    await expect(guard.run(never)).rejects.toThrow();
    expect(guard.available).toBe(true);
    guard.dispose();
  });

  test('a lost connection opens the circuit at once', () => {
    const { guard, events } = guardWith(never);
    guard.reportTrouble('the connection to the store was lost');
    expect(guard.available).toBe(false);
    expect(events).toEqual(['opened: the connection to the store was lost']);
    guard.dispose();
  });
});

describe('held invalidations', () => {
  function held(retry: (keys: string[]) => Promise<boolean>) {
    const log: string[] = [];
    const pending = new PendingInvalidations(
      { globalKey: 'g', maxKeys: 3, initialDelayMs: 10, maxDelayMs: 40 },
      {
        retry,
        failed: (count) => log.push(`failed ${count}`),
        recovered: (count) => log.push(`recovered ${count}`),
      },
    );
    return { pending, log };
  }

  test('block their pages until a retry succeeds; the global key blocks every page', async () => {
    let ok = false;
    const { pending, log } = held(async () => ok);
    pending.add(['a']);
    expect([pending.blocks('a'), pending.blocks('b')]).toEqual([true, false]);
    ok = true;
    await sleep(60);
    expect(pending.blocks('a')).toBe(false);
    expect(log).toContain('recovered 1');
    pending.add(['g']);
    expect(pending.blocks('anything')).toBe(true);
    pending.dispose();
  });

  test('are bounded: beyond maxKeys only the global key is kept', () => {
    const { pending } = held(async () => false);
    pending.add(['a', 'b', 'c', 'd']);
    expect(pending.size).toBe(1);
    expect(pending.blocks('z')).toBe(true);
    pending.dispose();
  });

  test('retryNow() retries at once, whatever the backoff', async () => {
    const retries: string[][] = [];
    const { pending } = held(async (keys) => (retries.push(keys), true));
    pending.add(['a'], false);
    pending.retryNow();
    await sleep(0);
    expect(retries).toEqual([['a']]);
    pending.dispose();
  });
});
