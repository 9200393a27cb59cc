import { describe, expect, test } from '@jest/globals';
import { MemoryBackend } from '../../../lib/store/backends/memory-backend.js';
import type { EpochLeases } from '../../../lib/store/backends/page-backend.js';
import { CommitLeases } from '../../../lib/store/commit-leases.js';
import { LeaseBook } from '../../../lib/store/lease-book.js';
import { PageInvalidator } from '../../../lib/store/page-invalidator.js';
import { keyOf, storeContext } from '../../support/store-context.js';

/* Leases before a commit, settled (the pages invalidated) after it. */
const epoch = keyOf('/posts').epoch;

/** The memory backend with the lease calls a shared store answers, recorded. */
class RecordedLeases implements EpochLeases {
  readonly calls: string[] = [];
  failing = false;
  async lease(keys: readonly string[], writer: string): Promise<void> {
    this.calls.push(`lease ${keys.join(',')} by ${writer}`);
    if (this.failing) throw new Error('store unreachable');
  }
  async heal(keys: readonly string[]): Promise<readonly unknown[]> {
    return keys.map(() => undefined);
  }
  heartbeat(_writer: string, beating: boolean): void {
    this.calls.push(`heartbeat ${beating}`);
  }
}

function leasesOver(leases?: RecordedLeases) {
  const backend = Object.assign(new MemoryBackend(100), { leases });
  const context = storeContext(backend);
  const book = new LeaseBook();
  const invalidator = new PageInvalidator(context, book, { available: true });
  backend.write([{ key: epoch, value: 'old', ttl: 0 }]);
  return { backend, context, book, commitLeases: new CommitLeases(context, book, invalidator) };
}

describe('CommitLeases', () => {
  test('without leases in the store, settling invalidates the pages', async () => {
    const { backend, commitLeases } = leasesOver();
    const lease = await commitLeases.lease(['/posts']);
    expect(backend.read([epoch])).toEqual(['old']);
    await lease.settle();
    expect(backend.read([epoch])[0]).not.toBe('old');
  });

  test('a lease names this process in the store and keeps it alive until settled, once', async () => {
    const recorded = new RecordedLeases();
    const { context, book, commitLeases } = leasesOver(recorded);
    const lease = await commitLeases.lease(['/posts']);
    expect(recorded.calls).toEqual(['heartbeat true', `lease ${epoch} by ${context.writer}`]);
    expect(book.stillHeld).toEqual(new Set([epoch]));
    await lease.settle();
    await lease.settle();
    expect(book.stillHeld.size).toBe(0);
    expect(book.isNamed).toBe(false);
    expect(recorded.calls.at(-1)).toBe('heartbeat false');
  });

  test("'all' leases the global epoch", async () => {
    const recorded = new RecordedLeases();
    const { context, commitLeases } = leasesOver(recorded);
    await commitLeases.lease('all');
    expect(recorded.calls).toContain(`lease ${context.globalKey} by ${context.writer}`);
  });

  test('a lease the store refuses is logged, and its settle still invalidates', async () => {
    const recorded = new RecordedLeases();
    recorded.failing = true;
    const { backend, commitLeases } = leasesOver(recorded);
    const lease = await commitLeases.lease(['/posts']);
    await lease.settle();
    expect(backend.read([epoch])[0]).not.toBe('old');
  });
});
