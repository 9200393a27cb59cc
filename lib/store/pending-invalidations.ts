/**
 * Epoch keys whose renewal failed. While a key is here this process neither serves nor stores
 * the pages under it; a retry with backoff renews them and lets them go.
 */
export class PendingInvalidations {
  private readonly keys = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private delayMs: number;

  constructor(
    private readonly globalKey: string,
    private readonly retry: (keys: string[]) => Promise<boolean>,
    private readonly onFailure: (count: number, retryInMs: number) => void,
    private readonly onRecovery: (count: number) => void,
    private readonly initialDelayMs = 1_000,
    private readonly maxDelayMs = 30_000,
  ) {
    this.delayMs = initialDelayMs;
  }

  /** Whether pages under this epoch key must bypass the cache for now. */
  blocks(epochKey: string): boolean {
    return this.keys.size > 0 && (this.keys.has(epochKey) || this.keys.has(this.globalKey));
  }

  add(epochKeys: readonly string[]): void {
    for (const key of epochKeys) this.keys.add(key);
    this.onFailure(this.keys.size, this.delayMs);
    this.schedule();
  }

  /** Drops keys that a later successful renewal covered. */
  settle(epochKeys: readonly string[]): void {
    for (const key of epochKeys) this.keys.delete(key);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => void this.runRetry(), this.delayMs);
    this.timer.unref();
  }

  private async runRetry(): Promise<void> {
    this.timer = undefined;
    const keys = [...this.keys];
    if (keys.length === 0) return;
    if (await this.retry(keys)) {
      this.settle(keys);
      this.delayMs = this.initialDelayMs;
      this.onRecovery(keys.length);
      if (this.keys.size > 0) this.schedule();
      return;
    }
    this.delayMs = Math.min(this.delayMs * 2, this.maxDelayMs);
    this.onFailure(this.keys.size, this.delayMs);
    this.schedule();
  }
}
