import { DEPENDENT_PATHS_METADATA } from '../cache-page.constants.js';
import { missingDependentPathsMessage, notAClassMessage } from '../cache-page.messages.js';

/**
 * What `dependentPaths()` returns: page paths (`'/posts/hello'`; an absolute URL, a query string
 * or a fragment is reduced to the path), as an array, a `Set`, a generator or any other iterable,
 * or a promise of one.
 *
 * @publicApi
 */
export type DependentPathsResult = Iterable<string> | Promise<Iterable<string>>;

/**
 * An entity that names the pages showing it.
 *
 * @publicApi
 */
export interface DependentPathsEntity {
  /**
   * The paths of every page that shows this instance. Called after a flush, on the current state
   * and, for an update, on the previous state too (changed scalars and to-one references), so it
   * should read only the entity's own columns and the primary keys of related entities.
   */
  dependentPaths(): DependentPathsResult;
}

/**
 * Marks a MikroORM entity class whose changes invalidate cached pages: when an instance is
 * created, updated, deleted or upserted, or one of its collections changes, the pages named by
 * its `dependentPaths()` (before and after the change) stop being served from the cache once the
 * transaction commits. A class without a `dependentPaths()` method is an error at startup.
 *
 * For example: `@DependentPaths() class Post { dependentPaths() { return ['/', `/posts/${this.slug}`]; } }`
 *
 * @see CachePageService.invalidate for writes the ORM cannot see (`nativeUpdate`, raw SQL)
 * @publicApi
 */
export const DependentPaths =
  (): (<T extends abstract new (...args: never[]) => DependentPathsEntity>(target: T) => void) =>
  (target) => {
    if (typeof target !== 'function') throw new TypeError(notAClassMessage(target));
    if (
      typeof (target.prototype as Partial<DependentPathsEntity> | undefined)?.dependentPaths !== 'function'
    ) {
      throw new TypeError(missingDependentPathsMessage(target.name));
    }
    Reflect.defineMetadata(DEPENDENT_PATHS_METADATA, true, target);
  };
