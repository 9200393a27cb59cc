import type { EntityMetadata } from '@mikro-orm/core';
import type { MikroOrmCore } from './mikro-orm.loader.js';

/**
 * Watches what `dependentPaths()` reads. An uninitialised reference knows only its primary key,
 * so a path built from any other property of it (`/tags/${tag.name}`) would silently name the
 * wrong page; recording the read lets the subscriber invalidate every page instead.
 */
export class UnloadedReads {
  /** The first property read that MikroORM had not loaded, e.g. `"author.slug"`. */
  first: string | undefined;

  constructor(private readonly core: MikroOrmCore) {}

  /** The entity as `dependentPaths()` should see it: reads are checked, related entities too. */
  guard<T extends object>(value: T, path = ''): T {
    const { core } = this;
    if (core.Reference.isReference(value)) return this.guardReference(value, path);
    if (!core.Utils.isEntity(value)) return value;
    const wrapped = core.helper(value);
    const meta = wrapped.__meta as unknown as EntityMetadata<object>;
    const initialized = wrapped.isInitialized();
    const properties = meta.properties as Record<string, { kind: string } | undefined>;
    return new Proxy(value, {
      get: (target, key, receiver) => {
        const result: unknown = Reflect.get(target, key, receiver);
        const prop = typeof key === 'string' ? properties[key] : undefined;
        if (!prop) return result;
        if (!initialized && !meta.primaryKeys.includes(key as never)) {
          this.first ??= `${path}${String(key)}`;
          return result;
        }
        const toOne = prop.kind === 'm:1' || prop.kind === '1:1';
        return toOne && typeof result === 'object' && result !== null
          ? this.guard(result, `${path}${String(key)}.`)
          : result;
      },
    });
  }

  private guardReference<T extends object>(reference: T, path: string): T {
    return new Proxy(reference, {
      get: (target, key, receiver) => {
        const result: unknown = Reflect.get(target, key, receiver);
        if (key === '$' && typeof result === 'object' && result !== null) return this.guard(result, path);
        if ((key !== 'unwrap' && key !== 'getEntity') || typeof result !== 'function') return result;
        return () => this.guard((result as () => object).call(target), path);
      },
    });
  }
}
