import type { EntityMetadata } from '@mikro-orm/core';
import type { CachePageOrm } from '../interfaces/cache-page-module-options.interface.js';
import type { MikroOrmCore } from '../orm/mikro-orm.loader.js';
import { DependencyKeys } from './dependency-key.js';

type Meta = EntityMetadata<object>;

/**
 * One MikroORM instance as automatic dependencies see it: its key names (by its context name),
 * its entities' metadata by class and by table, its configuration (filters), and how a value
 * (an entity, a reference) becomes part of a key.
 */
export class OrmModel {
  readonly keys: DependencyKeys;
  readonly config: { get(key: string): unknown };
  private readonly metadata: {
    find(name: unknown): Meta | undefined;
    getAll(): Record<string, Meta> | Map<string, Meta>;
  };
  private readonly byTable = new Map<string, Meta>();

  constructor(
    readonly core: MikroOrmCore,
    readonly orm: CachePageOrm,
    prefix: string,
  ) {
    this.config = (orm as unknown as { config: OrmModel['config'] }).config;
    this.keys = new DependencyKeys(prefix, this.contextName);
    this.metadata = (orm as unknown as { getMetadata(): OrmModel['metadata'] }).getMetadata();
    for (const meta of this.allMetas()) {
      if (meta.tableName) this.byTable.set(meta.tableName.toLowerCase(), meta);
    }
  }

  /** The ORM's `contextName` (`'default'` unless `@mikro-orm/nestjs` registered it under another). */
  get contextName(): string {
    return String(this.config.get('contextName') ?? 'default');
  }

  /** The entity stored in `table` (lower case, no schema), if any. */
  metaOfTable(table: string): Meta | undefined {
    return this.byTable.get(table);
  }

  /** A written or read value as a key: an entity or a reference by its primary key. */
  valueOf(value: unknown): unknown {
    if (typeof value !== 'object' || value === null) return value;
    const { Reference, Utils, helper } = this.core;
    const entity = Reference.isReference(value) ? Reference.unwrapReference(value as never) : value;
    if (Utils.isEntity(entity))
      return (helper(entity as never) as unknown as { getPrimaryKey(): unknown }).getPrimaryKey();
    return value;
  }

  /** An entity's metadata by class or name (MikroORM 7 passes classes). */
  metaOf(name: unknown): Meta | undefined {
    try {
      return (
        this.metadata.find(name) ?? (typeof name === 'function' ? this.metadata.find(name.name) : undefined)
      );
    } catch {
      return undefined;
    }
  }

  /** Every entity of this ORM, pivot entities included, embeddables not. */
  allMetas(): Meta[] {
    const all = this.metadata.getAll();
    const metas = all instanceof Map ? [...all.values()] : Object.values(all);
    return metas.filter((meta) => !meta.embeddable && meta.className);
  }

  /** The conditions of the filters that can apply to `meta` (its own, and global ones naming it or every entity). */
  filterConditions(meta: Meta): unknown[] {
    type Filter = { cond?: unknown; entity?: string | string[] };
    const own = Object.values(
      ((meta as { filters?: Record<string, Filter> }).filters ?? {}) as Record<string, Filter>,
    );
    const global = Object.values((this.config.get('filters') ?? {}) as Record<string, Filter>).filter(
      (filter) => {
        const entities = filter.entity === undefined ? undefined : ([] as string[]).concat(filter.entity);
        return !entities || entities.includes(meta.className);
      },
    );
    return [...own, ...global].map((filter) => filter.cond);
  }
}
