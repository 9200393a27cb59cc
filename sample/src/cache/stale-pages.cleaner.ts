import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { CachePageService } from 'nestjs-cache-page';

/**
 * Forgets every cached page when the app starts. Pages kept in Redis outlive the process: after
 * a deploy they may hold HTML from older templates, or data from another database.
 */
@Injectable()
export class StalePagesCleaner implements OnApplicationBootstrap {
  constructor(private readonly cachePage: CachePageService) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.cachePage.invalidateAll();
  }
}
