import { edgePurgeSlowMessage } from '../cache-page.messages.js';
import type { ResolvedEdgeOptions } from '../options/edge-options.js';
import type { InvalidationFollower, PageStore } from '../store/page-store.js';
import { surrogateKeyOf } from '../store/surrogate-keys.js';
import { ThrottledLogger } from '../utils/throttled-logger.js';
import { PurgeQueue } from './purge-queue.js';

/** How often each instance looks for intents of writers that died, ms. */
const SWEEP_EVERY_MS = 1_000;

/**
 * Edge caches kept in step with the store. Each invalidation's epoch keys become surrogate keys:
 * recorded as an intent before the commit (where the store keeps intents), purged at every edge
 * once the store renewed them (never before, or the edge could fetch the old page again), and
 * the intent cleared once every edge acknowledged. An intent left by a writer that died is sent by
 * whichever instance claims it first. `waitForPurge` makes the invalidation wait for the first
 * purge, up to `purgeTimeout`.
 */
export class EdgePurges implements InvalidationFollower {
  private readonly queues: PurgeQueue[];
  private readonly log = new ThrottledLogger();
  private readonly everyPageKey: string;
  private sweeper: NodeJS.Timeout | undefined;
  private sweeping = false;

  constructor(
    private readonly options: ResolvedEdgeOptions,
    private readonly store: PageStore,
  ) {
    this.everyPageKey = surrogateKeyOf(store.globalKey);
    this.queues = options.purgers.map(
      (purger) =>
        new PurgeQueue(
          purger,
          {
            repurgeAfterMs: options.repurgeAfter,
            attemptTimeoutMs: 10_000,
            giveUpAfterMs: 60 * 60_000,
            everyPageKey: this.everyPageKey,
            firstRetryMs: 250,
            maxRetryMs: 30_000,
          },
          this.log,
        ),
    );
  }

  /**
   * Starts following the store. A process whose store is its own memory purges every page once:
   * the intents of its previous run, if it died before sending them, died with it.
   */
  start(): void {
    this.store.follow(this);
    if (!this.store.shared) void this.purge([this.everyPageKey]);
    if (this.store.purgeIntents) {
      this.sweeper = setInterval(() => void this.sweep(), SWEEP_EVERY_MS);
      this.sweeper.unref();
    }
  }

  async intend(epochKeys: readonly string[]): Promise<void> {
    const intents = this.store.purgeIntents;
    if (!intents) return;
    const keys = epochKeys.map(surrogateKeyOf);
    const acknowledged = Promise.all(this.queues.map((queue) => queue.whenAcknowledged(keys)));
    const id = await intents.record(keys);
    if (id !== undefined) void acknowledged.then(() => intents.clear([id]));
  }

  renewed(epochKeys: readonly string[]): Promise<void> {
    const purged = this.purge(epochKeys.map(surrogateKeyOf));
    if (!this.options.waitForPurge) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.log.warnEvery('edge:slow', (suppressed) =>
          edgePurgeSlowMessage(this.options.purgeTimeout, suppressed),
        );
        resolve();
      }, this.options.purgeTimeout);
      timer.unref();
      void purged.then(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Purges surrogate keys at every edge; resolves once each acknowledged them. */
  purge(keys: readonly string[]): Promise<void> {
    return Promise.all(this.queues.map((queue) => queue.purge(keys))).then(() => undefined);
  }

  /** Stops the sweeper, retries and repurges. */
  dispose(): void {
    clearInterval(this.sweeper);
    for (const queue of this.queues) queue.dispose();
  }

  private async sweep(): Promise<void> {
    const intents = this.store.purgeIntents;
    if (!intents || this.sweeping) return;
    this.sweeping = true;
    try {
      for (const intent of await intents.claim()) {
        void this.purge(intent.keys).then(() => intents.clear([intent.id]));
      }
    } finally {
      this.sweeping = false;
    }
  }
}
