import type { Cache } from 'cache-manager';
import type {
  CachePageModuleOptions,
  CachePageOrm,
  EntityClass,
} from './interfaces/cache-page-module-options.interface.js';
import {
  invalidCacheMessage,
  invalidIgnorePathMessage,
  invalidOptionMessage,
} from './cache-page.messages.js';

/** The module options after defaults and validation: what the rest of the code reads. */
export interface ResolvedCachePageOptions {
  readonly ignorePaths: readonly RegExp[];
  readonly keyPrefix: string;
  readonly ttl: number;
  readonly cache: Cache | undefined;
  readonly maxEntries: number;
  readonly global: boolean;
  readonly enabled: boolean;
  readonly cacheableStatuses: ReadonlySet<number>;
  readonly bypassCookies: readonly string[];
  readonly invalidateAllOnChange: boolean;
  readonly ignoreEntities: ReadonlySet<string>;
  readonly debug: boolean;
  /** `undefined`: find the app's MikroORM providers at startup. */
  readonly orm: readonly CachePageOrm[] | undefined;
}

/** `/admin` and everything under it. */
const DEFAULT_IGNORE_PATHS: readonly RegExp[] = [/^\/admin(?:\/|$)/];
const DEFAULT_KEY_PREFIX = 'cache-page:';
const DEFAULT_MAX_ENTRIES = 10_000;

const CACHE_METHODS = ['get', 'mget', 'set', 'mset', 'mdel'] as const;

/**
 * Applies defaults to user options and rejects bad values with an error that names the option,
 * the value and the fix. Runs once, when the module's providers are created.
 */
export function resolveCachePageOptions(options: CachePageModuleOptions = {}): ResolvedCachePageOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(invalidOptionMessage('options', options, 'must be an object'));
  }
  return {
    ignorePaths: resolveIgnorePaths(options.ignorePaths),
    keyPrefix: resolveString('keyPrefix', options.keyPrefix, DEFAULT_KEY_PREFIX),
    ttl: resolveMilliseconds('ttl', options.ttl, 0),
    cache: resolveCache(options.cache),
    maxEntries: resolvePositiveInteger('maxEntries', options.maxEntries, DEFAULT_MAX_ENTRIES),
    global: resolveBoolean('global', options.global, true),
    enabled: resolveBoolean('enabled', options.enabled, true),
    cacheableStatuses: resolveStatuses(options.cacheableStatuses),
    bypassCookies: resolveStringList('bypassCookies', options.bypassCookies),
    invalidateAllOnChange: resolveBoolean('invalidateAllOnChange', options.invalidateAllOnChange, false),
    ignoreEntities: resolveEntityNames(options.ignoreEntities),
    debug: resolveBoolean('debug', options.debug, false),
    orm: resolveOrms(options.orm),
  };
}

function resolveMilliseconds(option: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new TypeError(
      invalidOptionMessage(option, value, 'must be a number of milliseconds >= 0 (0 = forever)'),
    );
  }
  return Math.floor(value);
}

function resolveIgnorePaths(value: unknown): RegExp[] {
  if (value === undefined) return [...DEFAULT_IGNORE_PATHS];
  const patterns: unknown[] = Array.isArray(value) ? value : [value];
  return patterns.map((pattern) => toRegExp(pattern));
}

function toRegExp(pattern: unknown): RegExp {
  if (pattern instanceof RegExp) {
    // A global or sticky RegExp keeps lastIndex between test() calls and would match every other request.
    return pattern.global || pattern.sticky
      ? new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ''))
      : pattern;
  }
  if (typeof pattern !== 'string' || pattern === '') {
    throw new TypeError(invalidIgnorePathMessage(pattern, 'expected a RegExp or a non-empty string'));
  }
  try {
    return new RegExp(pattern);
  } catch (error) {
    throw new TypeError(invalidIgnorePathMessage(pattern, (error as Error).message));
  }
}

function resolveString(option: string, value: unknown, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string') throw new TypeError(invalidOptionMessage(option, value, 'must be a string'));
  return value;
}

function resolveBoolean(option: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean')
    throw new TypeError(invalidOptionMessage(option, value, 'must be true or false'));
  return value;
}

function resolvePositiveInteger(option: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new TypeError(invalidOptionMessage(option, value, 'must be a positive integer'));
  }
  return value;
}

function resolveStatuses(value: unknown): ReadonlySet<number> {
  if (value === undefined) return new Set([200]);
  const valid =
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((status) => Number.isInteger(status) && status >= 200 && status < 600);
  if (!valid) {
    throw new TypeError(
      invalidOptionMessage(
        'cacheableStatuses',
        value,
        'must be a non-empty array of HTTP statuses (e.g. [200])',
      ),
    );
  }
  return new Set(value as number[]);
}

function resolveStringList(option: string, value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string' && item !== '')) {
    throw new TypeError(invalidOptionMessage(option, value, 'must be an array of non-empty strings'));
  }
  return [...value];
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

function resolveCache(value: unknown): Cache | undefined {
  if (value === undefined) return undefined;
  const missing = CACHE_METHODS.filter(
    (method) => typeof (value as Record<string, unknown> | null)?.[method] !== 'function',
  );
  if (missing.length > 0) throw new TypeError(invalidCacheMessage(missing));
  return value as Cache;
}
