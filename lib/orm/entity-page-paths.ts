import type { EntityClass, EntityManager, EntityMetadata, Primary } from '@mikro-orm/core';
import {
  badDependentPathsMessage,
  dependentPathsTimeoutMessage,
  entityInvalidationFailedMessage,
  unloadedReadMessage,
} from '../cache-page.messages.js';
import type { ResolvedCachePageOptions } from '../cache-page.options.js';
import type { EveryPageCause } from '../observation/invalidation-record.js';
import { ThrottledLogger } from '../utils/throttled-logger.js';
import { ForeignKey, type ChangeTrigger, type EntityChange } from './entity-change.js';
import { InvalidationBatch, type RecordSubject } from './invalidation-batch.js';
import type { MikroOrmCore } from './mikro-orm.loader.js';
import { DependentPathsProblem, isDependentPathsClass, readDependentPaths } from './read-dependent-paths.js';
import { UnloadedReadWatch } from './unloaded-read-watch.js';

/** The entity whose `dependentPaths()` is being read, and why, for the fallback's record. */
interface Progress {
  subject?: RecordSubject;
  trigger?: ChangeTrigger;
}

/**
 * Turns entity changes into the page paths to invalidate: asks each `@DependentPaths()` entity
 * (as it is now and, for an update, as it was before), or every page in Jimmy Page mode. Never
 * throws and never takes longer than `dependentPathsTimeout`: whatever goes wrong, the batch
 * covers every page instead (over-invalidation is safe, staleness is not).
 */
export class EntityPagePaths {
  private readonly errors = new ThrottledLogger();
  private readonly warnings = new ThrottledLogger();

  constructor(
    private readonly core: MikroOrmCore,
    private readonly options: ResolvedCachePageOptions,
  ) {}

  /** The batch of these changes (or of the error met while reading them), computed in `hook`. */
  async collect(
    em: EntityManager,
    hook: string,
    changes: readonly EntityChange[] | Error,
  ): Promise<InvalidationBatch> {
    const batch = new InvalidationBatch();
    const progress: Progress = {};
    const fallback = (cause: EveryPageCause, reason: string): InvalidationBatch => {
      const everything = new InvalidationBatch();
      const trigger = progress.trigger ?? (hook === 'afterUpsert' ? 'upsert' : 'unknown');
      everything.coverAll(progress.subject, trigger, cause, reason);
      return everything;
    };
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.options.dependentPathsTimeout);
    });
    try {
      if (changes instanceof Error) throw changes;
      if ((await Promise.race([this.fill(batch, em, changes, progress), deadline])) === 'timeout') {
        const entity = progress.subject?.label ?? '(an entity)';
        const timeout = this.options.dependentPathsTimeout;
        this.errors.error(`timeout:${entity}`, () => dependentPathsTimeoutMessage(entity, timeout));
        return fallback('timeout', `dependentPaths() took longer than ${timeout} ms`);
      }
      return batch;
    } catch (error) {
      this.errors.error(`hook:${hook}`, () => entityInvalidationFailedMessage(hook), error);
      return fallback('error', 'invalidation failed');
    } finally {
      clearTimeout(timer);
    }
  }

  private async fill(
    batch: InvalidationBatch,
    em: EntityManager,
    changes: readonly EntityChange[],
    progress: Progress,
  ): Promise<void> {
    for (const change of changes) {
      if (batch.all) return;
      const { target } = change;
      const meta = target instanceof ForeignKey ? target.meta : this.core.helper(target).__meta;
      if (this.options.invalidateAllOnChange && change.direct && !this.isIgnored(meta)) {
        batch.coverAll(
          this.subject(target),
          change.trigger,
          'invalidate-all-on-change',
          'invalidateAllOnChange',
        );
        continue;
      }
      if (!isDependentPathsClass(meta.class)) continue;
      const entity = target instanceof ForeignKey ? this.reference(em, target) : target;
      progress.subject = this.subject(entity);
      progress.trigger = change.trigger;
      await this.addPathsOf(batch, em, entity, progress.subject, change);
    }
  }

  /** Paths of the entity as it is now and, for an update, as it was before. */
  private async addPathsOf(
    batch: InvalidationBatch,
    em: EntityManager,
    entity: object,
    subject: RecordSubject,
    change: EntityChange,
  ): Promise<void> {
    const { label } = subject;
    const states = change.previous ? [entity, this.previousState(em, entity, change.previous)] : [entity];
    const paths: string[] = [];
    for (const state of states) {
      const reads = new UnloadedReadWatch(this.core);
      let problem: DependentPathsProblem | undefined;
      try {
        paths.push(...(await readDependentPaths(reads.guard(state))));
      } catch (error) {
        if (!(error instanceof DependentPathsProblem)) throw error;
        problem = error;
      }
      // An unloaded read explains a failure too (an unloaded collection throws when read).
      if (reads.first !== undefined) {
        const read = reads.first;
        this.warnings.warnEvery(`${entity.constructor.name}:${read}`, (suppressed) =>
          unloadedReadMessage(label, read, suppressed),
        );
        batch.coverAll(
          subject,
          change.trigger,
          'unloaded-read',
          `dependentPaths() read unloaded "${reads.first}"`,
        );
        return;
      }
      if (problem) {
        const { message, cause } = problem;
        this.errors.error(`paths:${label}`, () => badDependentPathsMessage(label, message), cause);
        batch.coverAll(subject, change.trigger, 'bad-dependent-paths', `dependentPaths() ${message}`);
        return;
      }
    }
    batch.addPaths(subject, change.trigger, paths);
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

  private isIgnored(meta: EntityMetadata<object>): boolean {
    const ignored = this.options.ignoreEntities;
    return ignored.has(meta.className) || (typeof meta.class === 'function' && ignored.has(meta.class.name));
  }

  /** The entity's class and primary key, and `Post#1` for the logs. */
  private subject(target: object): RecordSubject {
    try {
      if (target instanceof ForeignKey) {
        const { className } = target.meta;
        return {
          entity: className,
          id: target.primaryKey,
          label: `${className}#${String(target.primaryKey)}`,
        };
      }
      const wrapped = this.core.helper(target);
      const entity = wrapped.__meta.className;
      return { entity, id: wrapped.getPrimaryKey(), label: `${entity}#${wrapped.getSerializedPrimaryKey()}` };
    } catch {
      const entity = target.constructor?.name ?? 'entity';
      return { entity, id: undefined, label: entity };
    }
  }
}
