import { edgePurgeFailedMessage } from '../../cache-page.messages.js';
import { EdgePurgeError } from '../edge-purger.js';

/** One request of a purge that the edge did not acknowledge, in full or in part. */
export class BatchFailure extends Error {
  override readonly name = 'BatchFailure';

  constructor(
    /** What went wrong and the fix, without the module prefix (it becomes part of an `EdgePurgeError`). */
    readonly problem: string,
    /** The keys of the request the edge did not acknowledge. */
    readonly unacknowledged: readonly string[],
    /** The edge's `Retry-After`, ms. */
    readonly retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    super(problem, options);
  }
}

export interface BatchedPurge {
  /** The purger's name, for the error text. */
  readonly name: string;
  /** The most keys the edge takes in one request. */
  readonly maxKeysPerRequest: number;
  /** How many requests may be under way at once (1: one after the other). */
  readonly concurrency: number;
  readonly signal: AbortSignal;
  /** Sends one request; resolves once the edge acknowledged every key of it, else throws a `BatchFailure`. */
  readonly send: (batch: readonly string[]) => Promise<void>;
}

/** The keys, each once and in their first order, in slices of at most `size`. */
export function splitKeys(keys: readonly string[], size: number): string[][] {
  const unique = [...new Set(keys)];
  const batches: string[][] = [];
  for (let start = 0; start < unique.length; start += size) batches.push(unique.slice(start, start + size));
  return batches;
}

/**
 * Purges `keys` in as many requests as `maxKeysPerRequest` needs, at most `concurrency` at once.
 * After the first failure (or once the signal is aborted) no further request starts; the
 * requests under way are awaited. Rejects with an `EdgePurgeError` whose `remaining` lists every
 * key not acknowledged: those of failed requests and of requests never sent.
 */
export async function purgeInBatches(keys: readonly string[], purge: BatchedPurge): Promise<void> {
  const batches = splitKeys(keys, purge.maxKeysPerRequest);
  const total = batches.reduce((sum, batch) => sum + batch.length, 0);
  const failures: BatchFailure[] = [];
  let next = 0;
  let stopped = false;

  const worker = async (): Promise<void> => {
    while (!stopped && !purge.signal.aborted && next < batches.length) {
      const batch = batches[next++]!;
      try {
        await purge.send(batch);
      } catch (error) {
        stopped = true;
        failures.push(
          error instanceof BatchFailure
            ? error
            : new BatchFailure(`an unexpected error (${String(error)}).`, batch, undefined, { cause: error }),
        );
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(purge.concurrency, batches.length) }, worker));
  if (failures.length === 0 && next === batches.length) return;

  const missed = new Set(batches.slice(next).flat());
  for (const failure of failures) for (const key of failure.unacknowledged) missed.add(key);
  const remaining = batches.flat().filter((key) => missed.has(key));
  const retryAfters = failures.flatMap((failure) =>
    failure.retryAfterMs === undefined ? [] : [failure.retryAfterMs],
  );
  const first = failures[0];
  const problem = first?.problem ?? abortedProblem;
  throw new EdgePurgeError(
    edgePurgeFailedMessage(purge.name, problem, remaining.length, total),
    remaining,
    retryAfters.length > 0 ? Math.max(...retryAfters) : undefined,
    { cause: first?.cause ?? purge.signal.reason },
  );
}

/** The text for a purge the signal stopped (the module's per-attempt deadline). */
export const abortedProblem = 'the purge was aborted before the edge answered (the deadline passed).';
