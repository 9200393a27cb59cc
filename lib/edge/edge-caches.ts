import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { RESOLVED_CACHE_PAGE_OPTIONS } from '../cache-page.internal-constants.js';
import type { ResolvedCachePageOptions } from '../cache-page.options.js';
import { PageStore } from '../store/page-store.js';
import { EdgeHeaders } from './edge-headers.js';
import { EdgePurges } from './edge-purges.js';

/**
 * The `edge` option at run time: the headers responses carry for edges, and the purges that
 * follow the store's invalidations. Both `undefined` without the option (or with `enabled: false`).
 */
@Injectable()
export class EdgeCaches implements OnModuleInit, OnModuleDestroy {
  readonly headers: EdgeHeaders | undefined;
  private readonly purges: EdgePurges | undefined;

  constructor(@Inject(RESOLVED_CACHE_PAGE_OPTIONS) options: ResolvedCachePageOptions, store: PageStore) {
    if (!options.edge || !options.enabled) return;
    this.headers = new EdgeHeaders(options.edge);
    this.purges = new EdgePurges(options.edge, store);
  }

  onModuleInit(): void {
    this.purges?.start();
  }

  onModuleDestroy(): void {
    this.purges?.dispose();
  }
}
