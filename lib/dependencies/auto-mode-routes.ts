import type { DiscoveryService } from '@nestjs/core';
import { CACHE_PAGE_METADATA } from '../cache-page.constants.js';
import type { CachePageRouteOptions } from '../interfaces/cache-page-module-options.interface.js';

/** Whether any controller of the app, or one of its methods, asks for `@CachePage({ dependencies: 'auto' })`. */
export function anyRouteInAutoMode(discovery: DiscoveryService): boolean {
  const isAuto = (target: object) =>
    (Reflect.getMetadata(CACHE_PAGE_METADATA, target) as CachePageRouteOptions | undefined)?.dependencies ===
    'auto';
  for (const wrapper of discovery.getControllers()) {
    const controller = wrapper.metatype as (Function & { prototype: object }) | null | undefined;
    if (!controller) continue;
    if (isAuto(controller)) return true;
    for (const name of Object.getOwnPropertyNames(controller.prototype)) {
      const method = Object.getOwnPropertyDescriptor(controller.prototype, name)?.value as unknown;
      if (typeof method === 'function' && isAuto(method)) return true;
    }
  }
  return false;
}
