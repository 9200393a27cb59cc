/** One read of the soak: when it was sent (the test's clock), and what it showed. */
export interface Read {
  readonly path: string;
  readonly sentAt: number;
  readonly version: number;
  /** Answered by Varnish from its cache (two transaction ids in `X-Varnish`). */
  readonly fromVarnish: boolean;
}

/** A read older than a write answered before it was sent. */
export interface StaleRead extends Read {
  /** The newest version whose write was answered before the read was sent. */
  readonly answered: number;
  /** How long before the read that write was answered, ms. */
  readonly afterAnswerMs: number;
}

/**
 * The reads that show an older version than the newest write answered before they were sent.
 * `answeredAt[v]` is when the write of version `v` was answered (writes one after the other, so
 * in increasing order).
 */
export function staleReads(reads: readonly Read[], answeredAt: readonly number[]): StaleRead[] {
  const stale: StaleRead[] = [];
  for (const read of reads) {
    const answered = newestAnsweredBefore(read.sentAt, answeredAt);
    if (read.version < answered)
      stale.push({ ...read, answered, afterAnswerMs: read.sentAt - answeredAt[answered]! });
  }
  return stale;
}

/** The highest `v` with `answeredAt[v] <= at` (0: none), by binary search. */
function newestAnsweredBefore(at: number, answeredAt: readonly number[]): number {
  let [low, high] = [0, answeredAt.length - 1];
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (answeredAt[middle]! <= at) low = middle;
    else high = middle - 1;
  }
  return low >= 1 && answeredAt[low]! <= at ? low : 0;
}

/** p50, p99 and max of `values`, rounded to 0.1. */
export function percentiles(values: readonly number[]): { p50: number; p99: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (fraction: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? NaN;
  const round = (value: number) => Math.round(value * 10) / 10;
  return { p50: round(at(0.5)), p99: round(at(0.99)), max: round(sorted.at(-1) ?? NaN) };
}
