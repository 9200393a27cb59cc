import type { HeartbeatReason } from './page-backend.js';

/** How often a writer renews its liveness, ms (a third of `WRITER_LIVENESS_MS`). */
const HEARTBEAT_MS = 1_000;

interface Heartbeat {
  readonly timer: NodeJS.Timeout;
  readonly reasons: Set<HeartbeatReason>;
}

/**
 * The heartbeats of this process's writers, for `EpochLeases.heartbeat`: one timer per writer
 * while any reason still needs it, each reason (`'leases'`, `'intents'`) started and ended on its
 * own, so ending one never stops a heartbeat another still needs. Every `everyMs`, `beat` renews
 * the writer's liveness for the reasons it holds then.
 */
export class WriterHeartbeats {
  private readonly heartbeats = new Map<string, Heartbeat>();

  constructor(
    private readonly beat: (writer: string, reasons: ReadonlySet<HeartbeatReason>) => void,
    private readonly everyMs = HEARTBEAT_MS,
  ) {}

  /** `true` starts `writer`'s heartbeat for `reason`; `false` ends that reason, and the heartbeat once none is left. */
  set(writer: string, beating: boolean, reason: HeartbeatReason): void {
    const heartbeat = this.heartbeats.get(writer);
    if (beating && heartbeat) heartbeat.reasons.add(reason);
    else if (beating) {
      const reasons = new Set([reason]);
      const timer = setInterval(() => this.beat(writer, reasons), this.everyMs);
      timer.unref();
      this.heartbeats.set(writer, { timer, reasons });
    } else if (heartbeat) {
      heartbeat.reasons.delete(reason);
      if (heartbeat.reasons.size > 0) return;
      clearInterval(heartbeat.timer);
      this.heartbeats.delete(writer);
    }
  }

  /** Stops every heartbeat. */
  dispose(): void {
    for (const { timer } of this.heartbeats.values()) clearInterval(timer);
    this.heartbeats.clear();
  }
}
