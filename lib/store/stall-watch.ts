/** Settings of the stall watch, fixed at startup. */
export interface StallWatchSettings {
  /** A call answered (or abandoned) this long after it was sent shows a stall, ms. */
  readonly stallMs: number;
  /** Nothing sent for this long (and nothing outstanding): a ping is sent, ms. */
  readonly idleMs: number;
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
 * sent for `idleMs` and nothing is outstanding. Late answers count once the store is ready
 * (connecting is no stall).
 *
 * Calls are timed on a clock that stops while this process's own event loop is behind (its
 * timer late, or overdue now: a long turn of callbacks before the answer's), so a busy or
 * starved process never blames the store and stops serving hits for it.
 */
export class StallWatch {
  private quietUntil = 0;
  private outstanding = 0;
  private lastSentAt = 0;
  private lastTickAt = Date.now();
  /** How far behind its timers this process's loop has been since startup, in total, ms. */
  private behindMs = 0;
  private armed = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly settings: StallWatchSettings,
    ping: () => void,
  ) {
    this.timer = setInterval(() => {
      const now = Date.now();
      this.behindMs += Math.max(0, now - this.lastTickAt - settings.idleMs);
      this.lastTickAt = now;
      if (this.armed && this.outstanding === 0 && now - this.lastSentAt >= settings.idleMs) ping();
    }, settings.idleMs);
    this.timer.unref();
  }

  /** Whether a read answered now may be served: no sign of a stall within `settleMs`. */
  get calm(): boolean {
    return Date.now() >= this.quietUntil;
  }

  /** Starts judging calls and pinging (the store is connected and checked). */
  arm(): void {
    this.armed = true;
  }

  /** A call is being sent now; gives the watch's clock then, for `answered()`. */
  sent(): number {
    this.outstanding += 1;
    this.lastSentAt = Date.now();
    return this.clock(this.lastSentAt);
  }

  /**
   * The call sent at `sentAt` (the watch's clock) was answered or failed (`late`: after its
   * deadline, when it no longer counted as outstanding).
   */
  answered(sentAt: number, late = false): void {
    if (!late) this.outstanding -= 1;
    const now = Date.now();
    if (this.armed && this.clock(now) - sentAt >= this.settings.stallMs) this.stalled(now);
  }

  /** The call missed its deadline: a sign of a stall (once armed), and no longer outstanding. */
  abandoned(): void {
    this.outstanding -= 1;
    // Before the store is ready, a missed deadline is connecting (nothing is served yet anyway).
    if (this.armed) this.stalled();
  }

  /** A sign of a stall now: a deadline missed, the store answering again after an outage. */
  stalled(now = Date.now()): void {
    this.quietUntil = Math.max(this.quietUntil, now + this.settings.settleMs);
  }

  /** `now` less the time this process's loop was behind: it stands still while the loop is late. */
  private clock(now: number): number {
    const overdue = Math.max(0, now - this.lastTickAt - this.settings.idleMs);
    return now - this.behindMs - overdue;
  }

  dispose(): void {
    clearInterval(this.timer);
  }
}
