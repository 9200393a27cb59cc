import { afterEach, describe, expect, test } from '@jest/globals';
import {
  Controller,
  Get,
  Injectable,
  Module,
  UseGuards,
  UseInterceptors,
  type CallHandler,
  type CanActivate,
  type ExecutionContext,
  type INestApplication,
  type NestInterceptor,
} from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { request as httpRequest } from 'node:http';
import { createCache } from 'cache-manager';
import request from 'supertest';
import {
  CachePage,
  CachePageInterceptor,
  CachePageModule,
  CachePageService,
  type CachePageModuleOptions,
} from 'nestjs-cache-page';
import { PageStore } from '../../lib/store/page-store.js';
import { CapturedLogs } from '../support/captured-logs.js';
import { Counters } from './fixtures/counters.js';
import { ADAPTERS, type AdapterName } from './fixtures/create-pages-app.js';
import { expectHit, expectMiss } from '../support/cache-assertions.js';

/*
 * fastPath: hits answered in the HTTP server's request listener, before the framework. What
 * they skip (middleware, hooks) and what never takes that path (routes with guards or other
 * interceptors, routes that opt out, an interceptor subclass that changes the decisions).
 */
const counters = new Counters();

@Injectable()
class DenyGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    counters.hit('guard');
    return (
      context.switchToHttp().getRequest<{ headers: Record<string, unknown> }>().headers['x-deny'] ===
      undefined
    );
  }
}

@Injectable()
class StampInterceptor implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler) {
    counters.hit('stamp');
    return next.handle();
  }
}

@Controller()
class FastController {
  @Get('open')
  open() {
    return `open call ${counters.hit('open')}`;
  }

  @Get('guarded')
  @UseGuards(DenyGuard)
  guarded() {
    return `guarded call ${counters.hit('guarded')}`;
  }

  @Get('intercepted')
  @UseInterceptors(StampInterceptor)
  intercepted() {
    return `intercepted call ${counters.hit('intercepted')}`;
  }

  @Get('long')
  long() {
    counters.hit('long');
    return `<p>${'a long page that compresses well '.repeat(200)}</p>`;
  }

  @Get('slow-lane')
  @CachePage({ fastPath: false })
  slowLane() {
    return `slow lane call ${counters.hit('slow-lane')}`;
  }
}

@Injectable()
class KeyByPathInterceptor extends CachePageInterceptor {
  protected override trackBy(context: ExecutionContext) {
    return super.trackBy(context)?.split('?')[0];
  }
}

describe.each(ADAPTERS)('fast path on %s', (adapter: AdapterName) => {
  let app: INestApplication | undefined;
  let logs: CapturedLogs;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  async function start(
    options: CachePageModuleOptions & { interceptor?: typeof CachePageInterceptor },
    global: { guard?: boolean; interceptor?: boolean } = {},
  ) {
    logs = new CapturedLogs();
    @Module({
      imports: [CachePageModule.forRoot({ skippableMiddleware: ['countRequests'], ...options })],
      controllers: [FastController],
      providers: [
        ...(global.guard ? [{ provide: APP_GUARD, useClass: DenyGuard }] : []),
        ...(global.interceptor ? [{ provide: APP_INTERCEPTOR, useClass: StampInterceptor }] : []),
      ],
    })
    class FastModule {}
    const moduleRef = await Test.createTestingModule({ imports: [FastModule] }).compile();
    app = moduleRef.createNestApplication(
      adapter === 'express' ? new ExpressAdapter() : new FastifyAdapter(),
      {
        logger: logs,
      },
    );
    // Middleware of the app, named in skippableMiddleware: it runs for every request the
    // framework handles. On Fastify a hook (middleware given to app.use() there reaches the
    // router wrapped, nameless).
    if (adapter === 'express') {
      app.use(function countRequests(_request: unknown, _response: unknown, next: () => void) {
        counters.hit('middleware');
        next();
      });
    } else {
      (app as NestFastifyApplication)
        .getHttpAdapter()
        .getInstance()
        .addHook('onRequest', function countRequests(_request, _reply, done) {
          counters.hit('middleware');
          done();
        });
    }
    await app.listen(0, '127.0.0.1');
  }
  const get = (path: string) => request(app!.getHttpServer()).get(path);
  const delta = async (name: string, work: () => Promise<unknown>) => {
    const before = counters.of(name);
    await work();
    return counters.of(name) - before;
  };

  test('a hit is answered before the framework: no middleware runs, the handler neither', async () => {
    await start({ fastPath: true });
    const handler = await delta('open', () => get('/open'));
    expect(handler).toBe(1);
    const middleware = await delta('middleware', async () => {
      for (let i = 0; i < 5; i++) expect((await get('/open')).headers['x-cache']).toBe('HIT');
    });
    expect(middleware).toBe(0);
    expect(await delta('open', () => get('/open'))).toBe(0);
    expect(logs.of('log').join('\n')).toContain('fastPath true');
  });

  test('a fast hit sends one Content-Length, the length of the bytes it sends, in each encoding and for HEAD', async () => {
    await start({ fastPath: true });
    const { port } = app!.getHttpServer().address() as { port: number };
    const fetchRaw = (method: string, encoding: string) =>
      new Promise<{ headers: string[]; bytes: Buffer }>((resolve, reject) => {
        const outgoing = httpRequest(
          { host: '127.0.0.1', port, path: '/long', method, headers: { 'accept-encoding': encoding } },
          (response) => {
            const chunks: Buffer[] = [];
            response.on('data', (chunk: Buffer) => chunks.push(chunk));
            response.on('end', () => resolve({ headers: response.rawHeaders, bytes: Buffer.concat(chunks) }));
          },
        );
        outgoing.once('error', reject).end();
      });
    const lengthsOf = (headers: string[]) =>
      headers.filter((_, i) => i % 2 === 0 && headers[i].toLowerCase() === 'content-length').map((_, i) => i);
    const header = (headers: string[], name: string) => {
      const at = headers.findIndex((value, i) => i % 2 === 0 && value.toLowerCase() === name);
      return at === -1 ? undefined : headers[at + 1];
    };
    const rendersBefore = counters.of('long');
    await fetchRaw('GET', 'identity');
    const sizes = new Map<string, number>();
    for (const encoding of ['identity', 'br', 'gzip', 'identity', 'br']) {
      const { headers, bytes } = await fetchRaw('GET', encoding);
      expect(header(headers, 'x-cache')).toBe('HIT');
      expect(lengthsOf(headers)).toHaveLength(1);
      expect(Number(header(headers, 'content-length'))).toBe(bytes.length);
      expect(header(headers, 'content-encoding')).toBe(encoding === 'identity' ? undefined : encoding);
      sizes.set(encoding, bytes.length);
    }
    expect(sizes.get('br')!).toBeLessThan(sizes.get('identity')!);
    for (const encoding of ['identity', 'br']) {
      const { headers, bytes } = await fetchRaw('HEAD', encoding);
      expect(header(headers, 'x-cache')).toBe('HIT');
      expect(bytes.length).toBe(0);
      expect(Number(header(headers, 'content-length'))).toBe(sizes.get(encoding));
    }
    expect(counters.of('long') - rendersBefore).toBe(1);
  });

  test('a page stored by an instance without fastPath keeps the interceptor path on one with it, until it is rendered again', async () => {
    const shared = createCache();
    await start({ fastPath: false, cache: shared });
    await get('/open').expect(200);
    await app!.close();
    await start({ fastPath: true, cache: shared });
    const renders = counters.of('open');
    expect(await delta('middleware', () => get('/open').expect(200).expect(expectHit))).toBe(1);
    await app!.get(CachePageService).invalidate(['/open']);
    await get('/open').expect(200).expect(expectMiss);
    expect(await delta('middleware', () => get('/open').expect(200).expect(expectHit))).toBe(0);
    expect(counters.of('open') - renders).toBe(1);
  });

  test('with fastPath: false, middleware runs on every hit', async () => {
    await start({ fastPath: false });
    await get('/open');
    expect(await delta('middleware', () => get('/open'))).toBe(1);
  });

  test('a route with a guard keeps the interceptor path: the guard runs on every hit and may refuse', async () => {
    await start({ fastPath: true });
    await get('/guarded').expect(200);
    expect(await delta('guard', () => get('/guarded').expect(200))).toBe(1);
    await get('/guarded').set('x-deny', '1').expect(403);
  });

  test('a global guard keeps every route on the interceptor path', async () => {
    await start({ fastPath: true }, { guard: true });
    await get('/open').expect(200);
    expect(await delta('guard', () => get('/open').expect(200))).toBe(1);
    await get('/open').set('x-deny', '1').expect(403);
  });

  test('a route-level interceptor runs inside the cache anyway (skipped by every hit): such a route is fast', async () => {
    await start({ fastPath: true });
    await get('/intercepted');
    expect(await delta('stamp', () => get('/intercepted'))).toBe(0);
    expect(await delta('middleware', () => get('/intercepted'))).toBe(0);
  });

  test('another global interceptor (it may run outside the cache) keeps every route on the interceptor path', async () => {
    await start({ fastPath: true }, { interceptor: true });
    await get('/open');
    expect(await delta('stamp', () => get('/open'))).toBe(1);
    expect(await delta('middleware', () => get('/open'))).toBe(1);
  });

  test('@CachePage({ fastPath: false }) keeps the route on the interceptor path', async () => {
    await start({ fastPath: true });
    await get('/slow-lane');
    expect(await delta('middleware', () => get('/slow-lane'))).toBe(1);
  });

  test('a miss goes on to the framework with the lookup already made (the store is read once)', async () => {
    await start({ fastPath: true });
    const store = app!.get(PageStore);
    const lookup = store.lookup.bind(store);
    let lookups = 0;
    store.lookup = (...args) => {
      lookups += 1;
      return lookup(...args);
    };
    await app!.get(CachePageService).invalidate('/open');
    expectMiss(await get('/open'));
    expect(lookups).toBe(1);
  });

  test('an interceptor subclass that changes trackBy() keeps hits on the interceptor path, and says why', async () => {
    await start({ fastPath: true, interceptor: KeyByPathInterceptor });
    await get('/open?a=1');
    expectHit(await get('/open?a=2'));
    expect(await delta('middleware', () => get('/open'))).toBe(1);
    expect(logs.of('warn').join('\n')).toContain('fastPath stays off');
  });
});
