/** Settings of the stall watch, fixed at startup. */
export interface StallWatchSettings {
  /** A call answered (or abandoned) this long after it was sent shows a stall, ms. */
  readonly stallMs: number;
  /** After the last sign of a stall, reads are not served from the store for this long, ms. */
  readonly settleMs: number;
}

/**
 * Whether the shared store stalled recently, as this process saw it. Another instance may have
 * acknowledged an invalidation that the store did not take during a stall (it is held there and
 * lands when the store answers again, ≤ `settleMs` later); a read answered in between can come
 * from before it. So every sign of a stall (a call answered late, a deadline missed, the store
 * answering again after an outage) withholds the store's reads for `settleMs` from then. The late
 * answers to calls abandoned during a stall arrive when the store resumes, and on one connection
 * before the answers to anything sent after them, so a read sent during a stall is judged after
 * they were seen. So that an idle process sees every stall too, it sends `ping` when nothing was
 * sent for `stallMs` and nothing is outstanding: some call is always under way.
 */
export class StallWatch {
  private quietUntil = 0;
  private outstanding = 0;
  private lastSentAt = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly settings: StallWatchSettings,
    ping: () => void,
  ) {
    this.timer = setInterval(() => {
      if (this.outstanding === 0 && Date.now() - this.lastSentAt >= settings.stallMs) ping();
    }, settings.stallMs);
    this.timer.unref();
  }

  /** Whether a read answered now may be served: no sign of a stall within `settleMs`. */
  get calm(): boolean {
    return Date.now() >= this.quietUntil;
  }

  /** A call is being sent now; gives its send time, for `answered()`. */
  sent(): number {
    this.outstanding += 1;
    this.lastSentAt = Date.now();
    return this.lastSentAt;
  }

  /** The call sent at `sentAt` was answered or failed, within its deadline or after it. */
  answered(sentAt: number): void {
    this.outstanding -= 1;
    const now = Date.now();
    if (now - sentAt >= this.settings.stallMs) this.stalled(now);
  }

  /** A sign of a stall now: a deadline missed, the store answering again after an outage. */
  stalled(now = Date.now()): void {
    this.quietUntil = Math.max(this.quietUntil, now + this.settings.settleMs);
  }

  dispose(): void {
    clearInterval(this.timer);
  }
}
