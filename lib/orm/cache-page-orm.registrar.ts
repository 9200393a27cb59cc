import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { LOGGER_CONTEXT, RESOLVED_CACHE_PAGE_OPTIONS } from '../cache-page.internal-constants.js';
import { ormCoreMissingMessage, watchingOrmsMessage } from '../cache-page.messages.js';
import type { ResolvedCachePageOptions } from '../cache-page.options.js';
import { PageStore } from '../store/page-store.js';
import { CachePageSubscriber } from './cache-page.subscriber.js';
import { loadMikroOrmCore } from './mikro-orm.loader.js';
import { findMikroOrms } from './orm-discovery.js';

/**
 * Registers the invalidation subscriber on the event manager of every MikroORM instance of the
 * app (or of the `orm` option), once all providers exist and before the app serves requests.
 * An app without MikroORM gets nothing, and never loads it.
 */
@Injectable()
export class CachePageOrmRegistrar implements OnModuleInit, OnModuleDestroy {
  private subscriber: CachePageSubscriber | undefined;

  constructor(
    @Inject(RESOLVED_CACHE_PAGE_OPTIONS) private readonly options: ResolvedCachePageOptions,
    private readonly store: PageStore,
    private readonly discovery: DiscoveryService,
  ) {}

  async onModuleInit(): Promise<void> {
    const orms = this.options.orm ?? findMikroOrms(this.discovery);
    if (orms.length === 0) return;
    const core = await loadMikroOrmCore();
    if (!core) throw new Error(ormCoreMissingMessage(`found ${orms.length} MikroORM instance(s)`));
    const subscriber = new CachePageSubscriber(core, this.options, this.store);
    const eventManagers = new Set(orms.map((orm) => orm.em.getEventManager()));
    for (const eventManager of eventManagers) eventManager.registerSubscriber(subscriber as never);
    this.subscriber = subscriber;
    if (this.options.debug) new Logger(LOGGER_CONTEXT).debug(watchingOrmsMessage(eventManagers.size));
  }

  onModuleDestroy(): void {
    this.subscriber?.dispose();
  }
}
