import type { EntityMetadata, EntityProperty } from '@mikro-orm/core';
import type { InvalidationTrigger } from '../observation/invalidation-record.js';
import { valueKey } from './dependency-key.js';
import type { OrmModel } from './orm-model.js';
import type { SqlStatement } from './sql-statement.js';
import { equalityRows, primaryKeysOf } from './where-rows.js';
import { WriteKeys } from './write-dependencies.js';

type Meta = EntityMetadata<object>;
type Prop = EntityProperty<object>;
type Row = Record<string, unknown>;

/** Where the writes of one ORM go: into their transaction, or invalidated around an autocommit. */
export interface WriteSink {
  /** `keys` (or every page, `'all'`) change when `transaction` commits. */
  inTransaction(
    transaction: object,
    keys: WriteKeys | 'all',
    entity: string | undefined,
    trigger: InvalidationTrigger,
  ): void;
  /** Runs an autocommitted write: leases `keys` before, invalidates them after. */
  aroundAutocommit<T>(
    keys: WriteKeys | 'all',
    entity: string | undefined,
    write: () => Promise<T>,
    trigger: InvalidationTrigger,
  ): Promise<T>;
}

/**
 * The writes through one ORM, turned into the keys they renew and handed to the sink with their
 * transaction: the driver's inserts, updates and deletes (the unit of work's and `em.native*()`,
 * `em.insert()`, `em.upsert()`), and SQL writes (QueryBuilder, raw SQL).
 */
export class WriteRecorder {
  /** Rows the unit of work is deleting (announced in `onFlush`), with their values, by class and key. */
  private readonly deleting = new Map<string, Row>();

  constructor(
    private readonly model: OrmModel,
    private readonly sink: WriteSink,
  ) {}

  /** `onFlush`: the rows the unit of work will delete, with their values (its statement names only keys). */
  flushing(changeSets: Iterable<{ type: string; entity: object; meta: object }>): void {
    if (this.deleting.size > 10_000) this.deleting.clear();
    for (const changeSet of changeSets) {
      if (!changeSet.type.startsWith('delete')) continue;
      const meta = changeSet.meta as Meta;
      const entity = changeSet.entity as Row;
      const row: Row = {};
      const initialized = (this.model.core.helper(entity as never) as unknown as { __initialized: boolean })
        .__initialized;
      for (const prop of Object.values(meta.properties as Record<string, Prop>)) {
        if (!initialized && !meta.primaryKeys.includes(prop.name as never)) continue;
        const known = prop.kind === 'scalar' || prop.kind === 'm:1' || (prop.kind === '1:1' && prop.owner);
        // A reference removed without loading knows its key only: the rest stays unknown.
        if (known && entity[prop.name] !== undefined) row[prop.name] = this.model.valueOf(entity[prop.name]);
      }
      const pk = meta.primaryKeys.map((name) => row[name as string]);
      this.deleting.set(
        `${meta.root?.className ?? meta.className}#${valueKey(pk.length === 1 ? pk[0] : pk)}`,
        row,
      );
    }
  }

  /** A driver write (`nativeInsert`, `nativeUpdateMany`, …) with its arguments, run by `call`. */
  driverWrite(method: string, args: unknown[], call: () => Promise<unknown>): Promise<unknown> {
    const meta = this.model.metaOf(args[0]);
    const options = (
      method === 'nativeInsert' || method === 'nativeInsertMany'
        ? args[2]
        : method === 'nativeDelete'
          ? args[2]
          : args[3]
    ) as { ctx?: object; upsert?: boolean } | undefined;
    const trigger: InvalidationTrigger = method.startsWith('nativeInsert')
      ? 'create'
      : method === 'nativeDelete'
        ? 'delete'
        : options?.upsert
          ? 'upsert'
          : 'update';
    if (!meta) return this.commit(options?.ctx, 'all', undefined, trigger, call);
    const keys = this.writeKeys();
    switch (method) {
      case 'nativeInsert':
        keys.insertOrDelete(meta, [args[1] as Row]);
        break;
      case 'nativeInsertMany':
        keys.insertOrDelete(meta, (args[1] as Row[]) ?? []);
        break;
      case 'nativeUpdate':
        this.update(keys, meta, args[1], args[2] as Row, options?.upsert);
        break;
      case 'nativeUpdateMany': {
        const wheres = (args[1] as unknown[]) ?? [];
        const data = (args[2] as Row[]) ?? [];
        data.forEach((row, index) => this.update(keys, meta, wheres[index], row, options?.upsert));
        break;
      }
      default:
        this.delete(keys, meta, args[1]);
    }
    return this.commit(options?.ctx, keys, meta.className, trigger, call);
  }

  /** A SQL write (`statement` `undefined`: SQL that could not be read), run by `call`. */
  sqlWrite(
    statement: SqlStatement | undefined,
    ctx: object | undefined,
    call: () => Promise<unknown>,
  ): Promise<unknown> {
    const metas = statement?.tables?.map((table) => this.model.metaOfTable(table));
    if (!metas || metas.some((meta) => meta === undefined))
      return this.commit(ctx, 'all', undefined, 'native', call);
    const keys = this.writeKeys();
    for (const meta of metas as Meta[]) {
      keys.untracked(meta);
      this.childrenOf(meta, keys);
    }
    return this.commit(ctx, keys, (metas as Meta[])[0]?.className, 'native', call);
  }

  private update(keys: WriteKeys, meta: Meta, where: unknown, data: Row, upsert: boolean | undefined): void {
    keys.update(meta, primaryKeysOf(meta, where), data ?? {});
    if (upsert) keys.insertOrDelete(meta, [{ ...(equalityRows(meta, where)?.[0] ?? {}), ...data }]);
  }

  private delete(keys: WriteKeys, meta: Meta, where: unknown): void {
    const root = meta.root?.className ?? meta.className;
    const pks = primaryKeysOf(meta, where);
    const known = pks?.map((pk) => this.deleting.get(`${root}#${valueKey(pk)}`));
    if (pks && known?.every((row) => row !== undefined)) {
      for (const pk of pks) this.deleting.delete(`${root}#${valueKey(pk)}`);
      keys.insertOrDelete(meta, known as Row[]);
    } else {
      const rows = equalityRows(meta, where);
      if (rows) keys.insertOrDelete(meta, rows);
      else keys.untracked(meta);
    }
    this.childrenOf(meta, keys);
  }

  /**
   * Rows of other classes whose foreign key points at `meta` can change with it in the database
   * alone (`ON DELETE CASCADE`, `SET NULL`): those classes, untracked.
   */
  private childrenOf(meta: Meta, keys: WriteKeys): void {
    for (const other of this.model.allMetas()) {
      for (const prop of other.relations as Prop[]) {
        const points = prop.kind === 'm:1' || (prop.kind === '1:1' && prop.owner);
        if (points && (prop.targetMeta as Meta | undefined)?.className === meta.className)
          keys.untracked(other);
      }
    }
  }

  private commit<T>(
    ctx: object | undefined,
    keys: WriteKeys | 'all',
    entity: string | undefined,
    trigger: InvalidationTrigger,
    call: () => Promise<T>,
  ): Promise<T> {
    if (ctx) {
      this.sink.inTransaction(ctx, keys, entity, trigger);
      return call();
    }
    return this.sink.aroundAutocommit(keys, entity, call, trigger);
  }

  private writeKeys(): WriteKeys {
    return new WriteKeys(this.model.keys, (value) => this.model.valueOf(value));
  }
}
