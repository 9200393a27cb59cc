import type { CachePageModuleOptions } from '../interfaces/cache-page-module-options.interface.js';
import { invalidOptionMessage } from '../cache-page.messages.js';
import { CACHE_PAGE_DEFAULTS, WARM_UP_DEFAULTS } from './defaults.js';
import { resolveMilliseconds, resolvePositiveInteger } from './option-values.js';

/** Warm-up as resolved: `undefined` when off. */
export interface ResolvedWarmUp {
  /** Renders at once, per process. */
  readonly concurrency: number;
  /** From the commit to the first warm render, ms. */
  readonly delay: number;
  /** Only pages hit within this long before the invalidation are warmed, ms. */
  readonly hitWithin: number;
}

/** The grace group: what readers get right after an invalidation (stale pages, warm-up). */
export function resolveGraceOptions(options: CachePageModuleOptions) {
  const defaults = CACHE_PAGE_DEFAULTS;
  return {
    staleWhileRevalidate: resolveMilliseconds(
      'staleWhileRevalidate',
      options.staleWhileRevalidate,
      defaults.staleWhileRevalidate,
      '>= 0 (0 = never stale)',
    ),
    staleIfError: resolveMilliseconds(
      'staleIfError',
      options.staleIfError,
      defaults.staleIfError,
      '>= 0 (0 = never stale)',
    ),
    warmUp: resolveWarmUp(options.warmUp),
  };
}

function resolveWarmUp(value: unknown): ResolvedWarmUp | undefined {
  if (value === undefined || value === false) return undefined;
  if (value === true) return WARM_UP_DEFAULTS;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(
      invalidOptionMessage('warmUp', value, 'must be true, false or { concurrency?, delay?, hitWithin? }'),
    );
  }
  const given = value as Record<string, unknown>;
  const unknown = Object.keys(given).find((name) => !(name in WARM_UP_DEFAULTS));
  if (unknown !== undefined) {
    throw new TypeError(
      invalidOptionMessage(
        `warmUp.${unknown}`,
        given[unknown],
        'is not an option of warmUp (concurrency, delay, hitWithin)',
      ),
    );
  }
  return {
    concurrency: resolvePositiveInteger(
      'warmUp.concurrency',
      given.concurrency,
      WARM_UP_DEFAULTS.concurrency,
    ),
    delay: resolveMilliseconds('warmUp.delay', given.delay, WARM_UP_DEFAULTS.delay, '>= 0'),
    hitWithin: resolveMilliseconds('warmUp.hitWithin', given.hitWithin, WARM_UP_DEFAULTS.hitWithin, '> 0', 1),
  };
}
