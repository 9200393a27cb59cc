import type {
  CachePageModuleOptions,
  FastPathMode,
} from '../interfaces/cache-page-module-options.interface.js';
import { invalidOptionMessage } from '../cache-page.messages.js';
import { CACHE_PAGE_DEFAULTS } from './defaults.js';
import { resolveBoolean, resolveStringList } from './option-values.js';

/** The HTTP group: which requests and responses are cached, and how hits are answered. */
export function resolveHttpOptions(options: CachePageModuleOptions) {
  const defaults = CACHE_PAGE_DEFAULTS;
  return {
    global: resolveBoolean('global', options.global, defaults.global),
    enabled: resolveBoolean('enabled', options.enabled, defaults.enabled),
    cacheableStatuses: resolveStatuses(options.cacheableStatuses),
    bypassCookies: resolveStringList('bypassCookies', options.bypassCookies),
    languages: resolveLanguages(options.languages),
    fastPath: resolveFastPath(options.fastPath),
    skippableMiddleware: resolveSkippableMiddleware(options.skippableMiddleware),
  };
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
