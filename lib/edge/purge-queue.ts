import {
  edgePurgeRetryMessage,
  edgePurgeGaveUpMessage,
  edgePurgeRecoveredMessage,
} from '../cache-page.messages.js';
import type { ThrottledLogger } from '../utils/throttled-logger.js';
import { EdgePurgeError, type EdgePurger } from './edge-purger.js';

/** How one edge's purges are sent. */
export interface PurgeQueueSettings {
  /** Every key is purged again this long after its first purge was acknowledged, ms (`0`: never). */
  readonly repurgeAfterMs: number;
  /** One attempt's deadline, ms. */
  readonly attemptTimeoutMs: number;
  /** A key not acknowledged for this long is replaced by `everyPageKey`, ms. */
  readonly giveUpAfterMs: number;
  /** The surrogate key every edge-cacheable page carries (the global epoch's). */
  readonly everyPageKey: string;
  readonly firstRetryMs: number;
  readonly maxRetryMs: number;
}

interface QueuedKey {
  /** When it was first queued (for giving up). */
  readonly since: number;
  /** Sent again after its first acknowledgement: no further repurge. */
  readonly repurge: boolean;
}

/**
 * The purges of one edge: keys queued from every invalidation are sent together (one attempt in
 * flight at a time, which also keeps a CDN's rate limit), the keys an attempt did not get
 * acknowledged are retried with backoff (or after the edge's `Retry-After`), and every key is
 * purged once more `repurgeAfterMs` after it was. A key that still fails after `giveUpAfterMs`
 * is replaced by the key of every page. Nothing here throws: failures are logged, throttled.
 */
export class PurgeQueue {
  private readonly queued = new Map<string, QueuedKey>();
  private readonly waiters = new Map<string, Array<() => void>>();
  private sending = false;
  private timer: NodeJS.Timeout | undefined;
  private retryMs: number;
  private failing = false;
  private disposed = false;

  constructor(
    private readonly purger: EdgePurger,
    private readonly settings: PurgeQueueSettings,
    private readonly log: ThrottledLogger,
  ) {
    this.retryMs = settings.firstRetryMs;
  }

  /** Queues keys for a purge; resolves once the edge acknowledged each of them. */
  purge(keys: readonly string[]): Promise<void> {
    const acknowledged = this.whenAcknowledged(keys);
    this.add(keys, false);
    return acknowledged;
  }

  /** Resolves once the edge acknowledged each of `keys` in some later purge (queued or to come). */
  whenAcknowledged(keys: readonly string[]): Promise<void> {
    return Promise.all(
      keys.map(
        (key) =>
          new Promise<void>((resolve) => {
            const list = this.waiters.get(key);
            if (list) list.push(resolve);
            else this.waiters.set(key, [resolve]);
          }),
      ),
    ).then(() => undefined);
  }

  /** Stops retries and repurges; waiters are released. */
  dispose(): void {
    this.disposed = true;
    clearTimeout(this.timer);
    this.queued.clear();
    for (const list of this.waiters.values()) for (const resolve of list) resolve();
    this.waiters.clear();
  }

  private add(keys: readonly string[], repurge: boolean): void {
    if (this.disposed) return;
    const now = Date.now();
    for (const key of keys) {
      const known = this.queued.get(key);
      if (!known || (known.repurge && !repurge))
        this.queued.set(key, { since: known?.since ?? now, repurge });
    }
    if (!this.failing) this.schedule(0);
  }

  private schedule(delayMs: number): void {
    if (this.timer || this.sending || this.disposed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.send();
    }, delayMs);
    this.timer.unref();
  }

  private async send(): Promise<void> {
    if (this.sending || this.queued.size === 0) return;
    const batch = new Map(this.queued);
    this.queued.clear();
    // Only purges sent from now on answer the waiters so far: one already in flight may have
    // been sent before the invalidation they wait for.
    const waiting = new Map<string, Array<() => void>>();
    for (const key of batch.keys()) {
      const list = this.waiters.get(key);
      if (list) waiting.set(key, list);
      this.waiters.delete(key);
    }
    this.sending = true;
    let remaining: readonly string[] = [];
    let error: unknown;
    try {
      await this.purger.purge([...batch.keys()], {
        soft: false,
        signal: AbortSignal.timeout(this.settings.attemptTimeoutMs),
      });
    } catch (failure) {
      error = failure;
      remaining = failure instanceof EdgePurgeError ? failure.remaining : [...batch.keys()];
    } finally {
      this.sending = false;
    }
    const unacknowledged = new Set(remaining.filter((key) => batch.has(key)));
    const repurges: string[] = [];
    for (const [key, queued] of batch) {
      if (unacknowledged.has(key)) {
        this.addWaiters(key, waiting.get(key));
        continue;
      }
      for (const resolve of waiting.get(key) ?? []) resolve();
      if (!queued.repurge) repurges.push(key);
    }
    this.scheduleRepurge(repurges);
    if (error === undefined) return this.succeeded();
    this.failed(batch, unacknowledged, error);
  }

  private succeeded(): void {
    if (this.failing) this.log.log(edgePurgeRecoveredMessage(this.purger.name));
    this.failing = false;
    this.retryMs = this.settings.firstRetryMs;
    if (this.queued.size > 0) this.schedule(0);
  }

  private failed(
    batch: ReadonlyMap<string, QueuedKey>,
    unacknowledged: ReadonlySet<string>,
    error: unknown,
  ): void {
    const now = Date.now();
    let gaveUp = 0;
    for (const key of unacknowledged) {
      const queued = batch.get(key) ?? { since: now, repurge: false };
      if (now - queued.since >= this.settings.giveUpAfterMs && key !== this.settings.everyPageKey) {
        gaveUp += 1;
        // The waiters of a key given up on are released by the purge of every page.
        this.moveWaiters(key, this.settings.everyPageKey);
        continue;
      }
      const known = this.queued.get(key);
      this.queued.set(key, {
        since: Math.min(queued.since, known?.since ?? now),
        repurge: queued.repurge && (known?.repurge ?? true),
      });
    }
    if (gaveUp > 0) {
      this.log.warn(edgePurgeGaveUpMessage(this.purger.name, gaveUp, this.settings.giveUpAfterMs));
      this.queued.set(this.settings.everyPageKey, { since: now, repurge: false });
    }
    const wait =
      error instanceof EdgePurgeError && error.retryAfterMs !== undefined
        ? Math.max(error.retryAfterMs, this.settings.firstRetryMs)
        : this.retryMs;
    this.failing = true;
    this.retryMs = Math.min(this.retryMs * 2, this.settings.maxRetryMs);
    this.log.error(
      `edge:${this.purger.name}`,
      (suppressed) => edgePurgeRetryMessage(this.purger.name, this.queued.size, wait, suppressed),
      error,
    );
    this.schedule(jitter(wait));
  }

  private addWaiters(key: string, list: ReadonlyArray<() => void> | undefined): void {
    if (!list || list.length === 0) return;
    this.waiters.set(key, [...(this.waiters.get(key) ?? []), ...list]);
  }

  private moveWaiters(from: string, to: string): void {
    const list = this.waiters.get(from);
    this.waiters.delete(from);
    this.addWaiters(to, list);
  }

  private scheduleRepurge(keys: readonly string[]): void {
    if (keys.length === 0 || this.settings.repurgeAfterMs === 0 || this.disposed) return;
    setTimeout(() => this.add(keys, true), this.settings.repurgeAfterMs).unref();
  }
}

/** ±20 %, so that instances retrying one edge do not all call it in the same instant. */
const jitter = (ms: number): number => Math.round(ms * (0.8 + Math.random() * 0.4));
