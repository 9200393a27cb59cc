import { afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import {
  Controller,
  Get,
  Injectable,
  Module,
  RequestMethod,
  type INestApplication,
  type MiddlewareConsumer,
  type NestMiddleware,
  type NestModule,
} from '@nestjs/common';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import type { IncomingMessage, ServerResponse } from 'node:http';
import request from 'supertest';
import { CachePageModule, CachePageService, type CachePageModuleOptions } from 'nestjs-cache-page';
import { expectHit, expectMiss } from '../support/cache-assertions.js';
import { CapturedLogs } from '../support/captured-logs.js';
import { describeWithService, isReachable, REDIS_URL } from '../support/services.js';
import {
  keyvRedisStore,
  memoryStore,
  uniquePrefix,
  type StoreSetup,
  type StoreVariant,
} from '../support/stores.js';
import { Counters } from './fixtures/counters.js';
import { ADAPTERS, type AdapterName } from './fixtures/create-pages-app.js';

/*
 * The fast path never skips middleware that can refuse a request. A page rendered for a request
 * that passed an API-key check bound with MiddlewareConsumer (by path, by controller, with
 * `exclude`, for GET only), or app-wide middleware / a Fastify hook the module does not know,
 * keeps the interceptor path: a request without the key gets what the app gives it without a
 * cache (401), whatever the spelling of the URL, for HEAD, for conditional and compressed
 * requests, with `fastPath: 'auto'` and `fastPath: true`, on the memory store and on Redis.
 */
const counters = new Counters();
const API_KEY = 'secret';

@Injectable()
class ApiKeyMiddleware implements NestMiddleware {
  use(req: IncomingMessage, res: ServerResponse, next: () => void) {
    counters.hit('api-key');
    if (req.headers['x-api-key'] !== API_KEY) {
      res.statusCode = 401;
      res.end('no key');
      return;
    }
    next();
  }
}

@Controller()
class PagesController {
  @Get('page')
  page() {
    return `page ${counters.hit('page')}`;
  }

  @Get('page/public')
  publicPage() {
    return `public ${counters.hit('public')}`;
  }

  @Get('open')
  open() {
    return `open ${counters.hit('open')}`;
  }
}

@Controller('members')
class MembersController {
  @Get()
  index() {
    return `members ${counters.hit('members')}`;
  }
}

/** How the API-key middleware is bound, and the paths it guards and leaves open. */
const BINDINGS = {
  'forRoutes by path': {
    bind: (consumer: MiddlewareConsumer) => consumer.apply(ApiKeyMiddleware).forRoutes('page'),
    guarded: '/page',
  },
  'forRoutes by controller': {
    bind: (consumer: MiddlewareConsumer) => consumer.apply(ApiKeyMiddleware).forRoutes(MembersController),
    guarded: '/members',
  },
  'forRoutes with exclude': {
    bind: (consumer: MiddlewareConsumer) =>
      consumer
        .apply(ApiKeyMiddleware)
        .exclude({ path: 'page/public', method: RequestMethod.GET })
        .forRoutes(PagesController),
    guarded: '/page',
  },
  'forRoutes for GET only': {
    bind: (consumer: MiddlewareConsumer) =>
      consumer.apply(ApiKeyMiddleware).forRoutes({ path: 'page', method: RequestMethod.GET }),
    guarded: '/page',
  },
} as const;
type Binding = keyof typeof BINDINGS;

/** Spellings of a path that the adapter's router may serve with the same route. */
const spellings = (adapter: AdapterName, path: string) =>
  adapter === 'express'
    ? [path, `${path}/`, path.toUpperCase(), `${path}?x=1`]
    : [path, `${path}?x=1`, `/%${path.charCodeAt(1).toString(16)}${path.slice(2)}`];

interface Started {
  readonly app: INestApplication;
  readonly logs: CapturedLogs;
  fastHits: number;
}

async function startApp(
  adapter: AdapterName,
  options: CachePageModuleOptions,
  store: StoreSetup,
  configure: (consumer: MiddlewareConsumer) => unknown = () => undefined,
  prepare: (app: INestApplication) => void | Promise<void> = () => undefined,
): Promise<Started> {
  const logs = new CapturedLogs();
  @Module({
    imports: [...store.imports, CachePageModule.forRoot({ ...store.options, ...options })],
    controllers: [PagesController, MembersController],
  })
  class AppModule implements NestModule {
    configure(consumer: MiddlewareConsumer) {
      configure(consumer);
    }
  }
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
  const app = moduleRef.createNestApplication(
    adapter === 'express' ? new ExpressAdapter() : new FastifyAdapter(),
    { logger: logs },
  );
  await prepare(app);
  await app.listen(0, '127.0.0.1');
  const started: Started = { app, logs, fastHits: 0 };
  app.get(CachePageService).onFastHit(() => (started.fastHits += 1));
  return started;
}

const redisReachable = await isReachable(REDIS_URL);
const STORES: readonly StoreVariant[] = [memoryStore, keyvRedisStore];

describe.each(STORES)('the fast path and middleware that refuses requests, $name', (store) => {
  describeWithService('Redis', REDIS_URL, !store.needsRedis || redisReachable, store.name, () => {
    let started: Started | undefined;
    let setup: StoreSetup | undefined;
    afterEach(async () => {
      await setup?.cleanup();
      await started?.app.close();
      started = undefined;
      setup = undefined;
    });
    const start = async (
      adapter: AdapterName,
      options: CachePageModuleOptions,
      configure?: (consumer: MiddlewareConsumer) => unknown,
      prepare?: (app: INestApplication) => void | Promise<void>,
    ) => {
      setup = await store.setup(uniquePrefix('fast-mw'));
      return (started = await startApp(
        adapter,
        { keyPrefix: uniquePrefix('fast-mw'), ...options },
        setup,
        configure,
        prepare,
      ));
    };
    const server = () => started!.app.getHttpServer();

    const RUNS = ADAPTERS.flatMap((adapter) =>
      (['auto', true] as const).flatMap((fastPath) =>
        (Object.keys(BINDINGS) as Binding[]).map((binding) => ({ adapter, fastPath, binding })),
      ),
    );

    test.each(RUNS)(
      '$adapter, fastPath $fastPath, API key bound $binding: a request without the key gets what the app gives it, for every spelling, HEAD, 304 and br/gzip',
      async ({ adapter, fastPath, binding }) => {
        const { bind, guarded } = BINDINGS[binding];
        await start(adapter, { fastPath }, bind);
        for (const path of spellings(adapter, guarded)) {
          // What the app answers without a cache: the router decides which spellings it serves.
          const uncached = await request(server()).get(path);
          const withKey = await request(server()).get(path).set('x-api-key', API_KEY);
          const again = await request(server()).get(path).set('x-api-key', API_KEY);
          if (withKey.status === 200) {
            expectMiss(withKey);
            expectHit(again);
          }
          const keyChecks = counters.of('api-key');
          const etag = String(again.headers.etag ?? '');
          const attempts = [
            request(server()).get(path),
            request(server()).get(path).set('x-api-key', 'wrong'),
            request(server()).head(path),
            request(server()).get(path).set('accept-encoding', 'gzip, br'),
            request(server()).get(path).set('accept-encoding', 'br'),
            request(server()).get(path).set('if-none-match', etag),
          ];
          for (const attempt of attempts) {
            const response = await attempt;
            expect({ path, status: response.status }).toEqual({ path, status: uncached.status });
            if (uncached.status !== 200) expect(response.headers['x-cache']).toBeUndefined();
          }
          if (uncached.status === 401) expect(counters.of('api-key') - keyChecks).toBe(attempts.length);
        }
        expect(started!.fastHits).toBe(0);
      },
    );

    test.each(ADAPTERS)(
      // Nest checks exclude() inside its middleware wrapper, after the router matched, so the
      // excluded route counts as behind the middleware: served from the cache, not fast.
      '%s: a route the API key is excluded from is served from the cache, its neighbour still refuses',
      async (adapter) => {
        await start(adapter, { fastPath: 'auto' }, BINDINGS['forRoutes with exclude'].bind);
        await request(server()).get('/page/public').expect(200).expect(expectMiss);
        const calls = counters.of('public');
        await request(server()).get('/page/public').expect(200).expect(expectHit);
        expect(counters.of('public')).toBe(calls);
        await request(server()).get('/page').set('x-api-key', API_KEY).expect(200);
        await request(server()).get('/page').set('x-api-key', API_KEY).expect(200).expect(expectHit);
        await request(server()).get('/page').expect(401);
        expect(started!.fastHits).toBe(0);
      },
    );

    test.each(ADAPTERS)(
      '%s: app-wide middleware the module does not know is never skipped (429 stands), and the log says which kept the route off',
      async (adapter) => {
        await start(adapter, { fastPath: 'auto' }, undefined, (app) => {
          const limit = (req: IncomingMessage, res: ServerResponse, next: () => void) => {
            if (req.headers['x-over-limit'] !== undefined) {
              res.statusCode = 429;
              res.end('slow down');
              return;
            }
            next();
          };
          app.use(function rateLimit(req: IncomingMessage, res: ServerResponse, next: () => void) {
            limit(req, res, next);
          });
        });
        await request(server()).get('/open').expect(200).expect(expectMiss);
        await request(server()).get('/open').expect(200).expect(expectHit);
        await request(server()).get('/open').set('x-over-limit', '1').expect(429);
        await request(server()).head('/open').set('x-over-limit', '1').expect(429);
        expect(started!.fastHits).toBe(0);
        const log = started!.logs.of('log').join('\n');
        expect(log).toContain('PagesController.open stays on the interceptor path');
        expect(log).toContain(adapter === 'express' ? 'rateLimit' : 'app.use()');
        expect(log).toContain('skippableMiddleware');
      },
    );

    test('fastify: an anonymous onRequest hook of the app is never skipped (403 stands)', async () => {
      await start('fastify', { fastPath: true }, undefined, (app) => {
        (app as NestFastifyApplication)
          .getHttpAdapter()
          .getInstance()
          .addHook('onRequest', async (req, reply) => {
            if (req.headers['x-banned'] !== undefined) await reply.code(403).send('banned');
          });
      });
      await request(server()).get('/open').expect(200).expect(expectMiss);
      await request(server()).get('/open').expect(200).expect(expectHit);
      await request(server()).get('/open').set('x-banned', '1').expect(403);
      expect(started!.fastHits).toBe(0);
    });
  });
});

/** A middleware class the app names as safe to skip. */
@Injectable()
class RequestLogMiddleware implements NestMiddleware {
  use(_req: IncomingMessage, _res: ServerResponse, next: () => void) {
    counters.hit('request-log');
    next();
  }
}

describe.each(ADAPTERS)('skippableMiddleware and middleware added later on %s', (adapter) => {
  let started: Started | undefined;
  afterEach(async () => {
    await started?.app.close();
    started = undefined;
  });
  const memory = { imports: [], options: {}, cleanup: async () => undefined };
  const server = () => started!.app.getHttpServer();

  test('a MiddlewareConsumer class named in skippableMiddleware is skipped by fast hits', async () => {
    started = await startApp(
      adapter,
      { fastPath: 'auto', skippableMiddleware: [RequestLogMiddleware] },
      memory,
      (consumer) => consumer.apply(RequestLogMiddleware).forRoutes('*'),
    );
    await request(server()).get('/open').expect(200).expect(expectMiss);
    const logged = counters.of('request-log');
    await request(server()).get('/open').expect(200).expect(expectHit);
    expect(counters.of('request-log')).toBe(logged);
    expect(started.fastHits).toBe(1);
  });

  test('a skippable class does not vouch for an unknown one bound beside it', async () => {
    started = await startApp(
      adapter,
      { fastPath: 'auto', skippableMiddleware: [RequestLogMiddleware] },
      memory,
      (consumer) => {
        consumer.apply(RequestLogMiddleware).forRoutes('*');
        consumer.apply(ApiKeyMiddleware).forRoutes('page');
      },
    );
    await request(server()).get('/page').set('x-api-key', API_KEY).expect(200).expect(expectMiss);
    await request(server()).get('/page').set('x-api-key', API_KEY).expect(200).expect(expectHit);
    await request(server()).get('/page').expect(401);
    expect(started.fastHits).toBe(0);
  });

  test('middleware added after startup is respected: the fast path turns off and says so', async () => {
    started = await startApp(adapter, { fastPath: 'auto' }, memory);
    await request(server()).get('/open').expect(200).expect(expectMiss);
    await request(server()).get('/open').expect(200).expect(expectHit);
    expect(started.fastHits).toBe(1);
    const refuse = (req: IncomingMessage, res: ServerResponse, next: () => void) => {
      if (req.headers['x-late'] === undefined) return next();
      res.statusCode = 403;
      res.end('late');
    };
    if (adapter === 'express') {
      (started.app as NestExpressApplication).getHttpAdapter().getInstance().use(refuse);
    } else {
      // @fastify/middie's use(), which Fastify's types do not declare.
      const fastify = (started.app as NestFastifyApplication).getHttpAdapter().getInstance();
      (fastify as unknown as { use(middleware: typeof refuse): void }).use(refuse);
    }
    const late = await request(server()).get('/open').set('x-late', '1');
    // Express appends it after the routes, where it never runs for /open; middie runs it first.
    expect(late.status).toBe(adapter === 'express' ? 200 : 403);
    await request(server()).get('/open').expect(200).expect(expectHit);
    expect(started.fastHits).toBe(1);
    expect(started.logs.of('warn').join('\n')).toContain('middleware was added after startup');
  });

  test('onFastHit: each fast hit is reported once; a listener that throws does not touch the response', async () => {
    started = await startApp(adapter, { fastPath: 'auto' }, memory);
    const seen: string[] = [];
    const service = started.app.get(CachePageService);
    const unsubscribe = service.onFastHit(({ request: req, response }) =>
      seen.push(`${req.url} ${response.statusCode}`),
    );
    service.onFastHit(() => {
      throw new Error('listener failure');
    });
    await request(server()).get('/open').expect(200).expect(expectMiss);
    await request(server()).get('/open').expect(200).expect(expectHit);
    await request(server()).head('/open').expect(200).expect(expectHit);
    expect(seen).toEqual(['/open 200', '/open 200']);
    unsubscribe();
    await request(server()).get('/open').expect(200).expect(expectHit);
    expect(seen).toHaveLength(2);
    expect(started.logs.of('error').join('\n')).toContain('listener failure');
  });
});

beforeAll(() => {
  expect(ADAPTERS).toEqual(['express', 'fastify']);
});
