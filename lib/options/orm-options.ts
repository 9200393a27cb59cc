import type {
  CachePageModuleOptions,
  CachePageOrm,
  DependencyMode,
  EntityClass,
} from '../interfaces/cache-page-module-options.interface.js';
import { invalidOptionMessage } from '../cache-page.messages.js';
import { CACHE_PAGE_DEFAULTS } from './defaults.js';
import { resolveBoolean, resolveMilliseconds } from './option-values.js';

/** The ORM group: which MikroORM instances are watched, and how their changes invalidate pages. */
export function resolveOrmOptions(options: CachePageModuleOptions) {
  const defaults = CACHE_PAGE_DEFAULTS;
  return {
    invalidateAllOnChange: resolveBoolean(
      'invalidateAllOnChange',
      options.invalidateAllOnChange,
      defaults.invalidateAllOnChange,
    ),
    ignoreEntities: resolveEntityNames(options.ignoreEntities),
    dependencies: resolveDependencyMode(options.dependencies),
    orm: resolveOrms(options.orm),
    dependentPathsTimeout: resolveMilliseconds(
      'dependentPathsTimeout',
      options.dependentPathsTimeout,
      defaults.dependentPathsTimeout,
      '> 0',
      1,
    ),
    debug: resolveBoolean('debug', options.debug, defaults.debug),
  };
}

function resolveDependencyMode(value: unknown): DependencyMode {
  if (value === undefined) return CACHE_PAGE_DEFAULTS.dependencies;
  if (value !== 'declared' && value !== 'auto') {
    throw new TypeError(invalidOptionMessage('dependencies', value, "must be 'declared' or 'auto'"));
  }
  return value;
}

function resolveEntityNames(value: unknown): ReadonlySet<string> {
  if (value === undefined) return new Set();
  const items: unknown[] = Array.isArray(value) ? value : [];
  const names = items.map((item) =>
    typeof item === 'function' ? (item as EntityClass).name : typeof item === 'string' ? item : '',
  );
  if (!Array.isArray(value) || names.some((name) => name === '')) {
    throw new TypeError(
      invalidOptionMessage('ignoreEntities', value, 'must be an array of entity classes or class names'),
    );
  }
  return new Set(names);
}

function resolveOrms(value: unknown): CachePageOrm[] | undefined {
  if (value === undefined) return undefined;
  const orms: unknown[] = Array.isArray(value) ? value : [value];
  const isOrm = (orm: unknown) =>
    typeof (orm as { em?: { getEventManager?: unknown } } | null)?.em?.getEventManager === 'function';
  if (!orms.every(isOrm)) {
    throw new TypeError(
      invalidOptionMessage(
        'orm',
        value,
        'must be a MikroORM instance or an array of them (what MikroORM.init() returns)',
      ),
    );
  }
  return orms as CachePageOrm[];
}
