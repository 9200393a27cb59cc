import type { StallWatch } from './stall-watch.js';

/** Why a store call was not made or did not finish. */
export class StoreUnavailableError extends Error {
  override readonly name = this.constructor.name;
}

/** Settings of the guard, fixed at startup. */
export interface StoreGuardSettings {
  /** Longest wait for one store call, ms. */
  readonly timeoutMs: number;
  /** Consecutive failed or late calls that open the circuit. */
  readonly failuresToOpen: number;
  /** Interval between probes while the circuit is open, ms. */
  readonly probeIntervalMs: number;
}

export interface StoreGuardEvents {
  /** The circuit opened: calls fail at once until a probe succeeds. */
  opened(reason: string): void;
  /** A probe succeeded after `downForMs`; calls go through again. */
  closed(downForMs: number): void;
}

/**
 * A deadline on every call to a shared store, and a circuit breaker around them: after a few
 * consecutive failures (errors, or calls slower than the deadline), or as soon as the client
 * reports a lost connection, calls fail at once instead of each paying the deadline, and a probe
 * asks the store every `probeIntervalMs` whether it answers again. A late call is abandoned,
 * not cancelled: it may still land, which the epochs make harmless.
 */
export class StoreGuard {
  private failures = 0;
  private openedAt: number | undefined;
  private probeTimer: NodeJS.Timeout | undefined;
  private disposed = false;

  constructor(
    private readonly settings: StoreGuardSettings,
    private readonly probe: () => Promise<unknown>,
    private readonly events: StoreGuardEvents,
    /** Told when each call is sent and answered, and of every deadline missed. */
    private readonly watch?: StallWatch,
  ) {}

  /** Whether calls go through (the circuit is closed). */
  get available(): boolean {
    return this.openedAt === undefined;
  }

  /** Runs one store call within the deadline; rejects at once while the circuit is open. */
  run<T>(call: () => Promise<T>): Promise<T> {
    if (this.openedAt !== undefined) {
      return Promise.reject(new StoreUnavailableError('the page store is not answering'));
    }
    return this.withDeadline(call).then(
      (value) => {
        this.failures = 0;
        return value;
      },
      (error: unknown) => {
        this.recordFailure(error instanceof StoreUnavailableError ? 'timeout' : 'error');
        throw error;
      },
    );
  }

  /**
   * Sends one call that only shows whether the store answers (the stall watch's ping), like any
   * other (`failed` is told when it fails, like any call's failure); not while the circuit is
   * open (the probe is sent then).
   */
  ping(call: () => Promise<unknown>, failed: () => void): void {
    if (this.openedAt === undefined) this.run(call).catch(failed);
  }

  /** The store's client reported a lost connection or an error it did not throw. */
  reportTrouble(reason: string): void {
    if (this.openedAt === undefined) this.open(reason);
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.probeTimer);
    this.watch?.dispose();
  }

  private recordFailure(kind: 'timeout' | 'error'): void {
    this.failures += 1;
    if (this.openedAt === undefined && this.failures >= this.settings.failuresToOpen) {
      this.open(
        kind === 'timeout'
          ? `${this.failures} calls in a row failed or took over ${this.settings.timeoutMs} ms`
          : `${this.failures} calls in a row failed`,
      );
    }
  }

  private open(reason: string): void {
    this.openedAt = Date.now();
    this.events.opened(reason);
    this.scheduleProbe();
  }

  private scheduleProbe(): void {
    if (this.disposed) return;
    this.probeTimer = setTimeout(() => void this.runProbe(), this.settings.probeIntervalMs);
    this.probeTimer.unref();
  }

  private async runProbe(): Promise<void> {
    try {
      await this.withDeadline(this.probe);
    } catch {
      return this.scheduleProbe();
    }
    const downForMs = Date.now() - (this.openedAt ?? Date.now());
    this.openedAt = undefined;
    this.failures = 0;
    if (!this.disposed) this.events.closed(downForMs);
  }

  private withDeadline<T>(call: () => Promise<T>): Promise<T> {
    const watch = this.watch;
    const sentAt = watch?.sent();
    let late = false;
    // Also after the deadline: the late answers of a stall arrive when the store resumes.
    const answered = () => {
      if (sentAt !== undefined) watch!.answered(sentAt, late);
    };
    let settled = false;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        // Timers run before the I/O of a turn of the loop: after this process's own loop was
        // blocked, an answer that came in meanwhile is read first, and then it is no timeout.
        setImmediate(() => {
          if (settled) return;
          late = true;
          watch?.abandoned();
          reject(new StoreUnavailableError(`no answer within ${this.settings.timeoutMs} ms`));
        });
      }, this.settings.timeoutMs);
      let pending: Promise<T>;
      try {
        pending = call();
      } catch (error) {
        clearTimeout(timer);
        answered();
        return reject(error);
      }
      pending.then(
        (value) => {
          settled = true;
          clearTimeout(timer);
          answered();
          resolve(value);
        },
        (error: unknown) => {
          settled = true;
          clearTimeout(timer);
          answered();
          reject(error);
        },
      );
    });
  }
}
