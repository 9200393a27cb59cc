import 'reflect-metadata';
import { CacheInterceptor, CacheModule } from '@nestjs/cache-manager';
import { Module, type DynamicModule, type INestApplication, type Type } from '@nestjs/common';
import { APP_INTERCEPTOR, NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CachePageModuleOptions } from 'nestjs-cache-page';
import type { Adapter, Store } from './server.js';

/**
 * The sample blog: uncached (`floor`), behind Nest's CacheInterceptor, or with nestjs-cache-page
 * as shipped (`page-cache`: its defaults, every page declared but the tag page), with
 * `fastPath: false` (`page-cache-interceptor`), with `dependencies: 'auto'` for every page
 * (`page-cache-auto`; the entities' `dependentPaths()` still run beside it), or in Jimmy Page
 * mode (`page-cache-every-page`: `invalidateAllOnChange`, every write invalidates every page).
 * The modes other than `page-cache` keep pages in memory whatever BENCH_STORE says.
 */
export type SampleMode =
  | 'floor'
  | 'nest-cache'
  | 'page-cache'
  | 'page-cache-interceptor'
  | 'page-cache-auto'
  | 'page-cache-every-page';

/**
 * The CachePageModule options each mode puts in place of the sample's BlogCacheModule (with the
 * sample's `skippableMiddleware`, as it has). The uncached modes keep the module, turned off
 * (`enabled: false`: no interceptor work, no fast path; fragments are still filled): the sample's
 * links are `pageRoute()` handles, which an app with CachePageModule resolves.
 */
const CACHE_PAGE_OPTIONS: Record<Exclude<SampleMode, 'page-cache'>, CachePageModuleOptions> = {
  floor: { enabled: false },
  'nest-cache': { enabled: false },
  'page-cache-interceptor': { keyPrefix: 'blog-sample:', fastPath: false },
  'page-cache-auto': { keyPrefix: 'blog-sample:', dependencies: 'auto' },
  'page-cache-every-page': { keyPrefix: 'blog-sample:', invalidateAllOnChange: true },
};

const SAMPLE_DIST = new URL('../../sample/dist/', import.meta.url);

/** Loads a compiled module of the sample (built by `npm run build:sample`). */
const sampleModule = async (path: string): Promise<Record<string, unknown>> =>
  import(new URL(path, SAMPLE_DIST).href) as Promise<Record<string, unknown>>;

/**
 * Boots the sample blog on a fresh SQLite file (or on BENCH_DB_FILE, which several servers may
 * share: the sample creates the tables only when none exist and seeds only a blog without posts,
 * so start the first server before the others), configured by BENCH_MODE (a SampleMode),
 * BENCH_ADAPTER, BENCH_STORE, BENCH_REDIS_URL and BENCH_GREETING (the sample's SAMPLE_GREETING),
 * and prints `READY <port>` when it listens.
 * `page-cache` is the sample exactly as shipped; the other modes put its resource modules
 * together with another CachePageModule (turned off for the uncached modes) in place of its BlogCacheModule.
 */
async function main(): Promise<void> {
  const mode = (process.env.BENCH_MODE ?? 'page-cache') as SampleMode;
  const adapter = (process.env.BENCH_ADAPTER ?? 'express') as Adapter;
  const store = (process.env.BENCH_STORE ?? 'memory') as Store;
  const config = {
    port: 0,
    adapter,
    database: {
      kind: 'sqlite',
      file: process.env.BENCH_DB_FILE || join(mkdtempSync(join(tmpdir(), 'bench-blog-')), 'blog.sqlite'),
    },
    redisUrl: store === 'redis' ? (process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379') : undefined,
    publicUrl: 'http://localhost',
    greeting: process.env.BENCH_GREETING ?? 'fragment',
  };
  const app = await createSampleApp(mode, config);
  await app.listen(0, '127.0.0.1');
  process.stdout.write(`READY ${(app.getHttpServer().address() as { port: number }).port}\n`);
  process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

/** The sample blog in `mode` with its views and sessions, not yet listening (`config` is the sample's AppConfig). */
export async function createSampleApp(
  mode: SampleMode,
  config: { adapter: Adapter; redisUrl?: string },
): Promise<INestApplication> {
  const { AppModule } = (await sampleModule('app.module.js')) as {
    AppModule: { forRoot(config: unknown): DynamicModule };
  };
  const root =
    mode === 'page-cache'
      ? AppModule.forRoot(config)
      : await swapCacheModule(AppModule.forRoot(config), mode);
  const app: INestApplication =
    config.adapter === 'fastify'
      ? await NestFactory.create(root, new FastifyAdapter(), { logger: ['error'] })
      : await NestFactory.create(root, new ExpressAdapter(), { logger: ['error'] });
  const { setUpBlogApp } = (await sampleModule('app.factory.js')) as {
    setUpBlogApp(app: INestApplication, config: unknown): Promise<void>;
  };
  await setUpBlogApp(app, config);
  return app;
}

/** The sample's root module with its BlogCacheModule swapped for the mode's CachePageModule (and Nest's cache). */
async function swapCacheModule(root: DynamicModule, mode: SampleMode): Promise<DynamicModule> {
  const { BlogCacheModule } = (await sampleModule('cache/blog-cache.module.js')) as { BlogCacheModule: Type };
  const imports = (root.imports ?? []).filter(
    (imported) => (imported as DynamicModule).module !== BlogCacheModule,
  );
  const { CachePageModule } = await import('nestjs-cache-page');
  const { SKIPPABLE_MIDDLEWARE } = (await sampleModule('sign-in/sessions.setup.js')) as {
    SKIPPABLE_MIDDLEWARE: string[];
  };
  imports.push(
    CachePageModule.forRoot({
      skippableMiddleware: SKIPPABLE_MIDDLEWARE,
      ...CACHE_PAGE_OPTIONS[mode as Exclude<SampleMode, 'page-cache'>],
    }),
  );
  if (mode === 'nest-cache') {
    @Module({
      imports: [CacheModule.register()],
      providers: [{ provide: APP_INTERCEPTOR, useClass: CacheInterceptor }],
    })
    class NestCacheModule {}
    imports.push(NestCacheModule);
  }
  return { ...root, imports };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) void main();
