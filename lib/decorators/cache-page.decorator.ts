import { SetMetadata } from '@nestjs/common';
import { CACHE_PAGE_METADATA } from '../cache-page.constants.js';
import type { CachePageRouteOptions } from '../interfaces/cache-page-module-options.interface.js';
import { invalidRouteOptionMessage } from '../cache-page.messages.js';
import { checkCacheControl } from '../options/cache-control.js';

/**
 * Caches this route's GET pages. Needed only when the module runs with `global: false`; with the
 * default `global: true` it just carries per-route options. On a controller, it applies to every
 * route of it; a method's options win over its controller's.
 *
 * For example: `@CachePage({ ttl: 60_000 })`
 *
 * @param options per-route options, e.g. `ttl` in milliseconds (`0` = forever)
 * @publicApi
 */
export const CachePage = (options: CachePageRouteOptions = {}): ClassDecorator & MethodDecorator => {
  const { ttl } = options;
  for (const flag of ['public', 'fastPath', 'warmUp'] as const) {
    if (options[flag] !== undefined && typeof options[flag] !== 'boolean') {
      throw new TypeError(invalidRouteOptionMessage(flag, options[flag], 'must be true or false'));
    }
  }
  const { dependencies } = options;
  if (options.cacheControl !== undefined) checkCacheControl(options.cacheControl, true);
  if (options.fragments !== undefined && options.fragments !== 'server' && options.fragments !== 'client') {
    throw new TypeError(
      invalidRouteOptionMessage('fragments', options.fragments, "must be 'server' or 'client'"),
    );
  }
  if (dependencies !== undefined && dependencies !== 'declared' && dependencies !== 'auto') {
    throw new TypeError(
      invalidRouteOptionMessage('dependencies', dependencies, "must be 'declared' or 'auto'"),
    );
  }
  for (const window of ['staleWhileRevalidate', 'staleIfError'] as const) {
    const ms = options[window];
    if (ms !== undefined && (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0)) {
      throw new TypeError(
        invalidRouteOptionMessage(window, ms, 'must be a number of milliseconds >= 0 (0 = never stale)'),
      );
    }
  }
  if (ttl !== undefined && (typeof ttl !== 'number' || !Number.isFinite(ttl) || ttl < 0)) {
    throw new TypeError(
      invalidRouteOptionMessage('ttl', ttl, 'must be a number of milliseconds >= 0 (0 = forever)'),
    );
  }
  return SetMetadata(CACHE_PAGE_METADATA, options);
};
