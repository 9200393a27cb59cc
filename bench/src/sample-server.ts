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
import type { Adapter, Store } from './server.js';

/**
 * The sample blog: uncached (`floor`), behind Nest's CacheInterceptor, or with nestjs-cache-page
 * as shipped (`page-cache`: its defaults) or with `fastPath: false` (`page-cache-interceptor`).
 */
export type SampleMode = 'floor' | 'nest-cache' | 'page-cache' | 'page-cache-interceptor';

const SAMPLE_DIST = new URL('../../sample/dist/', import.meta.url);

/** Loads a compiled module of the sample (built by `npm run build:sample`). */
const sampleModule = async (path: string): Promise<Record<string, unknown>> =>
  import(new URL(path, SAMPLE_DIST).href) as Promise<Record<string, unknown>>;

/**
 * Boots the sample blog on a fresh SQLite file, configured by BENCH_MODE (a SampleMode),
 * BENCH_ADAPTER, BENCH_STORE and BENCH_REDIS_URL, and prints `READY <port>` when it listens.
 * `page-cache` is the sample exactly as shipped; the other modes put its resource modules
 * together with another cache (or none) in place of its BlogCacheModule.
 */
async function main(): Promise<void> {
  const mode = (process.env.BENCH_MODE ?? 'page-cache') as SampleMode;
  const adapter = (process.env.BENCH_ADAPTER ?? 'express') as Adapter;
  const store = (process.env.BENCH_STORE ?? 'memory') as Store;
  const config = {
    port: 0,
    adapter,
    database: { kind: 'sqlite', file: join(mkdtempSync(join(tmpdir(), 'bench-blog-')), 'blog.sqlite') },
    redisUrl: store === 'redis' ? (process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379') : undefined,
    publicUrl: 'http://localhost',
  };
  const app = await createSampleApp(mode, config);
  await app.listen(0, '127.0.0.1');
  process.stdout.write(`READY ${(app.getHttpServer().address() as { port: number }).port}\n`);
  process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

async function createSampleApp(mode: SampleMode, config: { adapter: Adapter; redisUrl?: string }) {
  const { AppModule } = (await sampleModule('app.module.js')) as {
    AppModule: { forRoot(config: unknown): DynamicModule };
  };
  const root =
    mode === 'page-cache'
      ? AppModule.forRoot(config)
      : await withoutPageCache(AppModule.forRoot(config), mode);
  const app: INestApplication =
    config.adapter === 'fastify'
      ? await NestFactory.create(root, new FastifyAdapter(), { logger: ['error'] })
      : await NestFactory.create(root, new ExpressAdapter(), { logger: ['error'] });
  const { useViews } = (await sampleModule('views.setup.js')) as {
    useViews(app: INestApplication, adapter: Adapter): void;
  };
  useViews(app, config.adapter);
  return app;
}

/** The sample's root module with its BlogCacheModule swapped for Nest's cache, or for nothing. */
async function withoutPageCache(root: DynamicModule, mode: SampleMode): Promise<DynamicModule> {
  const { BlogCacheModule } = (await sampleModule('cache/blog-cache.module.js')) as { BlogCacheModule: Type };
  const imports = (root.imports ?? []).filter(
    (imported) => (imported as DynamicModule).module !== BlogCacheModule,
  );
  if (mode === 'page-cache-interceptor') {
    const { CachePageModule } = await import('nestjs-cache-page');
    imports.push(CachePageModule.forRoot({ keyPrefix: 'blog-sample:', fastPath: false }));
  }
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
