import { storeCallFailedMessage } from '../cache-page.messages.js';
import { isPromise, type MaybePromise } from '../utils/maybe-promise.js';
import type { ThrottledLogger } from '../utils/throttled-logger.js';
import { StoreUnavailableError, type StoreGuard } from './store-guard.js';

/** What a failed store call costs, for its log line. */
const CONSEQUENCES = {
  'read a page': 'the request was served uncached',
  'write an epoch': 'the page was served but not stored',
  'store a page': 'the page was served but not stored',
  'refresh a page': 'it expires on schedule and is rendered again then',
  'invalidate pages': 'the invalidation is held and retried',
  'drop an entry': 'it is ignored until it expires',
  'record a purge intent':
    'the edge is purged from this process only (if it dies first, the edge keeps those pages until its lifetime ends)',
  'clear a purge intent': 'another instance may purge those keys once more (harmless)',
  'claim purge intents': 'they are claimed at the next try',
  'claim a refresh': 'the stale page is refreshed by this request (a render, as without grace)',
  'announce invalidations': 'other instances do not warm these pages (they render on their next visit)',
  'read announced invalidations': 'they are read at the next try',
  'claim a warm-up': 'it is tried again once the store answers',
} as const;

/** A kind of store call, named as its log line says it. */
export type StoreOperation = keyof typeof CONSEQUENCES;

/**
 * Runs one store call that must never fail a request: a failure is logged (throttled, with what
 * it cost) and gives `undefined`. Synchronous when the call is.
 */
export function attemptStoreCall<T>(
  log: ThrottledLogger,
  guard: StoreGuard | undefined,
  operation: StoreOperation,
  call: () => MaybePromise<T>,
  tally?: { errors: number },
): MaybePromise<T | undefined> {
  try {
    const result = call();
    return isPromise(result)
      ? result.catch((error: unknown) => failed(log, guard, operation, error, tally))
      : result;
  } catch (error) {
    return failed(log, guard, operation, error, tally);
  }
}

function failed(
  log: ThrottledLogger,
  guard: StoreGuard | undefined,
  operation: StoreOperation,
  error: unknown,
  tally: { errors: number } | undefined,
): undefined {
  if (tally) tally.errors += 1;
  // While the circuit is open, the line that said so covers every call it refuses.
  if (error instanceof StoreUnavailableError && guard?.available === false) return undefined;
  log.error(
    `store:${operation}`,
    (suppressed) => storeCallFailedMessage(operation, CONSEQUENCES[operation], suppressed),
    error,
  );
  return undefined;
}
