import type { Cache } from 'cache-manager';
import type {
  CachePageModuleOptions,
  CachePageOrm,
  EntityClass,
  FastPathMode,
  PathPattern,
} from './interfaces/cache-page-module-options.interface.js';
import {
  ignorePathWithoutItselfMessage,
  invalidCacheMessage,
  invalidIgnorePathMessage,
  invalidOptionMessage,
} from './cache-page.messages.js';

/** The module options after defaults and validation: what the rest of the code reads. */
export interface ResolvedCachePageOptions {
  readonly ignorePaths: readonly PathPattern[];
  readonly keyPrefix: string;
  readonly ttl: number;
  readonly cache: Cache | undefined;
  readonly maxEntries: number;
  readonly maxBytes: number;
  readonly global: boolean;
  readonly enabled: boolean;
  readonly cacheableStatuses: ReadonlySet<number>;
  readonly bypassCookies: readonly string[];
  readonly invalidateAllOnChange: boolean;
  readonly ignoreEntities: ReadonlySet<string>;
  readonly debug: boolean;
  /** `undefined`: find the app's MikroORM providers at startup. */
  readonly orm: readonly CachePageOrm[] | undefined;
  readonly storeTimeout: number;
  readonly reclaimAfter: number;
  readonly dependentPathsTimeout: number;
  readonly languages: readonly string[];
  readonly reloadOnBack: boolean;
  readonly fastPath: FastPathMode;
  /** Middleware the fast path may skip: function and hook names, and middleware classes. */
  readonly skippableMiddleware: ReadonlyArray<string | Function>;
  readonly noStoreUncached: boolean;
  /** Startup warnings about the options (logged once by the module). */
  readonly warnings: readonly string[];
}

const DAY_MS = 24 * 60 * 60_000;

/** Every default, in one place (the interface's `@default` tags say the same). */
export const CACHE_PAGE_DEFAULTS = {
  ignorePaths: ['/admin'],
  keyPrefix: 'cache-page:',
  ttl: 0,
  maxEntries: 10_000,
  maxBytes: 128 * 1024 * 1024,
  global: true,
  enabled: true,
  cacheableStatuses: [200],
  bypassCookies: [],
  invalidateAllOnChange: false,
  ignoreEntities: [],
  debug: false,
  storeTimeout: 250,
  reclaimAfter: 7 * DAY_MS,
  dependentPathsTimeout: 1_000,
  languages: [],
  reloadOnBack: false,
  fastPath: 'auto' as FastPathMode,
  skippableMiddleware: [],
  noStoreUncached: false,
} as const satisfies Partial<Record<keyof CachePageModuleOptions, unknown>>;

const CACHE_METHODS = ['get', 'mget', 'set', 'mset', 'mdel'] as const;

/**
 * Applies defaults to user options and rejects bad values with an error that names the option,
 * the value and the fix. Runs once, when the module's providers are created.
 */
export function resolveCachePageOptions(options: CachePageModuleOptions = {}): ResolvedCachePageOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(invalidOptionMessage('options', options, 'must be an object'));
  }
  const defaults = CACHE_PAGE_DEFAULTS;
  const ignorePaths = resolveIgnorePaths(options.ignorePaths);
  return {
    ignorePaths,
    keyPrefix: resolveString('keyPrefix', options.keyPrefix, defaults.keyPrefix),
    ttl: resolveMilliseconds('ttl', options.ttl, defaults.ttl, '>= 0 (0 = forever)'),
    cache: resolveCache(options.cache),
    maxEntries: resolvePositiveInteger('maxEntries', options.maxEntries, defaults.maxEntries),
    maxBytes: resolvePositiveInteger('maxBytes', options.maxBytes, defaults.maxBytes),
    global: resolveBoolean('global', options.global, defaults.global),
    enabled: resolveBoolean('enabled', options.enabled, defaults.enabled),
    cacheableStatuses: resolveStatuses(options.cacheableStatuses),
    bypassCookies: resolveStringList('bypassCookies', options.bypassCookies),
    invalidateAllOnChange: resolveBoolean(
      'invalidateAllOnChange',
      options.invalidateAllOnChange,
      defaults.invalidateAllOnChange,
    ),
    ignoreEntities: resolveEntityNames(options.ignoreEntities),
    debug: resolveBoolean('debug', options.debug, defaults.debug),
    orm: resolveOrms(options.orm),
    storeTimeout: resolveMilliseconds('storeTimeout', options.storeTimeout, defaults.storeTimeout, '> 0', 1),
    reclaimAfter: resolveMilliseconds('reclaimAfter', options.reclaimAfter, defaults.reclaimAfter, '> 0', 1),
    dependentPathsTimeout: resolveMilliseconds(
      'dependentPathsTimeout',
      options.dependentPathsTimeout,
      defaults.dependentPathsTimeout,
      '> 0',
      1,
    ),
    languages: resolveLanguages(options.languages),
    reloadOnBack: resolveBoolean('reloadOnBack', options.reloadOnBack, defaults.reloadOnBack),
    fastPath: resolveFastPath(options.fastPath),
    skippableMiddleware: resolveSkippableMiddleware(options.skippableMiddleware),
    noStoreUncached: resolveBoolean('noStoreUncached', options.noStoreUncached, defaults.noStoreUncached),
    warnings: ignorePaths.flatMap(ignorePathWarning),
  };
}

function resolveMilliseconds(
  option: string,
  value: unknown,
  fallback: number,
  range: string,
  minimum = 0,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < minimum) {
    throw new TypeError(invalidOptionMessage(option, value, `must be a number of milliseconds ${range}`));
  }
  return Math.floor(value);
}

function resolveIgnorePaths(value: unknown): PathPattern[] {
  if (value === undefined) return [...CACHE_PAGE_DEFAULTS.ignorePaths];
  const patterns: unknown[] = Array.isArray(value) ? value : [value];
  return patterns.map((pattern) => toPathPattern(pattern));
}

function toPathPattern(pattern: unknown): PathPattern {
  if (pattern instanceof RegExp) {
    // A global or sticky RegExp keeps lastIndex between test() calls and would match every other request.
    return pattern.global || pattern.sticky
      ? new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ''))
      : pattern;
  }
  if (typeof pattern !== 'string' || !pattern.startsWith('/')) {
    throw new TypeError(invalidIgnorePathMessage(pattern, 'expected a path such as "/account" or a RegExp'));
  }
  return pattern;
}

/**
 * A RegExp such as `/^\/account\//` matches everything under `/account` but not `/account`
 * itself, which is then cached: almost never what was meant.
 */
function ignorePathWarning(pattern: PathPattern): string[] {
  if (typeof pattern === 'string') return [];
  const literal = /^\^((?:\\\/|[\w.~-])+)/.exec(pattern.source)?.[1]?.replace(/\\\//g, '/');
  if (!literal?.endsWith('/') || literal === '/') return [];
  const itself = literal.slice(0, -1);
  return pattern.test(`${literal}x`) && !pattern.test(itself)
    ? [ignorePathWithoutItselfMessage(pattern, itself)]
    : [];
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

function resolveFastPath(value: unknown): FastPathMode {
  if (value === undefined) return CACHE_PAGE_DEFAULTS.fastPath;
  if (value !== 'auto' && value !== true && value !== false) {
    throw new TypeError(invalidOptionMessage('fastPath', value, "must be 'auto', true or false"));
  }
  return value;
}

function resolveSkippableMiddleware(value: unknown): Array<string | Function> {
  if (value === undefined) return [];
  const valid =
    Array.isArray(value) &&
    value.every((item) => (typeof item === 'string' && item !== '') || typeof item === 'function');
  if (!valid) {
    throw new TypeError(
      invalidOptionMessage(
        'skippableMiddleware',
        value,
        "must be an array of middleware function names, Fastify hook names or middleware classes (e.g. ['requestLogger', MetricsMiddleware])",
      ),
    );
  }
  return [...value];
}

function resolvePositiveInteger(option: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new TypeError(invalidOptionMessage(option, value, 'must be a positive integer'));
  }
  return value;
}

function resolveStatuses(value: unknown): ReadonlySet<number> {
  if (value === undefined) return new Set(CACHE_PAGE_DEFAULTS.cacheableStatuses);
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

function resolveLanguages(value: unknown): string[] {
  const languages = resolveStringList('languages', value);
  const invalid = languages.find((language) => !/^[a-z]{1,8}(?:-[a-z0-9]{1,8})*$/i.test(language));
  if (invalid !== undefined) {
    throw new TypeError(
      invalidOptionMessage(
        'languages',
        value,
        `must be language tags such as ['en', 'de-CH'] (${JSON.stringify(invalid)} is not one)`,
      ),
    );
  }
  return languages;
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
