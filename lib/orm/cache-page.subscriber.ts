import { Logger } from '@nestjs/common';
import type {
  EntityClass,
  EntityManager,
  EntityMetadata,
  EventArgs,
  EventSubscriber,
  FlushEventArgs,
  Primary,
  TransactionEventArgs,
  UnitOfWork,
} from '@mikro-orm/core';
import { LOGGER_CONTEXT } from '../cache-page.constants.js';
import {
  badDependentPathsMessage,
  entityInvalidationFailedMessage,
  unloadedReadMessage,
} from '../cache-page.messages.js';
import type { ResolvedCachePageOptions } from '../cache-page.options.js';
import type { PageStore } from '../store/page-store.js';
import { ThrottledLogger } from '../utils/throttled-logger.js';
import {
  callDependentPaths,
  DependentPathsProblem,
  isDependentPathsClass,
} from './dependent-paths.resolver.js';
import { ForeignKey, type EntityChange } from './entity-change.js';
import { collectFlushChanges, upsertChanges } from './flush-changes.collector.js';
import { InvalidationBatch } from './invalidation-batch.js';
import type { MikroOrmCore } from './mikro-orm.loader.js';
import { TransactionBatches } from './transaction-batches.js';
import { UnloadedReads } from './unloaded-reads.guard.js';

/**
 * Turns MikroORM entity changes into page invalidations, after the data is committed.
 *
 * `onFlush` records what the flush writes (change sets, M:N diffs, moved children); `afterFlush`
 * asks the `@DependentPaths()` entities for their paths, now that new rows have keys. Outside a
 * transaction the flush has committed by then, so the pages are invalidated at once; inside one,
 * they wait for the root transaction's commit and are dropped on its rollback. Nothing here ever
 * throws into MikroORM: a failure invalidates every page instead.
 */
export class CachePageSubscriber implements EventSubscriber {
  private readonly flushes = new WeakMap<UnitOfWork, EntityChange[] | Error>();
  private readonly transactions = new TransactionBatches();
  private readonly logger = new Logger(LOGGER_CONTEXT);
  private readonly errors = new ThrottledLogger();
  private readonly warned = new Set<string>();
  private active = true;

  constructor(
    private readonly core: MikroOrmCore,
    private readonly options: ResolvedCachePageOptions,
    private readonly store: PageStore,
  ) {}

  /** Stops reacting to events (MikroORM has no way to unregister a subscriber). */
  dispose(): void {
    this.active = false;
  }

  onFlush({ uow }: FlushEventArgs): void {
    if (!this.active) return;
    try {
      this.flushes.set(uow, collectFlushChanges(this.core, uow));
    } catch (error) {
      this.flushes.set(uow, toError(error));
    }
  }

  async afterFlush({ em, uow }: FlushEventArgs): Promise<void> {
    const changes = this.flushes.get(uow);
    this.flushes.delete(uow);
    if (this.active && changes !== undefined) await this.record(em, 'afterFlush', changes);
  }

  /** `em.upsert()` fires no flush events, only this one, right after its query. */
  async afterUpsert({ em, entity, meta }: EventArgs<object>): Promise<void> {
    if (!this.active) return;
    let changes: EntityChange[] | Error;
    try {
      changes = upsertChanges(this.core, entity, meta);
    } catch (error) {
      changes = toError(error);
    }
    await this.record(em, 'afterUpsert', changes);
  }

  beforeTransactionStart({ em, transaction }: TransactionEventArgs): void {
    if (this.active && em) this.transactions.willStart(em, transaction);
  }

  afterTransactionStart({ em, transaction }: TransactionEventArgs): void {
    if (this.active && em) this.transactions.started(em, transaction);
  }

  async afterTransactionCommit({ transaction }: TransactionEventArgs): Promise<void> {
    if (!this.active) return;
    const batch = this.transactions.takeCommitted(transaction);
    if (batch) await this.invalidate(batch);
  }

  afterTransactionRollback({ transaction }: TransactionEventArgs): void {
    this.transactions.dropRolledBack(transaction);
  }

  /** Computes the paths of a flush or upsert, then invalidates them now or at commit. */
  private async record(em: EntityManager, hook: string, changes: EntityChange[] | Error): Promise<void> {
    const batch = new InvalidationBatch(this.options.debug);
    let transaction: object | undefined;
    try {
      transaction = em.isInTransaction() ? em.getTransactionContext() : undefined;
      if (changes instanceof Error) throw changes;
      await this.fill(batch, em, changes);
    } catch (error) {
      this.errors.error(`hook:${hook}`, () => entityInvalidationFailedMessage(hook), error);
      batch.invalidateAll('(entity changes)', hook, 'invalidation failed');
    }
    if (batch.isEmpty) return;
    if (transaction) this.transactions.add(transaction, batch);
    else await this.invalidate(batch);
  }

  private async fill(
    batch: InvalidationBatch,
    em: EntityManager,
    changes: readonly EntityChange[],
  ): Promise<void> {
    for (const change of changes) {
      if (batch.all) return;
      const { target } = change;
      const meta = target instanceof ForeignKey ? target.meta : this.core.helper(target).__meta;
      if (this.options.invalidateAllOnChange && change.direct && !this.isIgnored(meta)) {
        batch.invalidateAll(this.label(target), change.trigger, 'invalidateAllOnChange');
        continue;
      }
      if (!isDependentPathsClass(meta.class)) continue;
      const entity = target instanceof ForeignKey ? this.reference(em, target) : target;
      await this.addPathsOf(batch, em, entity, change);
    }
  }

  /** Paths of the entity as it is now and, for an update, as it was before. */
  private async addPathsOf(
    batch: InvalidationBatch,
    em: EntityManager,
    entity: object,
    change: EntityChange,
  ) {
    const label = this.label(entity);
    const states = change.previous ? [entity, this.previousState(em, entity, change.previous)] : [entity];
    const paths: string[] = [];
    for (const state of states) {
      const reads = new UnloadedReads(this.core);
      let problem: DependentPathsProblem | undefined;
      try {
        paths.push(...(await callDependentPaths(reads.guard(state))));
      } catch (error) {
        if (!(error instanceof DependentPathsProblem)) throw error;
        problem = error;
      }
      // An unloaded read explains a failure too (an unloaded collection throws when read).
      if (reads.first !== undefined) {
        this.warnOnce(`${entity.constructor.name}:${reads.first}`, unloadedReadMessage(label, reads.first));
        batch.invalidateAll(label, change.trigger, `dependentPaths() read unloaded "${reads.first}"`);
        return;
      }
      if (problem) {
        const { message, cause } = problem;
        this.errors.error(`paths:${label}`, () => badDependentPathsMessage(label, message), cause);
        batch.invalidateAll(label, change.trigger, `dependentPaths() ${message}`);
        return;
      }
    }
    batch.addPaths(label, change.trigger, paths);
  }

  /**
   * The entity as it was before an update: an object inheriting from it whose changed scalars
   * and to-one references hold their previous values, so `dependentPaths()` runs unchanged.
   */
  private previousState(em: EntityManager, entity: object, previous: ReadonlyMap<string, unknown>): object {
    const state = Object.create(entity) as object;
    for (const [name, value] of previous) {
      // defineProperty, not assignment: MikroORM's accessors would write through to the entity.
      Object.defineProperty(state, name, {
        value: value instanceof ForeignKey ? this.reference(em, value) : value,
        writable: true,
        enumerable: true,
        configurable: true,
      });
    }
    return state;
  }

  private reference(em: EntityManager, key: ForeignKey): object {
    const entity = em.getReference(key.meta.class as EntityClass<object>, key.primaryKey as Primary<object>);
    return key.wrapped ? this.core.Reference.create(entity) : entity;
  }

  private async invalidate(batch: InvalidationBatch): Promise<void> {
    try {
      if (batch.all) await this.store.invalidateAll();
      else if (batch.paths.size > 0) await this.store.invalidate(batch.paths);
    } catch (error) {
      this.errors.error('invalidate', () => entityInvalidationFailedMessage('the invalidation'), error);
      await this.store.invalidateAll().catch(() => undefined);
    }
    if (this.options.debug) for (const line of batch.describe()) this.logger.debug(line);
  }

  private isIgnored(meta: EntityMetadata<object>): boolean {
    const ignored = this.options.ignoreEntities;
    return ignored.has(meta.className) || (typeof meta.class === 'function' && ignored.has(meta.class.name));
  }

  /** `Post#1`, for the logs. */
  private label(target: object): string {
    try {
      if (target instanceof ForeignKey) return `${target.meta.className}#${String(target.primaryKey)}`;
      const wrapped = this.core.helper(target);
      return `${wrapped.__meta.className}#${wrapped.getSerializedPrimaryKey()}`;
    } catch {
      return target.constructor?.name ?? 'entity';
    }
  }

  private warnOnce(key: string, message: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.logger.warn(message);
  }
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
