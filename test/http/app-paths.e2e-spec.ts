import { afterEach, describe, expect, test } from '@jest/globals';
import {
  Controller,
  Get,
  HostParam,
  Module,
  Param,
  VersioningType,
  type INestApplication,
} from '@nestjs/common';
import { RouterModule } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { CachePageModule, CachePageService } from 'nestjs-cache-page';
import { CapturedLogs } from '../support/captured-logs.js';
import { Counters } from './fixtures/counters.js';
import { ADAPTERS, type AdapterName } from './fixtures/create-pages-app.js';
import { expectHit } from '../support/cache-assertions.js';

/*
 * Paths as the app serves them: a path given to invalidate() (which is what the ORM subscriber
 * calls with dependentPaths()) reaches its page under the global prefix, every URI version and
 * RouterModule prefixes, written with them or without.
 */
const counters = new Counters();

@Controller('posts')
class PostsController {
  @Get(':slug')
  post(@Param('slug') slug: string) {
    return `post ${slug} call ${counters.hit(`post:${slug}`)}`;
  }
}

@Controller({ path: 'docs', version: ['1', '2'] })
class DocsController {
  @Get(':slug')
  doc(@Param('slug') slug: string) {
    return `doc ${slug} call ${counters.hit(`doc:${slug}`)}`;
  }
}

@Controller('health')
class HealthController {
  @Get()
  health() {
    return `ok call ${counters.hit('health')}`;
  }
}

@Controller({ host: ':tenant.blog.test', path: 'home' })
class TenantHomeController {
  @Get()
  home(@HostParam('tenant') tenant: string) {
    return `home of ${tenant} call ${counters.hit(`home:${tenant}`)}`;
  }
}

@Module({ controllers: [PostsController] })
class BlogModule {}

@Module({ controllers: [DocsController] })
class DocsModule {}

interface Layout {
  readonly globalPrefix?: string;
  readonly versioning?: boolean;
  readonly blogAt?: string;
}

describe.each(ADAPTERS)('paths as the app serves them, on %s', (adapter: AdapterName) => {
  let app: INestApplication | undefined;
  let logs: CapturedLogs;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  async function start(layout: Layout): Promise<INestApplication> {
    logs = new CapturedLogs();
    const routes = layout.blogAt
      ? [RouterModule.register([{ path: layout.blogAt, module: BlogModule }])]
      : [];
    const moduleRef = await Test.createTestingModule({
      imports: [CachePageModule.forRoot(), BlogModule, DocsModule, ...routes],
      controllers: [HealthController, TenantHomeController],
    }).compile();
    app = moduleRef.createNestApplication(
      adapter === 'express' ? new ExpressAdapter() : new FastifyAdapter(),
      {
        logger: logs,
      },
    );
    if (layout.globalPrefix) app.setGlobalPrefix(layout.globalPrefix, { exclude: ['health'] });
    if (layout.versioning) app.enableVersioning({ type: VersioningType.URI });
    await app.listen(0, '127.0.0.1');
    return app;
  }

  const get = (path: string) => request(app!.getHttpServer()).get(path);
  async function warm(path: string) {
    expect((await get(path)).status).toBe(200);
    expect({ path, cache: (await get(path)).headers['x-cache'] }).toEqual({ path, cache: 'HIT' });
  }
  async function expectMiss(path: string) {
    expect({ path, cache: (await get(path)).headers['x-cache'] }).toEqual({ path, cache: 'MISS' });
  }

  test.each([
    ['the controller-level path', '/posts/hello'],
    ['the full path', '/api/posts/hello'],
  ])('under a global prefix, invalidating %s reaches the page', async (_case, invalidated) => {
    await start({ globalPrefix: 'api' });
    await warm('/api/posts/hello');
    await warm('/api/posts/other');
    await app!.get(CachePageService).invalidate(invalidated);
    await expectMiss('/api/posts/hello');
    expectHit(await get('/api/posts/other'));
    expect(logs.of('log').join('\n')).toContain('page paths are matched without the global prefix /api');
  });

  test('a route excluded from the global prefix is invalidated by its own path', async () => {
    await start({ globalPrefix: 'api' });
    await warm('/health');
    await app!.get(CachePageService).invalidate('/health');
    await expectMiss('/health');
  });

  test('every URI version of a page is invalidated with its path', async () => {
    await start({ globalPrefix: 'api', versioning: true });
    await warm('/api/v1/docs/intro');
    await warm('/api/v2/docs/intro');
    await app!.get(CachePageService).invalidate('/docs/intro');
    await expectMiss('/api/v1/docs/intro');
    await expectMiss('/api/v2/docs/intro');
    await warm('/api/v1/docs/intro');
    await app!.get(CachePageService).invalidate('/api/v2/docs/intro');
    await expectMiss('/api/v1/docs/intro');
  });

  test('a RouterModule prefix is mapped like the global prefix', async () => {
    await start({ blogAt: 'blog' });
    await warm('/blog/posts/hello');
    await app!.get(CachePageService).invalidate('/posts/hello');
    await expectMiss('/blog/posts/hello');
    await warm('/blog/posts/hello');
    await app!.get(CachePageService).invalidate('/blog/posts/hello');
    await expectMiss('/blog/posts/hello');
    expect(logs.of('log').join('\n')).toContain('the RouterModule path (/blog)');
  });

  test("host-based routes: a page per host, every host's page invalidated with its path", async () => {
    await start({});
    const home = async (tenant: string) => {
      const response = await get('/home').set('host', `${tenant}.blog.test`);
      return { cache: response.headers['x-cache'], text: response.text };
    };
    const alice = await home('alice');
    const bob = await home('bob');
    expect([alice.text, bob.text]).toEqual([
      expect.stringMatching(/^home of alice call \d+$/),
      expect.stringMatching(/^home of bob call \d+$/),
    ]);
    expect(await home('alice')).toEqual({ cache: 'HIT', text: alice.text });
    expect(await home('bob')).toEqual({ cache: 'HIT', text: bob.text });
    await app!.get(CachePageService).invalidate('/home');
    const [aliceAfter, bobAfter] = [await home('alice'), await home('bob')];
    expect([aliceAfter.cache, bobAfter.cache]).toEqual(['MISS', 'MISS']);
    expect([aliceAfter.text, bobAfter.text]).not.toContain(alice.text);
    expect(bobAfter.text).not.toBe(bob.text);
  });

  test('an app without a prefix, versions or RouterModule says nothing about paths', async () => {
    await start({});
    expect(logs.of('log').join('\n')).not.toContain('page paths are matched');
  });
});
