import { canonicalInvalidationPath } from '../store/page-path.js';

/**
 * What caused an invalidation: an entity's create, update, delete or upsert, a change of one of
 * its collections, a write the ORM does not see (`native`), a call of `CachePageService`
 * (`manual`), or entity changes the module could not read (`unknown`: every page goes).
 *
 * @publicApi
 */
export type InvalidationTrigger =
  'create' | 'update' | 'delete' | 'upsert' | 'collection' | 'native' | 'manual' | 'unknown';

/**
 * Why a change invalidated every page: Jimmy Page mode (`invalidateAllOnChange`), a
 * `dependentPaths()` that read what MikroORM had not loaded, returned garbage or threw, took
 * longer than `dependentPathsTimeout`, or changes the module could not read.
 *
 * @publicApi
 */
export type EveryPageCause =
  | 'invalidate-all-on-change'
  | 'unloaded-read'
  | 'bad-dependent-paths'
  | 'timeout'
  | 'error'
  | 'unattributed-write';

/**
 * One cause of an invalidation and what it invalidated: the paths an entity's `dependentPaths()`
 * returned (as it returned them), or every page, with the reason.
 *
 * @publicApi
 */
export interface InvalidationRecord {
  readonly trigger: InvalidationTrigger;
  /** The entity's class name, for entity changes. */
  readonly entity?: string;
  /** The entity's primary key, for entity changes. */
  readonly id?: unknown;
  readonly paths: string[] | 'all';
  /** Why every page, in words: `invalidateAllOnChange`, `dependentPaths() read unloaded "author"`… */
  readonly reason?: string;
  /** Why every page, as a kind (set with `reason`). */
  readonly cause?: EveryPageCause;
  /**
   * `dependencies: 'auto'`: the dependency keys the write renewed (`dep:Post#s7`, `dep:Post.author=s3`…),
   * sorted; every page rendered in auto mode that depends on one of them is invalidated.
   */
  readonly keys?: string[];
}

/**
 * What one committed transaction (or one call of `CachePageService`) invalidated.
 *
 * @publicApi
 */
export interface InvalidationEvent {
  /** The paths of the pages invalidated, folded as the cache compares them (lower case, no trailing slash), sorted. */
  readonly paths: string[];
  /** Every page was invalidated. */
  readonly all: boolean;
  /** Each cause, with what it asked for. */
  readonly records: InvalidationRecord[];
  /** The dependency keys renewed (`dependencies: 'auto'`), sorted; only when there are some. */
  readonly keys?: string[];
}

/** The event of these records: their paths folded to canonical ones, sorted. */
export function invalidationEvent(records: readonly InvalidationRecord[]): InvalidationEvent {
  const paths = new Set<string>();
  const keys = new Set<string>();
  let all = false;
  for (const record of records) {
    if (record.paths === 'all') all = true;
    else for (const path of record.paths) paths.add(canonicalInvalidationPath(path));
    for (const key of record.keys ?? []) keys.add(key);
  }
  return {
    paths: [...paths].sort(),
    all,
    records: [...records],
    ...(keys.size > 0 && { keys: [...keys].sort() }),
  };
}
