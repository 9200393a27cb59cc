import { DEPENDENT_PATHS_METADATA } from '../cache-page.constants.js';
import { showValue } from '../cache-page.messages.js';
import type { DependentPathsEntity } from '../decorators/dependent-paths.decorator.js';
import { invalidationPaths } from '../store/page-path.js';

/** Why a `dependentPaths()` result cannot be used; the subscriber then invalidates every page. */
export class DependentPathsProblem extends Error {
  override readonly name = this.constructor.name;
}

/** Whether instances of this class (or of a parent class) were marked with `@DependentPaths()`. */
export function isDependentPathsClass(entityClass: unknown): boolean {
  return (
    typeof entityClass === 'function' && Reflect.getMetadata(DEPENDENT_PATHS_METADATA, entityClass) === true
  );
}

/**
 * Calls `dependentPaths()` and reduces what it returns to page paths. A single string counts as
 * one path (it is an `Iterable<string>` to TypeScript, so it must not be split into characters).
 *
 * @throws DependentPathsProblem when it throws, rejects or returns anything but paths
 */
export async function readDependentPaths(entity: object): Promise<string[]> {
  const method = (entity as Partial<DependentPathsEntity>).dependentPaths;
  if (typeof method !== 'function')
    throw new DependentPathsProblem(`is not a function (got ${showValue(method)})`);
  let returned: unknown;
  try {
    returned = method.call(entity);
  } catch (error) {
    throw new DependentPathsProblem(`threw ${errorText(error)}`, { cause: error });
  }
  if (isThenable(returned)) {
    try {
      returned = await returned;
    } catch (error) {
      throw new DependentPathsProblem(`rejected with ${errorText(error)}`, { cause: error });
    }
  }
  if (typeof returned === 'string') return [toPath(returned)];
  if (!isIterable(returned)) {
    throw new DependentPathsProblem(`returned ${showValue(returned)}, which is not an iterable of paths`);
  }
  const paths: string[] = [];
  try {
    for (const path of returned) paths.push(toPath(path));
  } catch (error) {
    throw error instanceof DependentPathsProblem
      ? error
      : new DependentPathsProblem(`threw ${errorText(error)} while its result was iterated`, {
          cause: error,
        });
  }
  return paths;
}

function toPath(value: unknown): string {
  if (typeof value !== 'string')
    throw new DependentPathsProblem(`returned ${showValue(value)}, which is not a string`);
  try {
    invalidationPaths(value);
    return value;
  } catch {
    throw new DependentPathsProblem(`returned ${showValue(value)}, which is not a path starting with "/"`);
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

function isIterable(value: unknown): value is Iterable<unknown> {
  return typeof (value as { [Symbol.iterator]?: unknown } | null)?.[Symbol.iterator] === 'function';
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : showValue(error);
}
