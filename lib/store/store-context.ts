import type { MaybePromise } from '../utils/maybe-promise.js';
import type { ThrottledLogger } from '../utils/throttled-logger.js';
import type { PageBackend } from './backends/page-backend.js';
import type { PathMapping } from './path-mapping.js';
import type { StoreOperation } from './store-call.js';

/** Settings of the store that do not change after startup. */
export interface PageStoreSettings {
  readonly keyPrefix: string;
  /** Shared stores: the longest wait for one call, ms. */
  readonly storeTimeoutMs: number;
  /** Shared stores: keys nobody reads for this long expire (a hit renews them), ms. */
  readonly reclaimAfterMs: number;
  /** Bodies held in this process, bytes. */
  readonly maxBodyBytes: number;
  /** The app's path mapping (global prefix, versions), applied to invalidated paths. */
  readonly paths: PathMapping;
}

/** What the parts of the page store share: the backend, and how each call to it is made. */
export interface StoreContext {
  /** The backend; a shared one behind the deadline and circuit breaker. */
  readonly backend: PageBackend;
  readonly settings: PageStoreSettings;
  /** The key of the global epoch, which every page's entry also carries. */
  readonly globalKey: string;
  /** Whether other processes use the same backend (Redis, a cache-manager store). */
  readonly shared: boolean;
  /** This process's token as a writer, named in the leases it takes. */
  readonly writer: string;
  readonly log: ThrottledLogger;
  /** Runs one store call; a failure is logged (throttled, with what it cost) and gives `undefined`. */
  attempt<T>(operation: StoreOperation, call: () => MaybePromise<T>): MaybePromise<T | undefined>;
}
