/** A value, or a promise of it: synchronous backends keep the hit path free of awaits. */
export type MaybePromise<T> = T | Promise<T>;

/** One write: `ttl` in milliseconds, `0` = forever. */
export interface BackendEntry {
  readonly key: string;
  readonly value: unknown;
  readonly ttl: number;
}

/**
 * Where pages and epochs are kept: the built-in memory LRU, or any cache-manager `Cache`.
 * Reads must not throw for a missing key (they give `undefined`); failures may throw or reject.
 */
export interface PageBackend {
  getMany(keys: readonly string[]): MaybePromise<readonly unknown[]>;
  setMany(entries: readonly BackendEntry[]): MaybePromise<void>;
  deleteMany(keys: readonly string[]): MaybePromise<void>;
  /** Subscribes to errors the backend swallows; returns the unsubscribe function. */
  onError(listener: (error: unknown) => void): () => void;
}

export const isPromise = <T>(value: MaybePromise<T>): value is Promise<T> =>
  typeof (value as Promise<T> | undefined)?.then === 'function';
