import { leaseFailedMessage } from '../cache-page.messages.js';
import type { LeaseBook } from './lease-book.js';
import type { PageInvalidator } from './page-invalidator.js';
import type { StoreContext } from './store-context.js';

/** A lease taken before a commit: settle it after the commit, or after a rollback. */
export interface PageLease {
  settle(): Promise<void>;
}

/**
 * Leases taken before a commit, on a store that has them (Redis): the epochs of the pages a
 * commit changes are marked as being changed by this process, so that if it dies before
 * settling, other processes serve none of those pages until it is known dead, and never an old
 * one. Settling invalidates them.
 */
export class CommitLeases {
  constructor(
    private readonly context: StoreContext,
    private readonly book: LeaseBook,
    private readonly invalidator: PageInvalidator,
  ) {}

  /** Leases these paths' epochs and dependency keys (`'all'`: every page's); resolves within the store deadline. */
  async lease(paths: Iterable<string> | 'all', dependencyKeys: Iterable<string> = []): Promise<PageLease> {
    const { backend, writer, globalKey, settings, log } = this.context;
    const keys = paths === 'all' ? [globalKey] : this.invalidator.epochKeysOf(paths, dependencyKeys);
    const leases = backend.leases;
    // Sent first. On one server, on the same connection, so a lease the store took implies the
    // intent; on a cluster, to another node in parallel. Either way the commit waits for both below.
    const intended = this.invalidator.intend(keys);
    if (!leases || keys.length === 0) {
      await intended;
      return { settle: () => this.invalidator.renewOrHold(keys) };
    }
    this.book.take(keys);
    leases.heartbeat(writer, true);
    try {
      await leases.lease(keys, writer, settings.reclaimAfterMs);
    } catch (error) {
      log.error('lease', () => leaseFailedMessage(keys.length), error);
    }
    await intended;
    let settled = false;
    return {
      settle: async () => {
        if (settled) return;
        settled = true;
        this.book.end(keys);
        await this.invalidator.renewOrHold(keys);
      },
    };
  }
}
