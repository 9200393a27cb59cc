import KeyvRedis from '@keyv/redis';
import { CacheModule } from '@nestjs/cache-manager';
import { Module, type DynamicModule } from '@nestjs/common';
import { CachePageModule, VarnishPurger } from 'nestjs-cache-page';
import type { AppConfig } from '../app.config.js';
import { SKIPPABLE_MIDDLEWARE } from '../sign-in/sessions.setup.js';
import { StalePagesCleaner } from './stale-pages.cleaner.js';

/**
 * The blog's page cache, made of the library's `CachePageModule`: every GET page of the app,
 * except the admin area, kept until the entities it shows change. With `redisUrl` the pages live
 * in Redis (shared by every instance of the app); without it, in this process's memory. With
 * `varnishUrl` the Varnish there keeps the shared pages too, and is purged on every commit. The
 * fast path may skip the sample's CSRF check, which only ever refuses a comment form's POST.
 */
@Module({})
export class BlogCacheModule {
  static forRoot({ redisUrl, varnishUrl }: Pick<AppConfig, 'redisUrl' | 'varnishUrl'>): DynamicModule {
    return {
      module: BlogCacheModule,
      imports: [
        ...(redisUrl ? [CacheModule.register({ isGlobal: true, stores: [new KeyvRedis(redisUrl)] })] : []),
        // The default ignorePaths already leave `/admin` and everything under it alone.
        CachePageModule.forRoot({
          keyPrefix: 'blog-sample:',
          skippableMiddleware: SKIPPABLE_MIDDLEWARE,
          // Varnish is next to the app: a write answers once Varnish forgot its pages, so the
          // page its redirect leads to is the new one.
          edge: varnishUrl
            ? { purgers: [new VarnishPurger({ url: varnishUrl })], waitForPurge: true }
            : undefined,
        }),
      ],
      providers: [StalePagesCleaner],
    };
  }
}
