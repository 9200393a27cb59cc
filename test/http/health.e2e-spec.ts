import { afterEach, describe, expect, test } from '@jest/globals';
import { Controller, Get, Module, type INestApplication } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { HealthCheck, HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { Test } from '@nestjs/testing';
import { createCache } from 'cache-manager';
import { CachePageHealthIndicator, CachePageModule } from 'nestjs-cache-page';
import request from 'supertest';
import { FlakyCache } from '../support/flaky-cache.js';
import { ADAPTERS } from './fixtures/create-pages-app.js';

/* CachePageHealthIndicator in a real @nestjs/terminus health check. */
@Controller()
class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly cachePage: CachePageHealthIndicator,
  ) {}

  @Get('health')
  @HealthCheck()
  check() {
    return this.health.check([() => this.cachePage.isHealthy()]);
  }

  @Get('strict-health')
  @HealthCheck()
  strict() {
    return this.health.check([() => this.cachePage.isHealthy('cache', { downWhenStoreDown: true })]);
  }

  @Get('page')
  page() {
    return 'a page';
  }
}

describe.each(ADAPTERS)('the terminus health indicator on %s', (adapter) => {
  let app: INestApplication | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  async function start(flaky: FlakyCache) {
    @Module({
      imports: [
        TerminusModule,
        CachePageModule.forRoot({ cache: flaky.cache, ignorePaths: ['/health', '/strict-health'] }),
      ],
      controllers: [HealthController],
    })
    class HealthModule {}
    const moduleRef = await Test.createTestingModule({ imports: [HealthModule] }).compile();
    app = moduleRef.createNestApplication(
      adapter === 'express' ? new ExpressAdapter() : new FastifyAdapter(),
      {
        logger: false,
      },
    );
    await app.listen(0, '127.0.0.1');
    return (path: string) => request(app!.getHttpServer()).get(path);
  }

  test('up while the store answers; degraded (still 200) while it does not; down only when asked', async () => {
    const flaky = new FlakyCache(createCache());
    const get = await start(flaky);
    const healthy = await get('/health').expect(200);
    expect(healthy.body).toMatchObject({
      status: 'ok',
      details: { 'page-cache': { status: 'up', store: 'answering', heldInvalidations: 0, storeErrors: 0 } },
    });

    flaky.down = true;
    for (let i = 0; i < 3; i++) await get('/page').expect(200);
    const degraded = await get('/health').expect(200);
    expect(degraded.body).toMatchObject({
      status: 'degraded',
      details: { 'page-cache': { status: 'degraded', store: 'not answering' } },
    });
    expect(degraded.body.details['page-cache'].storeErrors).toBeGreaterThanOrEqual(3);
    const strict = await get('/strict-health').expect(503);
    expect(strict.body).toMatchObject({ status: 'error', error: { cache: { status: 'down' } } });
  });
});
