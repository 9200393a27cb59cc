import { Logger } from '@nestjs/common';
import type {
  EntityManager,
  EventArgs,
  EventSubscriber,
  FlushEventArgs,
  TransactionEventArgs,
  UnitOfWork,
} from '@mikro-orm/core';
import { LOGGER_CONTEXT } from '../cache-page.internal-constants.js';
import { entityInvalidationFailedMessage } from '../cache-page.messages.js';
import type { ResolvedCachePageOptions } from '../cache-page.options.js';
import type { InvalidationEvents } from '../observation/invalidation-events.js';
import type { InvalidationRecord } from '../observation/invalidation-record.js';
import type { PageStore } from '../store/page-store.js';
import { ThrottledLogger } from '../utils/throttled-logger.js';
import type { WriteSink } from '../dependencies/write-recorder.js';
import type { WriteKeys } from '../dependencies/write-dependencies.js';
import type { InvalidationTrigger } from '../observation/invalidation-record.js';
import type { EntityChange } from './entity-change.js';
import { EntityPagePaths } from './entity-page-paths.js';
import { collectFlushChanges, upsertChanges } from './flush-changes.collector.js';
import { InvalidationBatch } from './invalidation-batch.js';
import type { MikroOrmCore } from './mikro-orm.loader.js';
import { TransactionBatches } from './transaction-batches.js';

/**
 * Turns MikroORM entity changes into page invalidations, after the data is committed, without
 * ever losing one to a process that dies in between.
 *
 * `onFlush` records what the flush writes (the M:N diffs exist only then). The paths are asked
 * of the entities once new rows have keys: in `afterFlush` for a flush inside a transaction,
 * in `beforeTransactionCommit` for a flush's own implicit transaction. Right before the root
 * transaction commits, the pages are leased in the store (so if this process dies before the
 * next step, other processes serve none of them until it is known dead); once it committed, they
 * are invalidated; a rollback only releases the lease. Nothing here ever throws into MikroORM or
 * holds a write longer than `dependentPathsTimeout` plus the store deadline.
 */
export class CachePageSubscriber implements EventSubscriber, WriteSink {
  private readonly flushes = new WeakMap<UnitOfWork, EntityChange[] | Error>();
  private readonly transactions = new TransactionBatches();
  private readonly paths: EntityPagePaths;
  private readonly logger = new Logger(LOGGER_CONTEXT);
  private readonly errors = new ThrottledLogger();
  private active = true;
  /** Told of the rows each flush deletes (`dependencies: 'auto'`). */
  private flushListeners: Array<(changeSets: ReturnType<UnitOfWork['getChangeSets']>) => void> = [];

  constructor(
    private readonly core: MikroOrmCore,
    private readonly options: ResolvedCachePageOptions,
    private readonly store: PageStore,
    private readonly events: InvalidationEvents,
  ) {
    this.paths = new EntityPagePaths(core, options);
  }

  /** What the root of this open transaction would invalidate if it committed now (`explain()`). */
  pendingRecords(transaction: object): InvalidationRecord[] {
    return this.transactions.peek(transaction)?.records() ?? [];
  }

  /** Stops reacting to events (MikroORM has no way to unregister a subscriber). */
  dispose(): void {
    this.active = false;
  }

  /** Calls `listener` with each flush's change sets, in `onFlush` (before any statement runs). */
  onFlushed(listener: (changeSets: ReturnType<UnitOfWork['getChangeSets']>) => void): void {
    this.flushListeners.push(listener);
  }

  /** A write seen by automatic dependency tracking inside `transaction`: renewed when its root commits. */
  inTransaction(
    transaction: object,
    keys: WriteKeys | 'all',
    entity: string | undefined,
    trigger: InvalidationTrigger,
  ): void {
    if (this.active) this.transactions.add(transaction, writeBatch(keys, entity, trigger));
  }

  /** A write seen by automatic dependency tracking outside a transaction: leased before, renewed after. */
  async aroundAutocommit<T>(
    keys: WriteKeys | 'all',
    entity: string | undefined,
    write: () => Promise<T>,
    trigger: InvalidationTrigger,
  ): Promise<T> {
    if (!this.active) return write();
    const batch = writeBatch(keys, entity, trigger);
    const lease = await this.store.lease(batch.all ? 'all' : batch.paths, batch.keys);
    try {
      return await write();
    } finally {
      await this.invalidate(batch, lease);
    }
  }

  onFlush({ uow }: FlushEventArgs): void {
    if (!this.active) return;
    if (this.flushListeners.length > 0) {
      const changeSets = uow.getChangeSets();
      for (const listener of this.flushListeners) listener(changeSets);
    }
    try {
      this.flushes.set(uow, collectFlushChanges(this.core, uow));
    } catch (error) {
      this.flushes.set(uow, toError(error));
    }
  }

  /** A flush inside a transaction, or one without any (no transaction events fired). */
  async afterFlush({ em, uow }: FlushEventArgs): Promise<void> {
    const changes = this.take(uow);
    if (changes !== undefined) await this.record(em, 'afterFlush', changes);
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

  /** The flush's own transaction has written its rows (keys exist): read the paths, then lease them. */
  async beforeTransactionCommit({ em, transaction, uow }: TransactionEventArgs): Promise<void> {
    if (!this.active || !transaction) return;
    const changes = uow ? this.take(uow) : undefined;
    if (changes !== undefined && em) {
      const batch = await this.paths.collect(em, 'beforeTransactionCommit', changes);
      if (!batch.isEmpty) this.transactions.add(transaction, batch);
    }
    const work = this.transactions.committing(transaction);
    if (work) work.lease = await this.store.lease(work.batch.all ? 'all' : work.batch.paths, work.batch.keys);
  }

  async afterTransactionCommit({ transaction }: TransactionEventArgs): Promise<void> {
    const work = this.transactions.ended(transaction);
    if (this.active && work) await this.invalidate(work.batch, work.lease);
  }

  /** The lease only made pages unservable for a moment; releasing it renews their epochs, harmlessly. */
  async afterTransactionRollback({ transaction }: TransactionEventArgs): Promise<void> {
    await this.transactions.ended(transaction)?.lease?.settle();
  }

  private take(uow: UnitOfWork): EntityChange[] | Error | undefined {
    const changes = this.flushes.get(uow);
    this.flushes.delete(uow);
    return this.active ? changes : undefined;
  }

  /** Computes the paths of a flush or upsert, then invalidates them now or at commit. */
  private async record(em: EntityManager, hook: string, changes: EntityChange[] | Error): Promise<void> {
    let transaction: object | undefined;
    try {
      transaction = em.isInTransaction() ? em.getTransactionContext() : undefined;
    } catch {
      transaction = undefined;
    }
    const batch = await this.paths.collect(em, hook, changes);
    if (batch.isEmpty) return;
    if (transaction) this.transactions.add(transaction, batch);
    else await this.invalidate(batch);
  }

  private async invalidate(batch: InvalidationBatch, lease?: { settle(): Promise<void> }): Promise<void> {
    try {
      if (lease) await lease.settle();
      else if (batch.all) await this.store.invalidateAll();
      else if (batch.paths.size > 0 || batch.keys.size > 0)
        await this.store.invalidate(batch.paths, batch.keys);
    } catch (error) {
      this.errors.error('invalidate', () => entityInvalidationFailedMessage('the invalidation'), error);
      await this.store.invalidateAll().catch(() => undefined);
    }
    if (this.options.debug) for (const line of batch.logLines()) this.logger.debug(line);
    this.events.emit(batch.records());
  }
}

/** The batch of one write seen by automatic dependency tracking. */
function writeBatch(
  keys: WriteKeys | 'all',
  entity: string | undefined,
  trigger: InvalidationTrigger = 'native',
): InvalidationBatch {
  const batch = new InvalidationBatch();
  const subject = entity === undefined ? undefined : { entity, id: undefined, label: entity };
  if (keys === 'all') batch.coverAll(subject, trigger, 'unattributed-write', unattributedWriteReason);
  else batch.addKeys(subject, trigger, keys.keys);
  return batch;
}

const unattributedWriteReason = 'a SQL write whose tables could not be read (dependencies: auto)';

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
