/** Settings of the retry queue. */
export interface PendingInvalidationSettings {
  readonly globalKey: string;
  /** Above this many keys, the queue keeps only the global epoch (every page). */
  readonly maxKeys: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
}

export interface PendingInvalidationEvents {
  /** Renews the keys; resolves `true` once that is certain. */
  retry(keys: string[]): Promise<boolean>;
  failed(count: number, retryInMs: number | undefined): void;
  recovered(count: number): void;
}

/**
 * Epoch keys whose renewal failed. While a key is here this process neither serves nor stores
 * the pages under it. The renewal is retried with a short backoff, and at once when the store
 * answers again (`retryNow`), so other instances see the invalidation promptly. Bounded: beyond
 * `maxKeys` it keeps the global epoch only, which covers every page.
 */
export class PendingInvalidations {
  private keys = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private delayMs: number;
  private running = false;

  constructor(
    private readonly settings: PendingInvalidationSettings,
    private readonly events: PendingInvalidationEvents,
  ) {
    this.delayMs = settings.initialDelayMs;
  }

  get size(): number {
    return this.keys.size;
  }

  /** Whether pages under this epoch key must bypass the cache for now. */
  blocks(epochKey: string): boolean {
    return this.keys.size > 0 && (this.keys.has(epochKey) || this.keys.has(this.settings.globalKey));
  }

  /** Queues keys; `retryScheduled: false` when the caller will call `retryNow()` itself. */
  add(epochKeys: readonly string[], retryScheduled = true): void {
    for (const key of epochKeys) this.keys.add(key);
    if (this.keys.size > this.settings.maxKeys) this.keys = new Set([this.settings.globalKey]);
    this.events.failed(this.keys.size, retryScheduled ? this.delayMs : undefined);
    if (retryScheduled) this.schedule();
  }

  /** Drops keys that a later successful renewal covered. */
  settle(epochKeys: readonly string[]): void {
    for (const key of epochKeys) this.keys.delete(key);
  }

  /** Retries everything queued now (the store answers again). */
  retryNow(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.delayMs = this.settings.initialDelayMs;
    void this.runRetry();
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.keys.clear();
  }

  private schedule(): void {
    if (this.timer || this.running) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.runRetry();
    }, this.delayMs);
    this.timer.unref();
  }

  private async runRetry(): Promise<void> {
    const keys = [...this.keys];
    if (keys.length === 0 || this.running) return;
    this.running = true;
    let renewed = false;
    try {
      renewed = await this.events.retry(keys);
    } finally {
      this.running = false;
    }
    if (renewed) {
      this.settle(keys);
      this.delayMs = this.settings.initialDelayMs;
      this.events.recovered(keys.length);
      if (this.keys.size > 0) this.schedule();
      return;
    }
    this.delayMs = Math.min(this.delayMs * 2, this.settings.maxDelayMs);
    this.events.failed(this.keys.size, this.delayMs);
    this.schedule();
  }
}
