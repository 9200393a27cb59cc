import { afterEach, describe, expect, test } from '@jest/globals';
import { Controller, Get, Injectable, Module, UseInterceptors, type ExecutionContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { createCache } from 'cache-manager';
import request from 'supertest';
import {
  CachePageInterceptor,
  CachePageModule,
  CachePageService,
  type CachePageModuleOptions,
  type CachePageOptionsFactory,
} from 'nestjs-cache-page';
import { FlakyCache } from '../support/flaky-cache.js';
import { ADAPTERS, createPagesApp, type PagesApp } from './fixtures/create-pages-app.js';
import { expectBypass, expectHit, expectMiss } from '../support/cache-assertions.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(ADAPTERS)('module options on %s', (adapter) => {
  let pages: PagesApp | undefined;
  afterEach(async () => {
    await pages?.app.close();
    pages = undefined;
  });
  const get = (path: string) => request(pages!.server).get(path);

  test('enabled: false serves nothing from the cache, and invalidation stays harmless', async () => {
    pages = await createPagesApp(adapter, { enabled: false });
    await get('/json').expect(200);
    const second = await get('/json').expect(200);
    expectBypass(second);
    expect(pages.data.counters.of('json')).toBe(2);
    await expect(pages.app.get(CachePageService).invalidate('/json')).resolves.toBeUndefined();
    await expect(pages.app.get(CachePageService).invalidateAll()).resolves.toBeUndefined();
  });

  test('global: false caches only @CachePage() routes', async () => {
    pages = await createPagesApp(adapter, { global: false });
    await get('/json');
    expectBypass(await get('/json'));
    await get('/short-lived');
    expectHit(await get('/short-lived'));
    expect(pages.data.counters.of('json')).toBe(2);
    expect(pages.data.counters.of('short-lived')).toBe(1);
  });

  test('cacheableStatuses widens what is stored', async () => {
    pages = await createPagesApp(adapter, { cacheableStatuses: [200, 203] });
    const miss = await get('/accepted').expect(203);
    const hit = await get('/accepted').expect(203);
    expectHit(hit);
    expect(hit.text).toBe(miss.text);
    expect(pages.data.counters.of('accepted')).toBe(1);
  });

  test('ignorePaths also matches the normalised path, so /ADMIN/ cannot slip past /^\\/admin\\//', async () => {
    pages = await createPagesApp(adapter, { ignorePaths: [/^\/admin\//, '/search'] });
    await get('/admin/dashboard');
    expectBypass(await get('/admin/dashboard'));
    const upper = await get('/ADMIN/dashboard');
    if (upper.status === 200) expect((await get('/ADMIN/dashboard')).headers['x-cache']).toBeUndefined();
    await get('/search?q=1');
    expectBypass(await get('/search?q=1'));
    expectMiss(await get('/json'));
  });

  test('ttl 0 keeps pages forever even when the store has a default TTL', async () => {
    const cache = createCache({ ttl: 40 });
    pages = await createPagesApp(adapter, { cache });
    await get('/json');
    await sleep(100);
    expectHit(await get('/json'));
    expect(pages.data.counters.of('json')).toBe(1);
  });

  test('a module ttl expires pages', async () => {
    pages = await createPagesApp(adapter, { ttl: 40 });
    await get('/json');
    expectHit(await get('/json'));
    await sleep(100);
    expectMiss(await get('/json'));
  });

  test('invalidateAll() renews one epoch and never calls clear() on the store', async () => {
    const flaky = new FlakyCache(createCache());
    pages = await createPagesApp(adapter, { cache: flaky.cache });
    await get('/json');
    await get('/text');
    await pages.app.get(CachePageService).invalidateAll();
    expectMiss(await get('/json'));
    expectMiss(await get('/text'));
    expect(flaky.clearCalls).toBe(0);
  });

  test('the built-in memory store is bounded by maxEntries', async () => {
    pages = await createPagesApp(adapter, { maxEntries: 20 });
    for (let i = 0; i < 60; i++) await get(`/items/bounded-${i}`);
    expectMiss(await get('/items/bounded-0'));
    expectHit(await get('/items/bounded-59'));
  });
});

describe('module registration', () => {
  @Injectable()
  class OptionsFactory implements CachePageOptionsFactory {
    createCachePageOptions(): CachePageModuleOptions {
      return { keyPrefix: 'from-class:' };
    }
  }

  @Module({ providers: [OptionsFactory], exports: [OptionsFactory] })
  class ConfigModule {}

  const compile = async (imports: unknown[]) => {
    const moduleRef = await Test.createTestingModule({ imports: imports as never[] }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    return app;
  };

  test.each([
    ['forRoot()', CachePageModule.forRoot()],
    ['forRootAsync({ useFactory })', CachePageModule.forRootAsync({ useFactory: async () => ({ ttl: 0 }) })],
    ['forRootAsync({ useClass })', CachePageModule.forRootAsync({ useClass: OptionsFactory })],
    [
      'forRootAsync({ useExisting })',
      CachePageModule.forRootAsync({ imports: [ConfigModule], useExisting: OptionsFactory }),
    ],
  ])('%s is global: CachePageService is injectable from a feature module', async (_name, dynamicModule) => {
    @Injectable()
    class Consumer {
      constructor(readonly cachePage: CachePageService) {}
    }
    @Module({ providers: [Consumer] })
    class FeatureModule {}

    const app = await compile([dynamicModule, FeatureModule]);
    expect(app.get(Consumer).cachePage).toBeInstanceOf(CachePageService);
    await app.close();
  });

  test.each([
    [{ ttl: -1 }, '"ttl"', '-1'],
    [{ keyPrefix: 42 }, '"keyPrefix"', '42'],
    [{ ignorePaths: ['('] }, '"ignorePaths"', '"("'],
    [{ cacheableStatuses: [] }, '"cacheableStatuses"', '[]'],
    [{ bypassCookies: 'sid' }, '"bypassCookies"', '"sid"'],
    [{ cache: {} }, '"cache"', 'missing get, mget, set, mset, mdel'],
  ])(
    'bad option %j fails at startup naming the module, the option and the value',
    async (options, option, value) => {
      const attempt = compile([CachePageModule.forRoot(options as CachePageModuleOptions)]);
      await expect(attempt).rejects.toThrow('CachePageModule');
      await expect(attempt).rejects.toThrow(option);
      await expect(attempt).rejects.toThrow(value);
    },
  );
});

describe('a custom interceptor subclass', () => {
  test('replaces the built-in one: its isRequestCacheable() and trackBy() decide', async () => {
    @Injectable()
    class TrackingParamsIgnored extends CachePageInterceptor {
      protected override trackBy(context: ExecutionContext): string | undefined {
        const url = super.trackBy(context);
        return url?.replace(/[?&]utm_[^&]*/g, '').replace(/^([^?]*)&/, '$1?');
      }
      protected override isRequestCacheable(context: ExecutionContext): boolean {
        const { headers } = context.switchToHttp().getRequest<{ headers: Record<string, string> }>();
        return headers['x-preview'] === undefined && super.isRequestCacheable(context);
      }
    }
    const pages = await createPagesApp('express', { interceptor: TrackingParamsIgnored });
    const get = (path: string) => request(pages.server).get(path);
    await get('/search?q=a');
    expectHit(await get('/search?q=a&utm_source=mail'));
    expectBypass(await get('/search?q=a').set('x-preview', '1'));
    expect(pages.data.counters.of('search')).toBe(2);
    await pages.app.close();
  });
});

describe.each(ADAPTERS)('default ignorePaths on %s', (adapter) => {
  test('leave /admin itself and everything under it uncached, and only that', async () => {
    const pages = await createPagesApp(adapter, {});
    const get = (path: string) => request(pages.server).get(path);
    for (const path of ['/admin', '/admin/dashboard']) {
      await get(path);
      expectBypass(await get(path));
    }
    await get('/items/administrator');
    expectHit(await get('/items/administrator'));
    await pages.app.close();
  });
});

describe('the interceptor bound twice', () => {
  test('(globally and with @UseInterceptors) caches once and never waits on itself', async () => {
    @Controller()
    class TwiceController {
      calls = 0;
      @Get('twice')
      @UseInterceptors(CachePageInterceptor)
      twice() {
        return `twice call ${++this.calls}`;
      }
    }
    const moduleRef = await Test.createTestingModule({
      imports: [CachePageModule.forRoot()],
      controllers: [TwiceController],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    const first = await request(app.getHttpServer()).get('/twice').expect(200);
    const second = await request(app.getHttpServer()).get('/twice').expect(200);
    expectMiss(first);
    expectHit(second);
    expect(second.text).toBe('twice call 1');
    await app.close();
  });
});
