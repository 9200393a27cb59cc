import KeyvRedis from '@keyv/redis';
import { CacheModule } from '@nestjs/cache-manager';
import { Module, type DynamicModule } from '@nestjs/common';
import { CachePageModule } from 'nestjs-cache-page';
import { SKIPPABLE_MIDDLEWARE } from '../sign-in/sessions.setup.js';
import { StalePagesCleaner } from './stale-pages.cleaner.js';

/**
 * The blog's page cache, made of the library's `CachePageModule`: every GET page of the app,
 * except the admin area, kept until the entities it shows change. With `redisUrl` the pages live
 * in Redis (shared by every instance of the app); without it, in this process's memory. The fast
 * path may skip the sample's CSRF check, which only ever refuses a comment form's POST.
 */
@Module({})
export class BlogCacheModule {
  static forRoot(redisUrl?: string): DynamicModule {
    return {
      module: BlogCacheModule,
      imports: [
        ...(redisUrl ? [CacheModule.register({ isGlobal: true, stores: [new KeyvRedis(redisUrl)] })] : []),
        // The default ignorePaths already leave `/admin` and everything under it alone.
        CachePageModule.forRoot({ keyPrefix: 'blog-sample:', skippableMiddleware: SKIPPABLE_MIDDLEWARE }),
      ],
      providers: [StalePagesCleaner],
    };
  }
}
