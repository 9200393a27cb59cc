import {
  storeBackMessage,
  storeCallFailedMessage,
  storeDownMessage,
  storeRestoredMessage,
} from '../cache-page.messages.js';
import type { ThrottledLogger } from '../utils/throttled-logger.js';
import { GuardedBackend } from './backends/guarded-backend.js';
import type { PageBackend } from './backends/page-backend.js';
import type { PageStoreSettings } from './store-context.js';
import { StoreGuard } from './store-guard.js';
import { StoreServerWatch } from './store-server-watch.js';
import { StallWatch } from './stall-watch.js';

/** Interval between probes of a shared store that stopped answering, ms. */
const PROBE_INTERVAL_MS = 1_000;
/**
 * After a shared store answers again, or after any sign that it stalled, nothing is served from
 * it for this long, so that the invalidations other processes held meanwhile land first: those
 * they sent are answered as soon as it resumes, the others are retried as soon as their own
 * probe sees it (within `PROBE_INTERVAL_MS` and a deadline).
 */
const RECOVERY_GRACE_MS = 2 * PROBE_INTERVAL_MS;

/** What the store does when its backend's health changes. */
export interface StoreHealthEvents {
  /** How many invalidations are held, for the line that says the store answers again. */
  held(): number;
  /** The store answers again after an outage: retry the held invalidations now. */
  recovered(): void;
  /** The store's data comes from another server run: make every page unservable. */
  restored(): Promise<boolean>;
}

/**
 * Whether the backend's answers can be trusted now. A shared backend gets a deadline and a
 * circuit breaker around every call, a grace period after an outage or a stall, and a watch that tells when
 * its data comes from another server run (a restart from a snapshot, a fail-over). A memory
 * backend is always trusted.
 */
export class StoreHealth {
  /** The backend to call: a shared one wrapped in the guard. */
  readonly backend: PageBackend;
  /** The deadline and circuit breaker of a shared backend. */
  readonly guard: StoreGuard | undefined;
  /** Store calls that failed or timed out since startup. */
  errors = 0;
  private readonly serverWatch: StoreServerWatch | undefined;
  private readonly detachListeners: Array<() => void> = [];
  private readonly stalls: StallWatch | undefined;

  constructor(
    backend: PageBackend,
    settings: Pick<PageStoreSettings, 'keyPrefix' | 'storeTimeoutMs'>,
    globalKey: string,
    log: ThrottledLogger,
    events: StoreHealthEvents,
  ) {
    if (backend.scope === 'shared') {
      const probeKey = [globalKey];
      // A stall long enough to make another instance hold an invalidation (a deadline) shows
      // here as a call answered half a deadline late: one is sent within a quarter deadline.
      const stallMs = Math.max(1, Math.round(settings.storeTimeoutMs / 2));
      const idleMs = Math.max(1, Math.round(settings.storeTimeoutMs / 4));
      const ping = backend.ping ? () => backend.ping!() : async () => backend.read(probeKey);
      const stalls = new StallWatch({ stallMs, idleMs, settleMs: RECOVERY_GRACE_MS }, () =>
        // A failed ping is a failed store call like any other (stats, health).
        guard.ping(ping, () => (this.errors += 1)),
      );
      this.stalls = stalls;
      const guard: StoreGuard = new StoreGuard(
        { timeoutMs: settings.storeTimeoutMs, failuresToOpen: 3, probeIntervalMs: PROBE_INTERVAL_MS },
        async () => backend.read(probeKey),
        {
          opened: (reason) => log.error('store-down', () => storeDownMessage(reason, PROBE_INTERVAL_MS)),
          closed: (downForMs) => {
            log.log(storeBackMessage(downForMs, events.held(), RECOVERY_GRACE_MS));
            stalls.stalled();
            events.recovered();
            void this.serverWatch?.check();
          },
        },
        stalls,
      );
      this.guard = guard;
      this.backend = new GuardedBackend(backend, guard);
      if (backend.server) {
        this.detachListeners.push(
          backend.server.onConnection((state) => {
            if (state === 'lost') guard.reportTrouble('the connection to the store was lost');
          }),
        );
      }
    } else {
      this.backend = backend;
    }
    this.detachListeners.push(
      backend.onError((error) => {
        this.guard?.reportTrouble('the store client reported an error');
        log.error(
          'store',
          (suppressed) => storeCallFailedMessage('answer', 'its client reported an error', suppressed),
          error,
        );
      }),
    );
    if (this.backend.server) {
      this.serverWatch = new StoreServerWatch(
        this.backend.server,
        this.backend,
        `${settings.keyPrefix}server`,
        {
          restored: async (previous, runId) => {
            if (previous !== undefined) log.warn(storeRestoredMessage(previous, runId));
            return events.restored();
          },
        },
      );
    }
  }

  /** Resolves once the backend can be used (Redis: its data was checked against the server's run). */
  async ready(): Promise<void> {
    for (let attempt = 0; attempt < 3 && this.serverWatch && !this.serverWatch.verified; attempt++) {
      await this.serverWatch.check();
    }
    this.stalls?.arm();
  }

  /** Whether the backend answers (the circuit is closed). */
  get available(): boolean {
    return this.guard?.available ?? true;
  }

  /** Whether the backend may be used now: it answers and its data is verified. */
  get trusted(): boolean {
    return (this.guard?.available ?? true) && (this.serverWatch?.verified ?? true);
  }

  /**
   * Whether a stored page may be served now: no sign of a stall within the grace (nor a return
   * from an outage). Until then a page read may predate another instance's held invalidation, so
   * requests are misses: rendered (from the database, which has every committed write) and
   * stored under the epochs they read, which that invalidation makes unservable when it lands.
   * Asked again when a read is answered, so that a read in flight during a stall is not served.
   */
  get calm(): boolean {
    return this.stalls?.calm ?? true;
  }

  /** Stops the watch, the probes and the listeners. */
  dispose(): void {
    this.serverWatch?.dispose();
    this.guard?.dispose();
    for (const detach of this.detachListeners) detach();
  }
}
