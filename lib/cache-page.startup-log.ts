import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { LOGGER_CONTEXT, RESOLVED_CACHE_PAGE_OPTIONS } from './cache-page.internal-constants.js';
import type { ResolvedCachePageOptions } from './cache-page.options.js';

/** Logs what is worth knowing about the options once the app has started (its logger is set by then). */
@Injectable()
export class CachePageStartupLog implements OnApplicationBootstrap {
  constructor(@Inject(RESOLVED_CACHE_PAGE_OPTIONS) private readonly options: ResolvedCachePageOptions) {}

  onApplicationBootstrap(): void {
    const logger = new Logger(LOGGER_CONTEXT);
    for (const warning of this.options.warnings) logger.warn(warning);
  }
}
