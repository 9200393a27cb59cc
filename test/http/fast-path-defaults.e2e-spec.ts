import { afterEach, describe, expect, test } from '@jest/globals';
import { Controller, Get, Module, Post, Req, type INestApplication } from '@nestjs/common';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import fastifyCompress from '@fastify/compress';
import fastifyCookie from '@fastify/cookie';
import fastifyHelmet from '@fastify/helmet';
import fastifySession, { MemoryStore as FastifyMemoryStore } from '@fastify/session';
import compression from 'compression';
import cookieParser from 'cookie-parser';
import session from 'express-session';
import handlebars from 'handlebars';
import helmet from 'helmet';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import passport from 'passport';
import request from 'supertest';
import {
  CachePageModule,
  CachePageService,
  NoCachePage,
  type CachePageModuleOptions,
} from 'nestjs-cache-page';
import { expectHit, expectMiss } from '../support/cache-assertions.js';
import { CapturedLogs } from '../support/captured-logs.js';
import { describeWithService, isReachable, REDIS_URL } from '../support/services.js';
import { keyvRedisStore, memoryStore, uniquePrefix, type StoreSetup } from '../support/stores.js';
import { Counters } from './fixtures/counters.js';
import { ADAPTERS, type AdapterName } from './fixtures/create-pages-app.js';

/*
 * fastPath 'auto', the default: a hit skips the framework behind each piece of middleware the
 * module knows to be safe to skip (one app per piece, on both adapters), and behind session
 * middleware only for visitors without cookies: a request with a session cookie goes through
 * the session middleware (which reads its session, and with it keeps it alive). `fastPath: true`
 * skips session middleware for everyone.
 */
const counters = new Counters();
const SECRET = 'a secret of at least thirty-two characters';

@Controller()
class SiteController {
  @Get('open')
  open() {
    return `open ${counters.hit('open')}`;
  }

  @Post('login')
  @NoCachePage()
  login(@Req() req: { session: Record<string, unknown> }) {
    req.session.user = 'alice';
    return 'signed in';
  }
}

/** express-session's memory store, counting the sessions it is asked for. */
class CountingExpressStore extends session.MemoryStore {
  override get(sid: string, callback: (error: unknown, data?: session.SessionData | null) => void): void {
    counters.hit('session-read');
    super.get(sid, callback);
  }
}

/** @fastify/session's memory store, counting the sessions it is asked for. */
class CountingFastifyStore extends FastifyMemoryStore {
  override get(sid: string, callback: Parameters<FastifyMemoryStore['get']>[1]): void {
    counters.hit('session-read');
    super.get(sid, callback);
  }
}

const STATIC_ROOT = mkdtempSync(join(tmpdir(), 'cache-page-static-'));
writeFileSync(join(STATIC_ROOT, 'robots.txt'), 'User-agent: *\n');

type Setup = (app: INestApplication) => unknown;
const express =
  (setup: (app: NestExpressApplication) => unknown): Setup =>
  (app) =>
    setup(app as NestExpressApplication);
const fastify =
  (setup: (app: NestFastifyApplication) => unknown): Setup =>
  (app) =>
    setup(app as NestFastifyApplication);

const expressSession = () =>
  session({ secret: SECRET, resave: false, saveUninitialized: false, store: new CountingExpressStore() });
const fastifySessionPlugin = async (app: NestFastifyApplication) => {
  await app.register(fastifyCookie as never);
  await app.register(fastifySession as never, {
    secret: SECRET,
    saveUninitialized: false,
    cookie: { secure: false },
    store: new CountingFastifyStore(),
  });
};

/** Each known piece of middleware on its own, as apps install it. */
const KNOWN: Record<AdapterName, Record<string, Setup>> = {
  express: {
    helmet: express((app) => app.use(helmet())),
    'CORS (enableCors)': express((app) => app.enableCors()),
    compression: express((app) => app.use(compression())),
    'cookie-parser': express((app) => app.use(cookieParser())),
    "body parsers (Nest's own, and express.json again)": express((app) => app.useBodyParser('json')),
    'static files (useStaticAssets)': express((app) => app.useStaticAssets(STATIC_ROOT)),
    'express-session': express((app) => app.use(expressSession())),
    'passport.initialize': express((app) => app.use(passport.initialize())),
  },
  fastify: {
    '@fastify/helmet': fastify((app) => app.register(fastifyHelmet as never)),
    'CORS (enableCors)': fastify((app) => app.enableCors()),
    '@fastify/compress': fastify((app) => app.register(fastifyCompress as never)),
    '@fastify/cookie': fastify((app) => app.register(fastifyCookie as never)),
    '@fastify/session': fastify(fastifySessionPlugin),
    '@fastify/view (setViewEngine)': fastify((app) =>
      app.setViewEngine({ engine: { handlebars }, templates: STATIC_ROOT }),
    ),
  },
};

/** A scaffolded-style app: helmet, compression, CORS, cookies and sessions. */
const SCAFFOLDED: Record<AdapterName, Setup> = {
  express: express((app) => {
    app.use(helmet());
    app.use(compression());
    app.enableCors();
    app.use(cookieParser());
    app.use(expressSession());
  }),
  fastify: fastify(async (app) => {
    await app.register(fastifyHelmet as never);
    await app.register(fastifyCompress as never);
    app.enableCors();
    await fastifySessionPlugin(app);
  }),
};

interface Site {
  readonly app: INestApplication;
  readonly logs: CapturedLogs;
  fastHits: number;
}

const redisReachable = await isReachable(REDIS_URL);
const RUNS = [memoryStore, keyvRedisStore].flatMap((store) =>
  ADAPTERS.map((adapter) => ({ adapter, store })),
);

describe.each(RUNS)('the default fast path on $adapter, $store.name', ({ adapter, store }) => {
  describeWithService('Redis', REDIS_URL, !store.needsRedis || redisReachable, store.name, () => {
    let site: Site | undefined;
    let stored: StoreSetup | undefined;
    afterEach(async () => {
      await stored?.cleanup();
      await site?.app.close();
      site = undefined;
      stored = undefined;
    });

    async function start(setup: Setup, options: CachePageModuleOptions = {}): Promise<Site> {
      const logs = new CapturedLogs();
      const keyPrefix = uniquePrefix('fast-defaults');
      stored = await store.setup(keyPrefix);
      @Module({
        imports: [...stored.imports, CachePageModule.forRoot({ keyPrefix, ...stored.options, ...options })],
        controllers: [SiteController],
      })
      class SiteModule {}
      const moduleRef = await Test.createTestingModule({ imports: [SiteModule] }).compile();
      const app = moduleRef.createNestApplication(
        adapter === 'express' ? new ExpressAdapter() : new FastifyAdapter(),
        { logger: logs },
      );
      await setup(app);
      await app.listen(0, '127.0.0.1');
      site = { app, logs, fastHits: 0 };
      const current = site;
      app.get(CachePageService).onFastHit(() => (current.fastHits += 1));
      return site;
    }
    const get = (path: string) => request(site!.app.getHttpServer()).get(path);

    test.each(Object.entries(KNOWN[adapter]))(
      'behind %s, a hit is answered before the framework (no handler call, reported by onFastHit)',
      async (_name, setup) => {
        await start(setup);
        await get('/open').expect(200).expect(expectMiss);
        const calls = counters.of('open');
        const first = await get('/open').expect(200).expect(expectHit);
        await get('/open').set('accept-encoding', 'gzip').expect(200).expect(expectHit);
        expect(counters.of('open')).toBe(calls);
        expect(site!.fastHits).toBe(2);
        expect(first.text).toMatch(/^open \d+$/);
      },
    );

    test("helmet's headers come with a fast hit", async () => {
      await start(adapter === 'express' ? KNOWN.express.helmet! : KNOWN.fastify['@fastify/helmet']!);
      const miss = await get('/open').expect(200);
      const hit = await get('/open').expect(200).expect(expectHit);
      expect(site!.fastHits).toBe(1);
      expect(hit.headers['x-content-type-options']).toBe('nosniff');
      expect(hit.headers['content-security-policy']).toBe(miss.headers['content-security-policy']);
    });

    test('a scaffolded app (helmet, compression, CORS, cookies, sessions): fast for visitors without cookies; a session cookie goes through the session middleware', async () => {
      await start(SCAFFOLDED[adapter]);
      await get('/open').expect(200).expect(expectMiss);
      await get('/open').expect(200).expect(expectHit);
      expect(site!.fastHits).toBe(1);

      const login = await request(site!.app.getHttpServer()).post('/login').expect(201);
      const cookie = String(login.headers['set-cookie']).split(';')[0]!;
      const reads = counters.of('session-read');
      const calls = counters.of('open');
      await get('/open').set('cookie', cookie).expect(200).expect(expectHit);
      expect(counters.of('session-read')).toBe(reads + 1);
      expect(counters.of('open')).toBe(calls);
      expect(site!.fastHits).toBe(1);
      expect(site!.logs.of('log').join('\n')).toContain('Skipped only for requests without cookies');
    });

    test('fastPath: true also skips the session middleware for a visitor with a session cookie', async () => {
      await start(SCAFFOLDED[adapter], { fastPath: true });
      await get('/open').expect(200).expect(expectMiss);
      const login = await request(site!.app.getHttpServer()).post('/login').expect(201);
      const cookie = String(login.headers['set-cookie']).split(';')[0]!;
      const reads = counters.of('session-read');
      await get('/open').set('cookie', cookie).expect(200).expect(expectHit);
      expect(counters.of('session-read')).toBe(reads);
      expect(site!.fastHits).toBe(1);
    });

    test('the startup log names what a fast hit skips', async () => {
      await start(SCAFFOLDED[adapter]);
      const log = site!.logs.of('log').join('\n');
      expect(log).toContain("fastPath 'auto'");
      expect(log).toContain(adapter === 'express' ? 'helmetMiddleware' : 'helmetApplyHeaders');
      expect(log).toContain(adapter === 'express' ? 'session' : 'handleSession');
      expect(log).not.toContain('Not known');
    });
  });
});
