import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import {
  Controller,
  Get,
  HostParam,
  Module,
  Param,
  Post,
  VERSION_NEUTRAL,
  VersioningType,
  type INestApplication,
  type Type,
} from '@nestjs/common';
import { RouterModule } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { EntitySchema } from '@mikro-orm/core';
import { MikroORM } from '@mikro-orm/libsql';
import request from 'supertest';
import {
  CachePageModule,
  CachePageService,
  DependentPaths,
  pagePath,
  pagePaths,
  pageRoute,
  type CachePageModuleOptions,
} from 'nestjs-cache-page';
import { AppRoutes } from '../../lib/routes/app-routes.js';
import { expectHit, expectMiss } from '../support/cache-assertions.js';
import { Counters } from './fixtures/counters.js';
import { ADAPTERS, type AdapterName } from './fixtures/create-pages-app.js';

/*
 * pagePath() and its kin in real apps on both adapters: each built path is requested from the
 * running app and must reach its handler (counted, with the parameter the handler received), and
 * invalidating it must turn the next request for the page into a MISS after a HIT.
 */
const calls = new Counters();
/** What a handler received, as `handler:value`: the count tells a render from a hit. */
const seen = (handler: string, value: string) => `${handler}:${value} #${calls.hit(`${handler}:${value}`)}`;

@Controller('posts')
class PostsController {
  @Get()
  index() {
    return seen('index', '-');
  }

  @Get(':slug')
  show(@Param('slug') slug: string) {
    return seen('show', slug);
  }

  @Post()
  create() {
    return 'created';
  }

  /** A method that is no route. */
  format(title: string) {
    return title.toUpperCase();
  }
}

@Controller({ path: 'docs', version: ['1', '2'] })
class DocsController {
  @Get(':slug')
  show(@Param('slug') slug: string) {
    return seen('doc', slug);
  }
}

@Controller({ path: 'about', version: [VERSION_NEUTRAL, '3'] })
class AboutController {
  @Get()
  page() {
    return seen('about', '-');
  }
}

@Controller('health')
class HealthController {
  @Get()
  check() {
    return seen('health', '-');
  }
}

@Controller(['archive', 'old-archive'])
class ArchiveController {
  @Get([':year', 'year/:year'])
  year(@Param('year') year: string) {
    return seen('year', year);
  }
}

@Controller({ host: ':tenant.blog.test', path: 'home' })
class TenantController {
  @Get()
  home(@HostParam('tenant') tenant: string) {
    return seen('home', tenant);
  }
}

@Controller('entries')
class EntriesController {
  @Get(':slug')
  show(@Param('slug') slug: string) {
    return seen('entry', slug);
  }
}

@Module({ controllers: [EntriesController] })
class EntriesModule {}

// Optional and wildcard parameters are spelt differently by the two routers.
@Controller()
class ExpressListsController {
  @Get('pages{/:n}')
  list(@Param('n') n?: string) {
    return seen('list', n ?? '-');
  }

  @Get('files/*path')
  file(@Param('path') path: string[]) {
    return seen('file', path.join('|'));
  }
}

@Controller()
class FastifyListsController {
  @Get('pages/:n?')
  list(@Param('n') n?: string) {
    return seen('list', n ?? '-');
  }

  @Get('files/*')
  file(@Param('*') path: string) {
    return seen('file', path.split('/').join('|'));
  }

  @Get('numbers/:id(^\\d+$)')
  number(@Param('id') id: string) {
    return seen('number', id);
  }
}

/** A post as an entity sees it: its other properties are not params and are ignored. */
class PostRecord {
  constructor(
    readonly slug: string,
    readonly title = 'A title',
  ) {}
}

const CONTROLLERS = [PostsController, DocsController, AboutController, HealthController, ArchiveController];

interface Layout {
  readonly prefix?: string;
  readonly versioning?: { defaultVersion?: string };
  readonly controllers?: Type[];
  readonly options?: CachePageModuleOptions;
}

async function createApp(adapter: AdapterName, layout: Layout = {}): Promise<INestApplication> {
  const lists = adapter === 'express' ? ExpressListsController : FastifyListsController;
  const moduleRef = await Test.createTestingModule({
    imports: [
      CachePageModule.forRoot(layout.options),
      EntriesModule,
      RouterModule.register([{ path: 'blog', module: EntriesModule }]),
    ],
    controllers: layout.controllers ?? [...CONTROLLERS, TenantController, lists],
  }).compile();
  const app = moduleRef.createNestApplication(
    adapter === 'express' ? new ExpressAdapter() : new FastifyAdapter(),
    {
      logger: false,
    },
  );
  if (layout.prefix) app.setGlobalPrefix(layout.prefix, { exclude: ['health'] });
  if (layout.versioning) app.enableVersioning({ type: VersioningType.URI, ...layout.versioning });
  await app.listen(0, '127.0.0.1');
  return app;
}

const messageOf = (run: () => unknown): string => {
  try {
    run();
  } catch (error) {
    return (error as Error).message;
  }
  return 'no error';
};

describe.each(ADAPTERS)('paths from routes, on %s', (adapter: AdapterName) => {
  let app: INestApplication;
  const get = (path: string, host?: string) => {
    const call = request(app.getHttpServer()).get(path);
    return host ? call.set('host', host) : call;
  };

  /** Requests `path` twice: the handler renders it once (its text names what it received), then a HIT. */
  async function expectServedBy(path: string, rendered: string, host?: string) {
    const first = await get(path, host);
    expect({ path, status: first.status, text: first.text }).toEqual({
      path,
      status: 200,
      text: expect.stringMatching(new RegExp(`^${escape(rendered)} #\\d+$`)),
    });
    const second = await get(path, host);
    expectHit(second);
    expect(second.text).toBe(first.text);
    return first.text;
  }

  /** After `invalidate`, the page renders again (a MISS, the handler called once more). */
  async function expectInvalidated(path: string, invalidate: () => Promise<void>, host?: string) {
    const before = (await get(path, host)).text;
    await invalidate();
    const after = await get(path, host);
    expectMiss(after);
    expect(after.text).not.toBe(before);
    expectHit(await get(path, host));
  }

  describe('under a global prefix (with exclude), URI versions and RouterModule', () => {
    beforeAll(async () => {
      app = await createApp(adapter, { prefix: 'api', versioning: {} });
    });
    afterAll(async () => {
      await app.close();
    });
    const service = () => app.get(CachePageService);

    test("Nest's own RoutePathFactory builds the paths", () => {
      expect(app.get(AppRoutes).rules).toBe('nest');
    });

    test('a route under the global prefix: the path reaches it, and invalidating it makes a MISS', async () => {
      const path = pagePath(PostsController, 'show', { slug: 'hello' });
      expect(path).toBe('/api/posts/hello');
      await expectServedBy(path, 'show:hello');
      await expectInvalidated(path, () =>
        service().invalidate(pagePath(PostsController, 'show', { slug: 'hello' })),
      );
      expect(pagePath(PostsController, 'index')).toBe('/api/posts');
      await expectServedBy('/api/posts', 'index:-');
    });

    test('a route excluded from the global prefix', async () => {
      const path = pagePath(HealthController, 'check');
      expect(path).toBe('/health');
      await expectServedBy(path, 'health:-');
      await expectInvalidated(path, () => service().invalidateRoute(HealthController, 'check'));
    });

    test('URI versions: the first listed, every one from pagePaths(), all invalidated by invalidateRoute()', async () => {
      expect(pagePath(DocsController, 'show', { slug: 'intro' })).toBe('/api/v1/docs/intro');
      const paths = pagePaths(DocsController, 'show', { slug: 'intro' });
      expect(paths).toEqual(['/api/v1/docs/intro', '/api/v2/docs/intro']);
      for (const path of paths) await expectServedBy(path, 'doc:intro');
      await service().invalidateRoute(DocsController, 'show', { slug: 'intro' });
      for (const path of paths) expectMiss(await get(path));
    });

    test('VERSION_NEUTRAL listed first: the path without a version segment', async () => {
      expect(pagePath(AboutController, 'page')).toBe('/api/about');
      expect(pagePaths(AboutController, 'page')).toEqual(['/api/about', '/api/v3/about']);
      for (const path of pagePaths(AboutController, 'page')) await expectServedBy(path, 'about:-');
    });

    test('a RouterModule path', async () => {
      const path = pagePath(EntriesController, 'show', { slug: 'first' });
      expect(path).toBe('/api/blog/entries/first');
      await expectServedBy(path, 'entry:first');
      await expectInvalidated(path, () => service().invalidate(path));
    });

    test('path arrays on the controller and the handler: the first, and every one from pagePaths()', async () => {
      expect(pagePath(ArchiveController, 'year', { year: 2024 })).toBe('/api/archive/2024');
      const paths = pagePaths(ArchiveController, 'year', { year: 2024 });
      expect(paths).toEqual([
        '/api/archive/2024',
        '/api/archive/year/2024',
        '/api/old-archive/2024',
        '/api/old-archive/year/2024',
      ]);
      for (const path of paths) await expectServedBy(path, 'year:2024');
      await service().invalidateRoute(ArchiveController, 'year', { year: '2024' });
      for (const path of paths) expectMiss(await get(path));
    });

    test('a host route: host params are not part of the path', async () => {
      const path = pagePath(TenantController, 'home');
      expect(path).toBe('/api/home');
      await expectServedBy(path, 'home:alice', 'alice.blog.test');
      await expectInvalidated(path, () => service().invalidate(path), 'alice.blog.test');
    });

    test.each([
      ['c#', '/api/posts/c%23'],
      ['a/b', '/api/posts/a%2Fb'],
      ['100%', '/api/posts/100%25'],
      ['two words', '/api/posts/two%20words'],
      ['ü', '/api/posts/%C3%BC'],
      ['what?', '/api/posts/what%3F'],
    ])('the slug %j: encoded so the router decodes it back', async (slug, expected) => {
      const path = pagePath(PostsController, 'show', { slug });
      expect(path).toBe(expected);
      await expectServedBy(path, `show:${slug}`);
      await expectInvalidated(path, () => service().invalidateRoute(PostsController, 'show', { slug }));
    });

    test('optional parameters, left out and given', async () => {
      const controller: typeof ExpressListsController =
        adapter === 'express' ? ExpressListsController : (FastifyListsController as never);
      expect(pagePath(controller, 'list')).toBe('/api/pages');
      expect(pagePath(controller, 'list', { n: 2 })).toBe('/api/pages/2');
      await expectServedBy('/api/pages', 'list:-');
      await expectServedBy('/api/pages/2', 'list:2');
      await expectInvalidated('/api/pages/2', () =>
        service().invalidate(pagePath(controller, 'list', { n: 2 })),
      );
    });

    test('wildcards: an array of segments, or a string split on "/"', async () => {
      const [path, param] =
        adapter === 'express'
          ? [pagePath(ExpressListsController, 'file', { path: ['a b', 'ü.txt'] }), 'path']
          : [pagePath(FastifyListsController, 'file', { '*': ['a b', 'ü.txt'] }), '*'];
      expect(path).toBe('/api/files/a%20b/%C3%BC.txt');
      await expectServedBy(path, 'file:a b|ü.txt');
      // Both controllers have a "file" handler; the parameter's name differs.
      const controller: typeof ExpressListsController =
        adapter === 'express' ? ExpressListsController : (FastifyListsController as never);
      expect(pagePath(controller, 'file', { [param]: 'a b/ü.txt' })).toBe(path);
      await expectInvalidated(path, () =>
        service().invalidate(pagePath(controller, 'file', { [param]: 'a b/ü.txt' })),
      );
    });

    test("an entity's params come from its properties, its other properties ignored", async () => {
      const path = pagePath(PostsController, 'show', new PostRecord('from-entity'));
      expect(path).toBe('/api/posts/from-entity');
      await expectServedBy(path, 'show:from-entity');
    });

    describe('errors name Controller.method and the route pattern', () => {
      test('a missing param', () => {
        expect(messageOf(() => pagePath(PostsController, 'show'))).toBe(
          'CachePageModule: missing parameter "slug" for PostsController.show [GET /api/posts/:slug]. ' +
            'Pass it: pagePath(PostsController, \'show\', { slug: … }), or an object (an entity) with a "slug" property.',
        );
        expect(messageOf(() => pagePath(PostsController, 'show', { slug: '' }))).toContain(
          'missing parameter "slug"',
        );
      });

      test('an unknown param of a plain object', () => {
        const message = messageOf(() => pagePath(PostsController, 'show', { slug: 'a', title: 'A' }));
        expect(message).toMatch(
          /^CachePageModule: unknown parameter "title" for PostsController\.show \[GET \/api\/posts\/:slug\]/,
        );
        expect(message).toContain('(its parameters: slug)');
        expect(messageOf(() => pagePath(HealthController, 'check', { id: 1 }))).toContain(
          'unknown parameter "id" for HealthController.check [GET /health] (its parameters: none)',
        );
      });

      test('a value that cannot stand in a path', () => {
        expect(messageOf(() => pagePath(PostsController, 'show', { slug: { id: 1 } }))).toMatch(
          /^CachePageModule: parameter "slug" for PostsController\.show \[GET \/api\/posts\/:slug\] cannot stand in a path/,
        );
      });

      test('an unknown method (a method that is no route), listing the GET routes', () => {
        const expected =
          'CachePageModule: no route PostsController.format: PostsController has no route handler by that name ' +
          '(its GET routes: index [GET /api/posts], show [GET /api/posts/:slug]). Was it renamed?';
        expect(messageOf(() => pagePath(PostsController, 'format'))).toBe(expected);
        expect(messageOf(() => pagePath(PostsController, 'shw' as 'show'))).toContain(
          'no route PostsController.shw:',
        );
      });

      test('a non-GET route', () => {
        expect(messageOf(() => pagePath(PostsController, 'create'))).toBe(
          'CachePageModule: PostsController.create [POST /api/posts] is not a GET route: only GET pages are ' +
            'cached, so it has no page path.',
        );
      });

      test('a controller of no initialised app', () => {
        @Controller('nowhere')
        class NowhereController {
          @Get()
          page() {}
        }
        expect(messageOf(() => pagePath(NowhereController, 'page'))).toMatch(
          /^CachePageModule: no route NowhereController\.page: NowhereController is not a controller of any initialised app/,
        );
      });

      if (adapter === 'fastify') {
        test('a regular-expression param is refused', () => {
          expect(messageOf(() => pagePath(FastifyListsController, 'number', { id: 1 }))).toBe(
            'CachePageModule: cannot build a path for FastifyListsController.number [GET /api/numbers/:id(^\\d+$)]: ' +
              'regular expression parameters are not supported. Use plain parameters (:id, {/:id}, *path, or ' +
              ':id? and * on Fastify) and check their values in a pipe.',
          );
        });
      }
    });
  });

  test('a default version applies to controllers that declare none', async () => {
    app = await createApp(adapter, { prefix: 'api', versioning: { defaultVersion: '7' } });
    try {
      const path = pagePath(PostsController, 'show', { slug: 'hello' });
      expect(path).toBe('/api/v7/posts/hello');
      await expectServedBy(path, 'show:hello');
      expect(pagePath(DocsController, 'show', { slug: 'x' })).toBe('/api/v1/docs/x');
    } finally {
      await app.close();
    }
  });

  test('several apps: the most recently initialised one with the controller, forgotten on close()', async () => {
    const first = await createApp(adapter, { prefix: 'one' });
    const second = await createApp(adapter, { prefix: 'two', controllers: [DocsController] });
    try {
      expect(pagePath(PostsController, 'index')).toBe('/one/posts');
      expect(pagePath(DocsController, 'show', { slug: 'a' })).toBe('/two/docs/a');
      const third = await createApp(adapter, { prefix: 'three' });
      expect(pagePath(PostsController, 'index')).toBe('/three/posts');
      await third.close();
      expect(pagePath(PostsController, 'index')).toBe('/one/posts');
    } finally {
      await second.close();
      await first.close();
    }
    expect(messageOf(() => pagePath(PostsController, 'index'))).toBe(
      "CachePageModule: pagePath(PostsController, 'index') was called before an app with CachePageModule " +
        'initialised: routes are read during app.init() (or app.listen()). Call it where it runs later ' +
        "(dependentPaths(), a handler, a template); at module scope, declare pageRoute(() => Controller, 'method') " +
        'and call its path().',
    );
  });

  test('a pageRoute() handle whose function loads the controller is resolved during app.init()', async () => {
    // As a file that must not import the controller writes it: async () => (await import('…')).DocsController
    const docPage = pageRoute(async () => DocsController, 'show');
    expect(messageOf(() => docPage.path({ slug: 'x' }))).toMatch(
      /^CachePageModule: pageRoute\(…, 'show'\)\.path\(\) was called before an app with CachePageModule initialised/,
    );
    app = await createApp(adapter, { versioning: {} });
    try {
      expect(docPage.path({ slug: 'x' })).toBe('/v1/docs/x');
      expect(docPage.controller()).toBe(DocsController);
      await expectServedBy(docPage.path({ slug: 'lazy' }), 'doc:lazy');
    } finally {
      await app.close();
    }
  });

  test('pageRoute() handles give the same paths as pagePath()', async () => {
    const docPage = pageRoute(() => DocsController, 'show');
    app = await createApp(adapter, { versioning: {} });
    try {
      expect(docPage.path({ slug: 'x' })).toBe('/v1/docs/x');
      expect(docPage.paths({ slug: 'x' })).toEqual(['/v1/docs/x', '/v2/docs/x']);
      expect(docPage.path({ slug: 'x' })).toBe(pagePath(DocsController, 'show', { slug: 'x' }));
    } finally {
      await app.close();
    }
  });
});

describe.each(ADAPTERS)('a pageRoute() handle naming no GET route fails the boot, on %s', (adapter) => {
  test('a renamed handler, a method that is no route and a non-GET route: app.init() rejects naming each', async () => {
    @Controller('renamed')
    class RenamedController {
      @Get(':slug')
      article(@Param('slug') slug: string) {
        return slug;
      }

      @Post()
      save() {}

      helper() {}
    }
    // What a handle declared before a rename (show → article) looks like once the rename compiles.
    pageRoute(() => RenamedController, 'show' as 'article');
    pageRoute(() => RenamedController, 'helper');
    pageRoute(() => RenamedController, 'save');
    const moduleRef = await Test.createTestingModule({
      imports: [CachePageModule.forRoot()],
      controllers: [RenamedController],
    }).compile();
    const app = moduleRef.createNestApplication(
      adapter === 'express' ? new ExpressAdapter() : new FastifyAdapter(),
      {
        logger: false,
      },
    );
    const failure = await app.init().then(
      () => 'started',
      (error: Error) => error.message,
    );
    await app.close();
    expect(failure).toBe(
      'CachePageModule: 3 pageRoute() handle(s) name no GET route of this app:\n' +
        '  - CachePageModule: no route RenamedController.show: RenamedController has no route handler by that ' +
        'name (its GET routes: article [GET /renamed/:slug]). Was it renamed?\n' +
        '  - CachePageModule: no route RenamedController.helper: RenamedController has no route handler by that ' +
        'name (its GET routes: article [GET /renamed/:slug]). Was it renamed?\n' +
        '  - CachePageModule: RenamedController.save [POST /renamed] is not a GET route: only GET pages are ' +
        'cached, so it has no page path.',
    );
  });
});

/*
 * pagePath() inside an entity's dependentPaths(), with a real commit: SQLite through MikroORM.
 */
@DependentPaths()
class Article {
  id!: number;
  slug!: string;
  title!: string;

  dependentPaths() {
    return [pagePath(PostsController, 'show', this), pagePath(PostsController, 'index')];
  }
}

const ARTICLE = new EntitySchema<Article>({
  class: Article,
  properties: {
    id: { type: 'number', primary: true },
    slug: { type: 'string' },
    title: { type: 'string' },
  },
});

describe.each(ADAPTERS)('pagePath() in dependentPaths(), on %s', (adapter) => {
  let orm: MikroORM;
  let app: INestApplication;
  beforeAll(async () => {
    orm = await MikroORM.init({ dbName: ':memory:', entities: [ARTICLE] });
    await orm.schema.createSchema();
    app = await createApp(adapter, { prefix: 'api', options: { orm } });
  });
  afterAll(async () => {
    await app.close();
    await orm.close(true);
  });

  test('an update invalidates the pages its dependentPaths() name, under the prefix, after the commit', async () => {
    const em = orm.em.fork();
    const article = em.create(Article, { slug: 'c# tips', title: 'C#' });
    await em.flush();
    const path = '/api/posts/c%23%20tips';
    const get = (url: string) => request(app.getHttpServer()).get(url);
    await get(path);
    expectHit(await get(path));
    await get('/api/posts');
    expectHit(await get('/api/posts'));
    await get('/api/posts/unrelated');
    expectHit(await get('/api/posts/unrelated'));
    article.title = 'C# tips, revised';
    await em.flush();
    expectMiss(await get(path));
    expectMiss(await get('/api/posts'));
    // Exactly those pages: a dependentPaths() that threw would have invalidated every page.
    expectHit(await get('/api/posts/unrelated'));
  });
});

// Last in this file: the failing handle stays declared, and fails every app started after it.
test('a pageRoute() function that fails (a moved controller file) fails the boot, naming the handle', async () => {
  pageRoute(async () => Promise.reject(new Error('Cannot find module ./gone.js')), 'page' as never);
  const moduleRef = await Test.createTestingModule({
    imports: [CachePageModule.forRoot()],
    controllers: [HealthController],
  }).compile();
  const app = moduleRef.createNestApplication(new ExpressAdapter(), { logger: false });
  const failure = await app.init().then(
    () => 'started',
    (error: Error) => error.message,
  );
  await app.close();
  expect(failure).toBe(
    'CachePageModule: 1 pageRoute() handle(s) name no GET route of this app:\n' +
      `  - CachePageModule: pageRoute(() => …, 'page'): the function gave "Cannot find module ./gone.js", ` +
      'not a controller class.',
  );
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
