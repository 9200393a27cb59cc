import 'reflect-metadata';
import KeyvRedis, { createClient } from '@keyv/redis';
import { LibSqlDriver } from '@mikro-orm/libsql';
import { EntitySchema, MikroORM } from '@mikro-orm/core';
import { CACHE_MANAGER, CacheModule } from '@nestjs/cache-manager';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Cache } from 'cache-manager';
import { CachePageModule, DependentPaths } from 'nestjs-cache-page';
import { commandCounts, commandsBetween, deleteKeys, type RedisClient } from './redis-stats.js';

/** An entity whose `dependentPaths()` yields `pathCount` paths. */
@DependentPaths()
class Article {
  id!: number;
  title!: string;
  pathCount!: number;
  dependentPaths(): string[] {
    return Array.from({ length: this.pathCount }, (_, i) => `/articles/${this.id}/page-${i}`);
  }
}

/** The same table shape without `@DependentPaths()`: the cost of the flush alone. */
class Plain {
  id!: number;
  title!: string;
  pathCount!: number;
}

const schema = <T>(cls: new () => T) =>
  new EntitySchema<T>({
    class: cls,
    properties: {
      id: { type: 'number', primary: true },
      title: { type: 'string' },
      pathCount: { type: 'number' },
    } as never,
  });

export interface InvalidationCost {
  readonly paths: number;
  readonly flushMs: number;
  readonly baselineFlushMs: number;
  readonly cacheCalls: number;
  readonly redisCommands: Record<string, number>;
}

const ITERATIONS = 30;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * Measures, against the real Redis, what committing a change costs when the changed entity's
 * `dependentPaths()` yields 1, 10 and 100 paths: flush time (and the same flush of an undecorated
 * entity), calls the store made in sequence, and Redis commands. Prints one JSON line.
 */
async function main(): Promise<void> {
  const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const keyPrefix = `bench-invalidation:${process.pid}:`;
  const orm = await MikroORM.init({
    driver: LibSqlDriver,
    dbName: ':memory:',
    entities: [schema(Article), schema(Plain)],
    allowGlobalContext: true,
  });
  await orm.schema.createSchema();

  @Module({
    imports: [
      CacheModule.register({ isGlobal: true, stores: [new KeyvRedis(redisUrl)] }),
      CachePageModule.forRoot({ keyPrefix }),
    ],
    providers: [{ provide: MikroORM, useValue: orm }],
  })
  class InvalidationModule {}

  const app = await NestFactory.createApplicationContext(InvalidationModule, { logger: ['error'] });
  const cache = app.get<Cache>(CACHE_MANAGER);
  let cacheCalls = 0;
  for (const method of ['mget', 'mset', 'mdel', 'get', 'set', 'del'] as const) {
    const original = cache[method] as (...args: unknown[]) => unknown;
    (cache as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
      cacheCalls += 1;
      return original(...args);
    };
  }
  const client = createClient({ url: redisUrl });
  await client.connect();
  const stats = client as unknown as RedisClient;

  const results: InvalidationCost[] = [];
  for (const paths of [1, 10, 100]) {
    const em = orm.em.fork();
    const article = em.create(Article, { id: paths, title: 't', pathCount: paths });
    const plain = em.create(Plain, { id: paths, title: 't', pathCount: paths });
    await em.flush();
    const flushTimes: number[] = [];
    const baselineTimes: number[] = [];
    let calls = 0;
    let commands: Record<string, number> = {};
    for (let i = 0; i < ITERATIONS; i++) {
      plain.title = `plain ${i}`;
      let started = performance.now();
      await em.flush();
      baselineTimes.push(performance.now() - started);

      article.title = `title ${i}`;
      const before = await commandCounts(stats);
      cacheCalls = 0;
      started = performance.now();
      await em.flush();
      flushTimes.push(performance.now() - started);
      calls = cacheCalls;
      commands = commandsBetween(before.counts, (await commandCounts(stats)).counts);
    }
    results.push({
      paths,
      flushMs: median(flushTimes),
      baselineFlushMs: median(baselineTimes),
      cacheCalls: calls,
      redisCommands: commands,
    });
  }

  await deleteKeys(stats, keyPrefix);
  await client.quit();
  await app.close();
  await orm.close();
  process.stdout.write(`RESULT ${JSON.stringify(results)}\n`);
}

void main();
