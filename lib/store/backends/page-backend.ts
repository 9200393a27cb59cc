import type { MaybePromise } from '../../utils/maybe-promise.js';

/** One write: `ttl` in milliseconds, `0` = no expiry. */
export interface BackendWrite {
  readonly key: string;
  readonly value: unknown;
  readonly ttl: number;
}

/** One epoch to create if it does not exist yet. */
export interface EpochSeed {
  readonly key: string;
  readonly token: string;
  readonly ttl: number;
}

/**
 * Where entries and epochs are kept: the in-process memory LRU, any cache-manager `Cache`, or
 * Redis through its own client. The page store speaks to it in these terms only; each backend
 * does them as safely as its store allows (README, "When things fail").
 *
 * Reads give `undefined` for a missing key and never throw for one; failures throw or reject.
 */
export interface PageBackend {
  /** `'memory'`: this process only. `'shared'`: every process using the store sees the same state. */
  readonly scope: 'memory' | 'shared';
  /** Whether page bodies are written to the store (shared stores) or kept in process (memory). */
  readonly storesBodies: boolean;
  /** Whether `touch()` really extends expiry (else keys keep the lifetime they were written with). */
  readonly extendsTtl: boolean;

  /**
   * With a count (Redis Cluster), the keys of one page path carry the hash tag of one of this
   * many buckets (see `pageKey`), and the keys every page depends on (`isSharedEpochKey`) are kept
   * once per bucket. Absent: keys are used as they are.
   */
  readonly keyBuckets?: number;

  /**
   * Values of `keys`, in one round trip. `home`: a key of the page the call is for, whose
   * bucket's copies of shared keys are read when no key in `keys` names a bucket (see `keyBuckets`).
   */
  read(keys: readonly string[], home?: string): MaybePromise<readonly unknown[]>;
  write(writes: readonly BackendWrite[]): MaybePromise<void>;
  remove(keys: readonly string[]): MaybePromise<void>;
  /** Creates the epochs that do not exist yet (an existing one is never overwritten); gives the current values. */
  createEpochs(seeds: readonly EpochSeed[], home?: string): MaybePromise<readonly unknown[]>;
  /**
   * Makes every entry stored under the current value of these epochs unservable. Resolves
   * `true` only once that is certain (a store that swallows errors is read back). With leases,
   * `writer` leaves the lease of each key except those in `stillHeld` (its other open leases).
   * `recordChange`: the new tokens record the change (`renewedEpochToken`), so a page one change
   * behind may be served in its grace; `false` after a restore, where no old page may be.
   */
  invalidateEpochs(
    keys: readonly string[],
    writer: string,
    ttl: number,
    stillHeld: ReadonlySet<string>,
    recordChange: boolean,
  ): MaybePromise<boolean>;
  /** Extends the lifetime of keys without changing them (stores that can); ignored otherwise. */
  touch(keys: readonly string[], ttl: number): MaybePromise<void>;
  /** Sets `key` for `ms` unless it exists (`SET NX PX`); `true` when this call set it. */
  claim(key: string, ms: number): MaybePromise<boolean>;
  /** The cheapest call the store answers (Redis: `PING`), for the stall watch; else a read. */
  ping?(): Promise<unknown>;
  /** Subscribes to errors the store's client reports without throwing; returns the unsubscribe. */
  onError(listener: (error: unknown) => void): () => void;
  /** Stops timers and listeners; the store's client itself belongs to the app. */
  dispose(): void;

  /** Crash-safe invalidation (Redis): see `RedisBackend`. */
  readonly leases?: EpochLeases;
  /** A feed of recent invalidations every instance can read (Redis), for warm-up. */
  readonly feed?: InvalidationFeed;
  /** Restore and fail-over detection (Redis): see `StoreServerWatch`. */
  readonly server?: StoreServer;
  /** Durable purge intents (`edge`, Redis): see `PurgeIntents`. */
  readonly purgeIntents?: PurgeIntentLog;
}

/**
 * Leases on epochs, taken before a commit and settled after it, so a process that dies between
 * the two leaves the pages under them unserved until it is known dead, never stale.
 */
/**
 * Recent invalidations in a shared store: epoch keys with the time they were renewed, kept
 * `keepMs`; read by every instance (warm-up), never on a hit.
 */
export interface InvalidationFeed {
  append(
    key: string,
    entries: ReadonlyArray<readonly [epochKey: string, at: number]>,
    keepMs: number,
  ): Promise<void>;
  /** Entries renewed at or after `since` (ms), oldest first. */
  since(key: string, since: number): Promise<Array<readonly [epochKey: string, at: number]>>;
}

export interface EpochLeases {
  /** Leases the epochs for `writer` (renewing them, so older entries are unservable at once). */
  lease(keys: readonly string[], writer: string, ttl: number): Promise<void>;
  /** Replaces the leases of writers that are no longer alive by plain tokens; gives the current values. */
  heal(keys: readonly string[], ttl: number): Promise<readonly unknown[]>;
  /**
   * Keeps `writer` alive for readers while it holds something `reason` names (`'leases'`, `'intents'`):
   * `true` starts it for that reason, `false` ends that reason; it lapses once no reason is left.
   */
  heartbeat(writer: string, beating: boolean, reason?: HeartbeatReason): void;
}

/** What keeps a writer alive for the others: open leases, or purge intents not yet cleared. */
export type HeartbeatReason = 'leases' | 'intents';

/** The store server's identity, for telling that the data may be older than what was acknowledged. */
export interface StoreServer {
  /** An identifier that changes whenever the server restarts or another server answers. */
  runId(): Promise<string>;
  /** Calls `listener` when the client lost its connection (`'lost'`) or got it back (`'ready'`). */
  onConnection(listener: (state: 'lost' | 'ready') => void): () => void;
}

/** One purge intent as the log keeps it. */
export interface PurgeIntent {
  readonly id: string;
  /** Surrogate keys. */
  readonly keys: readonly string[];
}

/**
 * Purge intents, kept where every instance sees them: recorded before an invalidation, cleared
 * once every edge acknowledged its purge. An intent whose writer is no longer alive (it died
 * between the two) is claimed by another instance, which sends it.
 */
export interface PurgeIntentLog {
  /** Records an intent of `writer`, and marks the writer alive (as a lease does). */
  record(intent: PurgeIntent, writer: string): Promise<void>;
  clear(ids: readonly string[]): Promise<void>;
  /** Makes the intents of writers no longer alive `writer`'s, and gives them. */
  claim(writer: string): Promise<readonly PurgeIntent[]>;
}
