import type { DiscoveryService } from '@nestjs/core';
import type { CachePageOrm } from '../interfaces/cache-page-module-options.interface.js';

/**
 * Every MikroORM instance the app provides (Nest's `DiscoveryService`, in every module): the
 * default and named contexts of `@mikro-orm/nestjs`, the driver-specific `MikroORM` tokens, and
 * user providers such as `{ provide: MikroORM, useValue: orm }`. Recognised by shape, so nothing
 * here loads MikroORM.
 */
export function findMikroOrms(discovery: DiscoveryService): CachePageOrm[] {
  const found = new Set<CachePageOrm>();
  for (const wrapper of discovery.getProviders()) {
    try {
      if (wrapper.isTransient || !wrapper.isDependencyTreeStatic()) continue;
      const instance: unknown = wrapper.instance;
      if (isMikroOrm(instance)) found.add(instance);
    } catch {
      // A provider whose instance cannot be inspected is not a MikroORM instance.
    }
  }
  return [...found];
}

function isMikroOrm(value: unknown): value is CachePageOrm {
  const orm = value as {
    em?: { getEventManager?: unknown };
    getMetadata?: unknown;
    isConnected?: unknown;
  } | null;
  return (
    typeof orm === 'object' &&
    orm !== null &&
    typeof orm.getMetadata === 'function' &&
    typeof orm.isConnected === 'function' &&
    typeof orm.em?.getEventManager === 'function'
  );
}
