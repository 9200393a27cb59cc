import 'reflect-metadata';
import KeyvRedis from '@keyv/redis';
import { CacheInterceptor, CacheModule } from '@nestjs/cache-manager';
import { Module, type DynamicModule, type INestApplication, type Provider } from '@nestjs/common';
import { APP_INTERCEPTOR, NestFactory } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import fastifyCompress from '@fastify/compress';
import fastifyCookie from '@fastify/cookie';
import fastifyHelmet from '@fastify/helmet';
import fastifySession from '@fastify/session';
import compression from 'compression';
import cookieParser from 'cookie-parser';
import session from 'express-session';
import helmet from 'helmet';
import { fileURLToPath } from 'node:url';
import { CachePageModule, type EdgePurger } from 'nestjs-cache-page';
import { BenchController } from './bench.controller.js';
import { FragmentsController, VisitorFragments } from './fragments.controller.js';

/**
 * What wraps the routes: nothing, Nest's CacheInterceptor, or this library with its defaults
 * (`page-cache`: hits before the framework where the middleware allows it) or with
 * `fastPath: false` (`page-cache-interceptor`: every hit through the framework). The
 * `scaffolded` modes add what a scaffolded app installs: helmet, compression, CORS, a cookie
 * parser and sessions. `page-cache-fragments` is `page-cache` with personal fragments
 * (`@PageFragment()` methods and the pages under `/fragments/` that use them).
 */
export type Mode =
  | 'floor'
  | 'nest-cache'
  | 'page-cache'
  | 'page-cache-interceptor'
  | 'page-cache-fragments'
  | 'page-cache-edge'
  | 'page-cache-grace'
  | 'scaffolded'
  | 'scaffolded-interceptor';
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
  if (mode !== 'floor' && mode !== 'nest-cache') {
    if (store === 'redis') imports.push(CacheModule.register({ isGlobal: true, stores: redisStores() }));
    const maxEntries = Number(process.env.BENCH_MAX_ENTRIES ?? 10_000);
    const maxBytes = process.env.BENCH_MAX_BYTES ? { maxBytes: Number(process.env.BENCH_MAX_BYTES) } : {};
    imports.push(
      CachePageModule.forRoot({
        keyPrefix: process.env.BENCH_KEY_PREFIX ?? 'bench:',
        maxEntries,
        ...(mode.endsWith('-interceptor') ? { fastPath: false } : {}),
        ...(mode === 'page-cache-edge' ? { edge: { purgers: [new BenchEdge()] } } : {}),
        ...(mode === 'page-cache-grace' ? { staleWhileRevalidate: 10_000, warmUp: true } : {}),
        ...maxBytes,
      }),
    );
  }

  const controllers: Array<new (...args: never[]) => unknown> = [BenchController];
  if (mode === 'page-cache-fragments') {
    controllers.push(FragmentsController);
    providers.push(VisitorFragments);
  }

  @Module({ imports, providers, controllers })
  class BenchModule {}

  const options = { logger: ['error' as const] };
  const app =
    adapter === 'express'
      ? await NestFactory.create<NestExpressApplication>(BenchModule, new ExpressAdapter(), options)
      : await NestFactory.create<NestFastifyApplication>(BenchModule, new FastifyAdapter(), options);
  if (mode.startsWith('scaffolded')) await scaffold(app, adapter);
  return app;
}

const SESSION_SECRET = 'a benchmark secret of thirty-two characters';

/** helmet, compression, CORS, a cookie parser and sessions, as `nest new` apps add them. */
async function scaffold(app: INestApplication, adapter: Adapter): Promise<void> {
  if (adapter === 'express') {
    const express = app as NestExpressApplication;
    express.use(helmet());
    express.use(compression());
    express.enableCors();
    express.use(cookieParser());
    express.use(session({ secret: SESSION_SECRET, resave: false, saveUninitialized: false }));
    return;
  }
  const fastify = app as NestFastifyApplication;
  await fastify.register(fastifyHelmet as never);
  await fastify.register(fastifyCompress as never);
  fastify.enableCors();
  await fastify.register(fastifyCookie as never);
  await fastify.register(fastifySession as never, { secret: SESSION_SECRET, saveUninitialized: false });
}

/**
 * An edge that takes every purge at once (`page-cache-edge`): the rows measure what hits cost
 * with `edge` on (the keys and lifetime headers), not purges.
 */
class BenchEdge implements EdgePurger {
  readonly name = 'the benchmark edge';
  readonly keyHeader = 'xkey';
  readonly keySeparator = ' ';
  readonly maxKeyHeaderBytes = 7_168;
  readonly lifetimeHeader = 'Surrogate-Control';
  async purge(): Promise<void> {}
}

if (process.argv[1] === fileURLToPath(import.meta.url)) void main();
