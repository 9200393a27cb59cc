import type { PageBackend, StoreServer } from './backends/page-backend.js';

/** How often the server's identity is checked while the connection seems fine, ms. */
export const SERVER_CHECK_INTERVAL_MS = 2_000;

export interface StoreServerWatchEvents {
  /** The data was written by another server run: make every page older than now unservable. */
  restored(previousRunId: string | undefined, runId: string): Promise<boolean>;
}

/**
 * Tells when the store's data may be older than what was acknowledged: Redis restarted (from
 * an RDB snapshot or an AOF that lost its last second), or another server answers (a replica
 * promoted, a restored backup). The run id of the server that last verified the data is kept
 * in the store itself (`<prefix>server`); a server that finds a run id other than its own is
 * serving data from another run, and every page is invalidated once. Until the first check after
 * a lost connection has passed, pages are not served (`verified` is false).
 */
export class StoreServerWatch {
  private verifiedRun: string | undefined;
  private checking: Promise<void> | undefined;
  private readonly timer: NodeJS.Timeout;
  private readonly detach: () => void;

  constructor(
    private readonly server: StoreServer,
    private readonly backend: PageBackend,
    private readonly markerKey: string,
    private readonly events: StoreServerWatchEvents,
  ) {
    this.detach = server.onConnection((state) => {
      this.verifiedRun = undefined;
      if (state === 'ready') void this.check();
    });
    this.timer = setInterval(() => void this.check(), SERVER_CHECK_INTERVAL_MS);
    this.timer.unref();
    void this.check();
  }

  /** Whether the data was verified to come from the server answering now. */
  get verified(): boolean {
    return this.verifiedRun !== undefined;
  }

  /** Checks the server now (also called when the store answers again after an outage). */
  check(): Promise<void> {
    this.checking ??= this.runCheck().finally(() => (this.checking = undefined));
    return this.checking;
  }

  dispose(): void {
    clearInterval(this.timer);
    this.detach();
  }

  private async runCheck(): Promise<void> {
    try {
      const runId = await this.server.runId();
      const [marker] = await this.backend.read([this.markerKey]);
      const recorded = typeof marker === 'string' ? marker : undefined;
      if (recorded !== runId) {
        if (!(await this.events.restored(recorded, runId))) return void (this.verifiedRun = undefined);
        await this.backend.write([{ key: this.markerKey, value: runId, ttl: 0 }]);
      }
      this.verifiedRun = runId;
    } catch {
      this.verifiedRun = undefined;
    }
  }
}
