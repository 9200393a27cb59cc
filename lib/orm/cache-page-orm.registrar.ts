import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { LOGGER_CONTEXT, RESOLVED_CACHE_PAGE_OPTIONS } from '../cache-page.internal-constants.js';
import {
  explainWithoutOrmMessage,
  ormCoreMissingMessage,
  watchingOrmsMessage,
} from '../cache-page.messages.js';
import type { ResolvedCachePageOptions } from '../cache-page.options.js';
import type { CachePageOrm } from '../interfaces/cache-page-module-options.interface.js';
import { anyRouteInAutoMode } from '../dependencies/auto-mode-routes.js';
import { DependencyTracking } from '../dependencies/dependency-tracking.js';
import { OrmCapture } from '../dependencies/orm-capture.js';
import { InvalidationEvents } from '../observation/invalidation-events.js';
import type { InvalidationRecord } from '../observation/invalidation-record.js';
import { PageStore } from '../store/page-store.js';
import { CachePageSubscriber } from './cache-page.subscriber.js';
import { explainInvalidation } from './invalidation-explainer.js';
import { loadMikroOrmCore, type MikroOrmCore } from './mikro-orm.loader.js';
import { findMikroOrms } from './orm-discovery.js';

/**
 * Registers the invalidation subscriber on the event manager of every MikroORM instance of the
 * app (or of the `orm` option), once all providers exist and before the app serves requests.
 * An app without MikroORM gets nothing, and never loads it.
 */
@Injectable()
export class CachePageOrmRegistrar implements OnModuleInit, OnModuleDestroy {
  private subscriber: CachePageSubscriber | undefined;
  private orms: readonly CachePageOrm[] = [];

  constructor(
    @Inject(RESOLVED_CACHE_PAGE_OPTIONS) private readonly options: ResolvedCachePageOptions,
    private readonly store: PageStore,
    private readonly discovery: DiscoveryService,
    private readonly events: InvalidationEvents,
    private readonly tracking: DependencyTracking,
  ) {}

  async onModuleInit(): Promise<void> {
    const orms = this.options.orm ?? findMikroOrms(this.discovery);
    if (orms.length === 0) return;
    const core = await loadMikroOrmCore();
    if (!core) throw new Error(ormCoreMissingMessage(`found ${orms.length} MikroORM instance(s)`));
    const subscriber = new CachePageSubscriber(core, this.options, this.store, this.events);
    const eventManagers = new Set(orms.map((orm) => orm.em.getEventManager()));
    for (const eventManager of eventManagers) eventManager.registerSubscriber(subscriber as never);
    this.subscriber = subscriber;
    this.orms = orms;
    if (this.options.dependencies === 'auto' || anyRouteInAutoMode(this.discovery)) {
      this.captureReads(core, subscriber, orms);
    }
    if (this.options.debug) new Logger(LOGGER_CONTEXT).debug(watchingOrmsMessage(eventManagers.size));
  }

  /**
   * `dependencies: 'auto'`: every read and write through these ORMs' drivers and connections is
   * seen from now on (writes before any auto page exists too, so none is missed).
   */
  private captureReads(
    core: MikroOrmCore,
    subscriber: CachePageSubscriber,
    orms: readonly CachePageOrm[],
  ): void {
    const captures = [...new Set(orms)].map(
      (orm) => new OrmCapture(core, orm, this.options.keyPrefix, subscriber),
    );
    for (const capture of captures) {
      capture.install();
      subscriber.onFlushed((changeSets) => capture.flushing(changeSets as never));
    }
    this.tracking.attach(captures);
  }

  /**
   * What `work` would invalidate if its transaction committed, on `orm` (default: the first
   * watched instance, the default context of `@mikro-orm/nestjs`); the transaction is rolled back.
   */
  async explain(work: (em: never) => unknown, orm?: CachePageOrm): Promise<InvalidationRecord[]> {
    const target = orm ?? this.orms[0];
    if (!this.subscriber || !target || !this.orms.includes(target)) {
      throw new Error(explainWithoutOrmMessage(this.orms.length, orm !== undefined));
    }
    const em = target.em as unknown as Parameters<typeof explainInvalidation>[0];
    return explainInvalidation(em, this.subscriber, work as (em: unknown) => unknown);
  }

  onModuleDestroy(): void {
    this.subscriber?.dispose();
    this.tracking.dispose();
  }
}
