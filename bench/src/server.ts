import 'reflect-metadata';
import KeyvRedis from '@keyv/redis';
import { CacheInterceptor, CacheModule } from '@nestjs/cache-manager';
import { Module, type DynamicModule, type INestApplication, type Provider } from '@nestjs/common';
import { APP_INTERCEPTOR, NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { fileURLToPath } from 'node:url';
import { CachePageModule } from 'nestjs-cache-page';
import { BenchController } from './bench.controller.js';

/**
 * What wraps the routes: nothing, Nest's CacheInterceptor, or this library with its defaults
 * (hits on the interceptor path) or with `fastPath: true`.
 */
export type Mode = 'floor' | 'nest-cache' | 'page-cache' | 'page-cache-fast';
export type Adapter = 'express' | 'fastify';
export type Store = 'memory' | 'redis';

/**
 * Boots one benchmark app, configured by BENCH_MODE, BENCH_ADAPTER, BENCH_STORE, BENCH_REDIS_URL,
 * BENCH_KEY_PREFIX, BENCH_MAX_ENTRIES and BENCH_MAX_BYTES, on an ephemeral port, and prints `READY <port>` when it listens.
 */
async function main(): Promise<void> {
  const mode = (process.env.BENCH_MODE ?? 'floor') as Mode;
  const adapter = (process.env.BENCH_ADAPTER ?? 'express') as Adapter;
  const store = (process.env.BENCH_STORE ?? 'memory') as Store;
  const app = await createApp(mode, adapter, store);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  process.stdout.write(`READY ${address.port}\n`);
  process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

export async function createApp(mode: Mode, adapter: Adapter, store: Store): Promise<INestApplication> {
  const imports: DynamicModule[] = [];
  const providers: Provider[] = [];
  const redisStores = () => (store === 'redis' ? [new KeyvRedis(process.env.BENCH_REDIS_URL)] : undefined);
  if (mode === 'nest-cache') {
    imports.push(CacheModule.register({ stores: redisStores() }));
    providers.push({ provide: APP_INTERCEPTOR, useClass: CacheInterceptor });
  }
  if (mode === 'page-cache' || mode === 'page-cache-fast') {
    if (store === 'redis') imports.push(CacheModule.register({ isGlobal: true, stores: redisStores() }));
    const maxEntries = Number(process.env.BENCH_MAX_ENTRIES ?? 10_000);
    const maxBytes = process.env.BENCH_MAX_BYTES ? { maxBytes: Number(process.env.BENCH_MAX_BYTES) } : {};
    imports.push(
      CachePageModule.forRoot({
        keyPrefix: process.env.BENCH_KEY_PREFIX ?? 'bench:',
        maxEntries,
        fastPath: mode === 'page-cache-fast',
        ...maxBytes,
      }),
    );
  }

  @Module({ imports, providers, controllers: [BenchController] })
  class BenchModule {}

  const options = { logger: ['error' as const] };
  return adapter === 'express'
    ? NestFactory.create(BenchModule, new ExpressAdapter(), options)
    : NestFactory.create(BenchModule, new FastifyAdapter(), options);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) void main();
