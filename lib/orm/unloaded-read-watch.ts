import type { EntityMetadata } from '@mikro-orm/core';
import type { MikroOrmCore } from './mikro-orm.loader.js';

interface Collectionish {
  isInitialized(): boolean;
}

/**
 * Watches what `dependentPaths()` reads. An uninitialised reference knows only its primary key
 * and an unloaded collection knows nothing, so a path built from them (`/tags/${tag.name}`)
 * would silently name the wrong page; recording the read lets the subscriber invalidate every
 * page instead. The entity, its to-one references, its loaded collections and their items are
 * watched; collection methods run on the real collection, their entity arguments unwrapped.
 */
export class UnloadedReadWatch {
  /** The first property read that MikroORM had not loaded, e.g. `"author.slug"`. */
  first: string | undefined;

  private readonly targets = new WeakMap<object, object>();

  constructor(private readonly core: MikroOrmCore) {}

  /** The value as `dependentPaths()` should see it: entities and references come back watched. */
  guard<T>(value: T, path = ''): T {
    const { core } = this;
    if (typeof value !== 'object' || value === null || this.targets.has(value)) return value;
    if (core.Reference.isReference(value)) return this.watch(value, this.referenceTrap(path)) as T;
    if (!core.Utils.isEntity(value)) return value;
    const wrapped = core.helper(value);
    const meta = wrapped.__meta as unknown as EntityMetadata<object>;
    const initialized = wrapped.isInitialized();
    const properties = meta.properties as Record<string, { kind: string } | undefined>;
    return this.watch(value as object, (target, key, receiver) => {
      const result: unknown = Reflect.get(target, key, receiver);
      const kind = typeof key === 'string' ? properties[key]?.kind : undefined;
      if (kind === undefined) return result;
      const name = `${path}${String(key)}`;
      if (!initialized && !meta.primaryKeys.includes(key as never)) return this.read(name, result);
      if (kind === '1:m' || kind === 'm:n') return this.guardCollection(result, name);
      return kind === 'm:1' || kind === '1:1' ? this.guard(result, `${name}.`) : result;
    }) as T;
  }

  private guardCollection(collection: unknown, name: string): unknown {
    if (typeof collection !== 'object' || collection === null) return collection;
    if (!(collection as Collectionish).isInitialized()) return this.read(name, collection);
    const itemPath = `${name}[].`;
    return this.watch(collection, (target, key) => {
      const member: unknown = Reflect.get(target, key, target);
      if (typeof member !== 'function') return member;
      if (key === Symbol.iterator) {
        const items = () => (member as () => Iterator<unknown>).call(target);
        return () => this.guardIterator(items(), itemPath);
      }
      return (...args: unknown[]) => {
        const result: unknown = (member as (...args: unknown[]) => unknown).apply(
          target,
          args.map((arg) =>
            typeof arg === 'function' ? this.guardCallback(arg, itemPath) : this.unwrap(arg),
          ),
        );
        return Array.isArray(result)
          ? result.map((item) => this.guard(item, itemPath))
          : this.guard(result, itemPath);
      };
    });
  }

  private referenceTrap(path: string): ProxyHandler<object>['get'] {
    return (target, key, receiver) => {
      const result: unknown = Reflect.get(target, key, receiver);
      if (key === '$') return this.guard(result, path);
      if ((key !== 'unwrap' && key !== 'getEntity') || typeof result !== 'function') return result;
      return () => this.guard((result as () => object).call(target), path);
    };
  }

  private guardCallback(callback: Function, path: string): Function {
    return (...args: unknown[]) => callback(...args.map((arg) => this.guard(arg, path)));
  }

  private *guardIterator(items: Iterator<unknown>, path: string): Generator<unknown> {
    for (let next = items.next(); !next.done; next = items.next()) yield this.guard(next.value, path);
  }

  private read(name: string, value: unknown): unknown {
    this.first ??= name;
    return value;
  }

  private watch<T extends object>(target: T, get: ProxyHandler<T>['get']): T {
    const proxy = new Proxy(target, { get });
    this.targets.set(proxy, target);
    return proxy;
  }

  private unwrap(value: unknown): unknown {
    return typeof value === 'object' && value !== null ? (this.targets.get(value) ?? value) : value;
  }
}
