import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import type { EntityManager, MikroORM } from '@mikro-orm/core';
import type { CachePageModuleOptions, InvalidationEvent } from 'nestjs-cache-page';
import { expectInvalidates, invalidatedBy } from 'nestjs-cache-page/testing';
import { BlogApp } from './blog/blog-app.js';
import { clearBlog, seedBlog, type BlogIds } from './blog/blog.database.js';
import { Author, Comment, Page, Post, Tag, Visit, type PageOutput } from './blog/blog.entities.js';

/** What a change must do to the cache: pages that must be fresh (with what), pages that must stay cached. */
interface Plan {
  readonly fresh: ReadonlyArray<readonly [path: string, expected: string | 404]>;
  readonly cached: readonly string[];
  /** Pages that do not exist before the change, so they cannot be warmed. */
  readonly created?: ReadonlyArray<readonly [path: string, expected: string]>;
}

interface Trigger {
  readonly name: string;
  change(em: EntityManager, ids: BlogIds): Promise<void>;
  plan(ids: BlogIds): Plan;
}

/** Every change the subscriber must see, on the seeded blog (see seedBlog). */
const TRIGGERS: readonly Trigger[] = [
  {
    name: 'create (a post with an author reference and a loaded tag)',
    async change(em, ids) {
      const misc = await em.findOneOrFail(Tag, ids.misc);
      em.create(Post, {
        slug: 'fresh',
        title: 'Fresh Post',
        author: em.getReference(Author, ids.ada),
        tags: [misc],
      });
    },
    plan: (ids) => ({
      fresh: [
        ['/', 'Hello World, Second Post, Fresh Post.'],
        [`/authors/${ids.ada}`, 'Ada wrote 2 post(s)'],
        ['/tags/misc', '#misc: 1 post(s)'],
      ],
      created: [['/posts/fresh', 'Fresh Post: 1 tag(s)']],
      cached: [`/authors/${ids.brian}`, '/tags/news', '/posts/hello', '/comments', '/about'],
    }),
  },
  {
    name: 'update (the old slug is invalidated too)',
    async change(em, ids) {
      const post = await em.findOneOrFail(Post, ids.hello);
      post.slug = 'hello-again';
      post.title = 'Hello Again';
    },
    plan: (ids) => ({
      fresh: [
        ['/', 'Home: Hello Again, Second Post.'],
        ['/posts/hello', 404],
        [`/authors/${ids.ada}`, 'Ada wrote 1 post(s): Hello Again'],
      ],
      created: [['/posts/hello-again', 'Hello Again: 1 tag(s), 1 comment(s)']],
      cached: ['/posts/world', `/authors/${ids.brian}`, '/tags/news', '/comments', '/about'],
    }),
  },
  {
    name: 'delete (em.remove, with the M:N collection loaded)',
    async change(em, ids) {
      em.remove(await em.findOneOrFail(Post, ids.world, { populate: ['tags'] }));
    },
    plan: (ids) => ({
      fresh: [
        ['/', 'Home: Hello World.'],
        ['/posts/world', 404],
        [`/authors/${ids.brian}`, 'Brian wrote 0 post(s)'],
        ['/tags/tips', '#tips: 0 post(s)'],
      ],
      cached: ['/posts/hello', `/authors/${ids.ada}`, '/tags/news', '/comments', '/about'],
    }),
  },
  {
    name: 'upsert (em.upsert)',
    async change(em, ids) {
      await em.upsert(Post, { id: ids.hello, slug: 'hello', title: 'Hello Upserted', author: ids.ada });
    },
    plan: (ids) => ({
      fresh: [
        ['/', 'Home: Hello Upserted, Second Post.'],
        ['/posts/hello', 'Hello Upserted: 1 tag(s)'],
        [`/authors/${ids.ada}`, 'Ada wrote 1 post(s): Hello Upserted'],
      ],
      cached: ['/posts/world', `/authors/${ids.brian}`, '/tags/news', '/comments', '/about'],
    }),
  },
  {
    name: 'M:N add on the owning side (post.tags.add)',
    async change(em, ids) {
      const post = await em.findOneOrFail(Post, ids.hello);
      post.tags.add(await em.findOneOrFail(Tag, ids.tips));
    },
    plan: (ids) => ({
      fresh: [
        ['/posts/hello', 'Hello World: 2 tag(s)'],
        ['/tags/tips', '#tips: 2 post(s)'],
      ],
      cached: ['/tags/news', '/tags/misc', '/posts/world', '/comments', '/about', `/authors/${ids.brian}`],
    }),
  },
  {
    name: 'M:N remove on the owning side (post.tags.remove)',
    async change(em, ids) {
      const post = await em.findOneOrFail(Post, ids.hello, { populate: ['tags'] });
      post.tags.remove(post.tags.getItems().find((tag) => tag.id === ids.news)!);
    },
    plan: (ids) => ({
      fresh: [
        ['/posts/hello', 'Hello World: 0 tag(s)'],
        ['/tags/news', '#news: 0 post(s)'],
      ],
      cached: ['/tags/tips', '/tags/misc', '/posts/world', '/comments', '/about', `/authors/${ids.brian}`],
    }),
  },
  {
    name: 'M:N add on the inverse side (tag.posts.add, collection not loaded)',
    async change(em, ids) {
      const tag = await em.findOneOrFail(Tag, ids.misc);
      tag.posts.add(await em.findOneOrFail(Post, ids.world));
    },
    plan: (ids) => ({
      fresh: [
        ['/tags/misc', '#misc: 1 post(s)'],
        ['/posts/world', 'Second Post: 2 tag(s)'],
      ],
      cached: ['/tags/news', '/tags/tips', '/posts/hello', '/comments', '/about', `/authors/${ids.ada}`],
    }),
  },
  {
    name: 'M:N remove on the inverse side (tag.posts.remove)',
    async change(em, ids) {
      const tag = await em.findOneOrFail(Tag, ids.news, { populate: ['posts'] });
      tag.posts.remove(tag.posts.getItems()[0]!);
    },
    plan: (ids) => ({
      fresh: [
        ['/tags/news', '#news: 0 post(s)'],
        ['/posts/hello', 'Hello World: 0 tag(s)'],
      ],
      cached: ['/tags/tips', '/tags/misc', '/posts/world', '/comments', '/about', `/authors/${ids.brian}`],
    }),
  },
  {
    name: '1:N FK change: a comment moves to another post (old and new parent)',
    async change(em, ids) {
      const comment = await em.findOneOrFail(Comment, ids.comment, { populate: ['post'] });
      comment.post = await em.findOneOrFail(Post, ids.world);
    },
    plan: (ids) => ({
      fresh: [
        ['/posts/hello', 'Hello World: 1 tag(s), 0 comment(s)'],
        ['/posts/world', 'Second Post: 1 tag(s), 1 comment(s)'],
        ['/comments', `Nice post on #${ids.world}`],
      ],
      cached: ['/tags/news', '/tags/tips', '/about'],
    }),
  },
  {
    name: '1:N FK change: a post moves to another author (parents known by key)',
    async change(em, ids) {
      const post = await em.findOneOrFail(Post, ids.hello);
      post.author = em.getReference(Author, ids.brian);
    },
    plan: (ids) => ({
      fresh: [
        [`/authors/${ids.ada}`, 'Ada wrote 0 post(s)'],
        [`/authors/${ids.brian}`, 'Brian wrote 2 post(s)'],
      ],
      cached: ['/tags/news', '/tags/tips', '/comments', '/about', '/posts/world'],
    }),
  },
  {
    name: '1:N child added (a comment is created on a post)',
    async change(em, ids) {
      em.create(Comment, { body: 'Second thoughts', post: await em.findOneOrFail(Post, ids.world) });
    },
    plan: () => ({
      fresh: [
        ['/posts/world', 'Second Post: 1 tag(s), 1 comment(s)'],
        ['/comments', 'Comments (2)'],
      ],
      cached: ['/posts/hello', '/tags/news', '/tags/tips', '/about'],
    }),
  },
  {
    name: '1:N child removed (a comment is deleted)',
    async change(em, ids) {
      em.remove(await em.findOneOrFail(Comment, ids.comment, { populate: ['post'] }));
    },
    plan: () => ({
      fresh: [
        ['/posts/hello', 'Hello World: 1 tag(s), 0 comment(s)'],
        ['/comments', 'Comments (0)'],
      ],
      cached: ['/posts/world', '/tags/news', '/tags/tips', '/about'],
    }),
  },
];

type Change = (em: EntityManager) => Promise<void>;

interface Shape {
  readonly name: string;
  readonly commits: boolean;
  /** Runs the change; `beforeCommit` is called after the change is flushed, before any commit. */
  run(orm: MikroORM, change: Change, beforeCommit: () => Promise<void>): Promise<void>;
}

const ROLL_BACK = 'roll back on purpose';

/** em.begin(), then `body` (which commits or rolls back); a failing assertion rolls back, so no lock outlives the test. */
async function inExplicitTransaction(
  orm: MikroORM,
  body: (em: EntityManager) => Promise<void>,
): Promise<void> {
  const em = orm.em.fork();
  await em.begin();
  try {
    await body(em);
  } catch (error) {
    if (em.isInTransaction()) await em.rollback();
    throw error;
  }
}

/** Every way a change can reach the database, and two ways it can fail to. */
const SHAPES: readonly Shape[] = [
  {
    name: 'implicit flush',
    commits: true,
    async run(orm, change) {
      const em = orm.em.fork();
      await change(em);
      await em.flush();
    },
  },
  {
    name: 'em.transactional()',
    commits: true,
    run: (orm, change, beforeCommit) =>
      orm.em.fork().transactional(async (em) => {
        await change(em);
        await em.flush();
        await beforeCommit();
      }),
  },
  {
    name: 'em.begin() / em.commit()',
    commits: true,
    run: (orm, change, beforeCommit) =>
      inExplicitTransaction(orm, async (em) => {
        await change(em);
        await em.flush();
        await beforeCommit();
        await em.commit();
      }),
  },
  {
    name: 'nested transaction (savepoint released, then the root commits)',
    commits: true,
    run: (orm, change, beforeCommit) =>
      orm.em.fork().transactional(async (outer) => {
        await outer.transactional(async (inner) => {
          await change(inner);
          await inner.flush();
          await beforeCommit();
        });
        await beforeCommit();
      }),
  },
  {
    name: 'em.transactional() rolled back',
    commits: false,
    async run(orm, change, beforeCommit) {
      const transaction = orm.em.fork().transactional(async (em) => {
        await change(em);
        await em.flush();
        await beforeCommit();
        throw new Error(ROLL_BACK);
      });
      await expect(transaction).rejects.toThrow(ROLL_BACK);
    },
  },
  {
    name: 'em.begin() / em.rollback()',
    commits: false,
    run: (orm, change, beforeCommit) =>
      inExplicitTransaction(orm, async (em) => {
        await change(em);
        await em.flush();
        await beforeCommit();
        await em.rollback();
      }),
  },
  {
    name: 'nested transaction rolled back with its root',
    commits: false,
    async run(orm, change, beforeCommit) {
      const transaction = orm.em.fork().transactional(async (outer) => {
        await outer.transactional(async (inner) => {
          await change(inner);
          await inner.flush();
        });
        await beforeCommit();
        throw new Error(ROLL_BACK);
      });
      await expect(transaction).rejects.toThrow(ROLL_BACK);
    },
  },
];

/** Counts shown in the final report: triggers × transaction shapes. */
export const MATRIX_SIZE = { triggers: TRIGGERS.length, shapes: SHAPES.length };

const VALID_OUTPUTS: readonly PageOutput[] = [
  'array',
  'set',
  'generator',
  'promise',
  'string',
  'absolute-url',
];
const BAD_OUTPUTS: ReadonlyArray<readonly [PageOutput, string]> = [
  ['throws', 'threw Error: page paths exploded'],
  ['rejects', 'rejected with Error: page paths rejected'],
  ['non-iterable', 'returned 42, which is not an iterable of paths'],
  ['undefined', 'returned undefined, which is not an iterable of paths'],
  ['non-strings', 'returned 7, which is not a string'],
  ['relative', 'returned "pages/guide", which is not a path starting with "/"'],
];

/**
 * The entity-driven invalidation suite, shared by every database and MikroORM major: `openOrm`
 * returns an ORM whose schema holds the blog (BLOG_ENTITIES); each test gets a freshly seeded
 * blog and a fresh app (so a fresh in-memory page cache).
 */
export function invalidationSuite(
  openOrm: () => Promise<MikroORM>,
  closeOrm: (orm: MikroORM) => Promise<void>,
): void {
  let orm: MikroORM;
  let ids: BlogIds;
  let blog: BlogApp | undefined;

  const start = async (options: CachePageModuleOptions = {}) => (blog = await BlogApp.start(orm, options));
  const fork = () => orm.em.fork();

  beforeAll(async () => {
    orm = await openOrm();
  });
  afterAll(async () => {
    await closeOrm(orm);
  });
  beforeEach(async () => {
    await clearBlog(orm);
    ids = await seedBlog(orm);
  });
  afterEach(async () => {
    await blog?.close();
    blog = undefined;
  });

  describe.each(TRIGGERS.map((trigger) => [trigger.name, trigger] as const))('%s', (_name, trigger) => {
    test.each(SHAPES.map((shape) => [shape.name, shape] as const))('%s', async (_shape, shape) => {
      const app = await start();
      const plan = trigger.plan(ids);
      const warmed = [...plan.fresh.map(([path]) => path), ...plan.cached];
      await app.warm(warmed);

      await shape.run(
        orm,
        (em) => trigger.change(em, ids),
        () => app.expectCached(warmed),
      );

      if (!shape.commits) {
        await app.expectCached(warmed);
        return;
      }
      for (const [path, expected] of plan.fresh) await app.expectFresh(path, expected);
      for (const [path, expected] of plan.created ?? []) await app.expectFresh(path, expected);
      await app.expectCached(plan.cached);
    });
  });

  describe('transactions', () => {
    test('a savepoint rolled back inside a committed transaction: the committed change is invalidated at commit', async () => {
      const app = await start();
      await app.warm(['/tags/news', '/tags/misc', '/about']);
      await fork().transactional(async (outer) => {
        const news = await outer.findOneOrFail(Tag, ids.news);
        news.name = 'headlines';
        await outer.flush();
        await expect(
          outer.transactional(async (inner) => {
            (await inner.findOneOrFail(Tag, ids.misc)).name = 'other';
            await inner.flush();
            throw new Error(ROLL_BACK);
          }),
        ).rejects.toThrow(ROLL_BACK);
        await app.expectCached(['/tags/news', '/tags/misc']);
      });
      await app.expectFresh('/tags/news', 404);
      await app.expectFresh('/tags/headlines', '#headlines: 1 post(s)');
      await app.expectFresh('/tags/misc', '#misc: 0 post(s)'); // the savepoint's paths: over-invalidated, never stale
      await app.expectCached(['/about']);
    });

    test('paths are de-duplicated per transaction: two flushes of one post, one invalidation', async () => {
      const app = await start({ debug: true });
      await app.warm(['/posts/hello', '/about']);
      await fork().transactional(async (em) => {
        const post = await em.findOneOrFail(Post, ids.hello);
        post.title = 'Hello Once';
        await em.flush();
        post.title = 'Hello Twice';
        await em.flush();
      });
      const lines = app.logs.of('debug').filter((line) => line.includes(`Post#${ids.hello} update`));
      expect(lines).toEqual([
        `CachePageModule: Post#${ids.hello} update → /, /posts/hello, /authors/${ids.ada} | CachePageModule`,
      ]);
      await app.expectFresh('/posts/hello', 'Hello Twice');
      await app.expectCached(['/about']);
    });
  });

  describe('what is not a change', () => {
    test('an entity without @DependentPaths() invalidates nothing', async () => {
      const app = await start();
      await app.warm(['/', '/posts/hello', '/about']);
      const em = fork();
      em.create(Visit, { post: em.getReference(Post, ids.hello) });
      await em.flush();
      await app.expectCached(['/', '/posts/hello', '/about']);
    });

    test('a flush with nothing to write invalidates nothing', async () => {
      const app = await start();
      await app.warm(['/', '/posts/hello']);
      const em = fork();
      await em.findOneOrFail(Post, ids.hello, { populate: ['tags', 'comments'] });
      await em.flush();
      await app.expectCached(['/', '/posts/hello']);
    });
  });

  describe('Jimmy Page mode (invalidateAllOnChange)', () => {
    const every = ['/', '/about', '/posts/hello', '/tags/news', '/comments', '/pages/none'];
    const warmable = every.filter((path) => path !== '/pages/none');

    test('any flushed change invalidates every page, even pages no entity names', async () => {
      const app = await start({ invalidateAllOnChange: true });
      await app.warm(warmable);
      const em = fork();
      em.create(Tag, { name: 'fresh' });
      await em.flush();
      for (const path of warmable) await app.expectFresh(path);
    });

    test('a change to an undecorated entity invalidates every page too', async () => {
      const app = await start({ invalidateAllOnChange: true });
      await app.warm(warmable);
      const em = fork();
      em.create(Visit, { post: em.getReference(Post, ids.hello) });
      await em.flush();
      for (const path of warmable) await app.expectFresh(path);
    });

    test('a change to an entity in ignoreEntities invalidates nothing', async () => {
      const app = await start({ invalidateAllOnChange: true, ignoreEntities: [Visit] });
      await app.warm(warmable);
      const em = fork();
      em.create(Visit, { post: em.getReference(Post, ids.hello) });
      await em.flush();
      await app.expectCached(warmable);
    });

    test('an ignored entity with @DependentPaths() still invalidates its own paths', async () => {
      const app = await start({ invalidateAllOnChange: true, ignoreEntities: ['Comment'] });
      await app.warm(warmable);
      const em = fork();
      (await em.findOneOrFail(Comment, ids.comment)).body = 'Edited';
      await em.flush();
      await app.expectFresh('/comments', 'Edited on');
      await app.expectCached(warmable.filter((path) => path !== '/comments'));
    });

    test('waits for the commit, and a rollback invalidates nothing', async () => {
      const app = await start({ invalidateAllOnChange: true });
      await app.warm(warmable);
      await expect(
        fork().transactional(async (em) => {
          em.create(Tag, { name: 'fresh' });
          await em.flush();
          await app.expectCached(warmable);
          throw new Error(ROLL_BACK);
        }),
      ).rejects.toThrow(ROLL_BACK);
      await app.expectCached(warmable);
    });
  });

  describe('what dependentPaths() may return', () => {
    const createPages = async (output: PageOutput) => {
      const em = fork();
      const page = em.create(Page, { slug: 'guide', title: 'First', output });
      em.create(Page, { slug: 'other', title: 'Other', output: 'array' });
      await em.flush();
      return page.id;
    };
    const retitle = async (id: number) => {
      const em = fork();
      (await em.findOneOrFail(Page, id)).title = 'Second';
      await expect(em.flush()).resolves.toBeUndefined();
    };

    test.each(VALID_OUTPUTS)(
      '%s: only its paths are invalidated, every query variant included',
      async (output) => {
        const id = await createPages(output);
        const app = await start();
        await app.warm(['/pages/guide', '/pages/guide?ref=feed', '/pages/other', '/about']);
        await retitle(id);
        await app.expectFresh('/pages/guide', 'Page guide: Second');
        await app.expectFresh('/pages/guide?ref=feed', 'Page guide: Second');
        await app.expectCached(['/pages/other', '/about']);
        expect(app.logs.of('error')).toEqual([]);
      },
    );

    test.each(BAD_OUTPUTS)(
      '%s: the flush succeeds, the error names the entity and key, and every page is invalidated',
      async (output, problem) => {
        const id = await createPages(output);
        const app = await start();
        await app.warm(['/pages/guide', '/pages/other', '/posts/hello', '/about']);
        await retitle(id);
        expect(await fork().findOneOrFail(Page, id)).toMatchObject({ title: 'Second' });
        for (const path of ['/pages/guide', '/pages/other', '/posts/hello', '/about'])
          await app.expectFresh(path);
        expect(app.logs.of('error')).toEqual([
          expect.stringContaining(`Page#${id}.dependentPaths() ${problem}`),
        ]);
      },
    );

    test('bad output inside a rolled-back transaction invalidates nothing', async () => {
      const id = await createPages('throws');
      const app = await start();
      await app.warm(['/pages/guide', '/about']);
      await expect(
        fork().transactional(async (em) => {
          (await em.findOneOrFail(Page, id)).title = 'Second';
          await em.flush();
          throw new Error(ROLL_BACK);
        }),
      ).rejects.toThrow(ROLL_BACK);
      await app.expectCached(['/pages/guide', '/about']);
    });

    test('a path built from a property MikroORM has not loaded: every page is invalidated, with a warning', async () => {
      const app = await start();
      await app.warm(['/posts/hello', '/tags/misc', '/about']);
      const em = fork();
      (await em.findOneOrFail(Post, ids.hello)).tags.add(em.getReference(Tag, ids.misc));
      await em.flush();
      for (const path of ['/posts/hello', '/tags/misc', '/about']) await app.expectFresh(path);
      expect(app.logs.of('warn')).toEqual([
        expect.stringContaining(`Tag#${ids.misc}.dependentPaths() read "name"`),
      ]);
    });
  });

  describe('paths as the app serves them', () => {
    test("under a global prefix, an entity's dependentPaths() (written without it) reach its pages", async () => {
      const app = await BlogApp.start(orm, {}, (nest) => nest.setGlobalPrefix('api'));
      blog = app;
      await app.warm(['/api/posts/hello', '/api/about']);
      const em = fork();
      (await em.findOneOrFail(Post, ids.hello)).title = 'Hello Prefixed';
      await em.flush();
      await app.expectFresh('/api/posts/hello', 'Hello Prefixed');
      await app.expectCached(['/api/about']);
    });
  });

  describe('writes the ORM cannot see', () => {
    test('nativeUpdate is not seen; CachePageService.invalidate() fixes it', async () => {
      const app = await start();
      await app.warm(['/posts/hello', '/about']);
      await fork().nativeUpdate(Post, { id: ids.hello }, { title: 'Natively Updated' });
      const stale = await app.get('/posts/hello');
      expect(stale).toMatchObject({ cache: 'HIT', text: expect.stringContaining('Hello World') });
      await app.cachePage.invalidate(['/posts/hello']);
      await app.expectFresh('/posts/hello', 'Natively Updated');
      await app.expectCached(['/about']);
    });

    test('nativeDelete is not seen; CachePageService.invalidateAll() fixes it', async () => {
      const app = await start();
      await app.warm(['/comments', '/about']);
      await fork().nativeDelete(Comment, {});
      await app.expectCached(['/comments']);
      await app.cachePage.invalidateAll();
      await app.expectFresh('/comments', 'Comments (0)');
      await app.expectFresh('/about');
    });
  });

  describe('debug logging', () => {
    test('debug: true logs each invalidation with the entity, the trigger and the paths', async () => {
      const app = await start({ debug: true });
      const em = fork();
      const tag = em.create(Tag, { name: 'fresh' });
      await em.flush();
      em.remove(tag);
      await em.flush();
      expect(app.logs.of('debug')).toEqual(
        expect.arrayContaining([
          expect.stringContaining(`Tag#${tag.id} create → /tags/fresh`),
          expect.stringContaining(`Tag#${tag.id} delete → /tags/fresh`),
        ]),
      );
    });

    test('debug: false (the default) logs nothing', async () => {
      const app = await start();
      const em = fork();
      em.create(Tag, { name: 'fresh' });
      await em.flush();
      expect(app.logs.of('debug')).toEqual([]);
    });
  });

  describe('explain() and onInvalidation()', () => {
    /** A record as both sides report it, without the key a new row gets (sequences do not roll back). */
    const shape = (event: InvalidationEvent) => ({
      paths: event.paths,
      all: event.all,
      records: event.records
        .map(({ trigger, entity, paths }) => ({
          trigger,
          entity,
          paths: paths === 'all' ? paths : [...paths].sort(),
        }))
        .sort((a, b) => `${a.entity}${a.trigger}`.localeCompare(`${b.entity}${b.trigger}`)),
    });

    test.each(TRIGGERS.map((trigger) => [trigger.name, trigger] as const))(
      '%s: explain() returns what the commit then invalidates, and invalidates nothing itself',
      async (_name, trigger) => {
        const app = await start();
        const plan = trigger.plan(ids);
        const warmed = [...plan.fresh.map(([path]) => path), ...plan.cached];
        await app.warm(warmed);

        const explained = await app.cachePage.explain((em: EntityManager) => trigger.change(em, ids));
        await app.expectCached(warmed);
        expect(explained.paths.length).toBeGreaterThan(0);

        const committed: InvalidationEvent[] = [];
        const unsubscribe = app.cachePage.onInvalidation((event) => committed.push(event));
        await fork().transactional((em) => trigger.change(em, ids));
        unsubscribe();
        expect(committed).toHaveLength(1);
        expect(shape(explained)).toEqual(shape(committed[0]!));
        for (const [path] of plan.fresh) expect(committed[0]!.paths).toContain(path.toLowerCase());
      },
    );

    test('a record names the entity, its key, the trigger and the paths as dependentPaths() gave them', async () => {
      const app = await start();
      const explained = await app.cachePage.explain(async (em: EntityManager) => {
        (await em.findOneOrFail(Tag, ids.news)).name = 'headlines';
      });
      expect(explained).toEqual({
        paths: ['/tags/headlines', '/tags/news'],
        all: false,
        records: [
          { trigger: 'update', entity: 'Tag', id: ids.news, paths: ['/tags/headlines', '/tags/news'] },
        ],
      });
    });

    test('a fallback to every page is reported with its reason', async () => {
      const app = await start({ invalidateAllOnChange: true });
      const explained = await app.cachePage.explain(async (em: EntityManager) => {
        em.create(Tag, { name: 'fresh' });
      });
      expect(explained.all).toBe(true);
      expect(explained.records).toEqual([
        expect.objectContaining({
          trigger: 'create',
          entity: 'Tag',
          paths: 'all',
          reason: 'invalidateAllOnChange',
          cause: 'invalidate-all-on-change',
        }),
      ]);
    });

    test('invalidate() and invalidateAll() are reported as manual, with canonical paths', async () => {
      const app = await start();
      const events: InvalidationEvent[] = [];
      app.cachePage.onInvalidation((event) => events.push(event));
      await app.cachePage.invalidate(['/Tags/News/', '/about']);
      await app.cachePage.invalidateAll();
      expect(events).toEqual([
        {
          paths: ['/about', '/tags/news'],
          all: false,
          records: [{ trigger: 'manual', paths: ['/Tags/News/', '/about'] }],
        },
        { paths: [], all: true, records: [{ trigger: 'manual', paths: 'all' }] },
      ]);
    });

    test('a rolled-back transaction reports nothing; a listener that throws changes nothing', async () => {
      const app = await start();
      await app.warm(['/tags/news']);
      const events: InvalidationEvent[] = [];
      app.cachePage.onInvalidation(() => {
        throw new Error('listener bug');
      });
      app.cachePage.onInvalidation((event) => events.push(event));
      await expect(
        fork().transactional(async (em) => {
          (await em.findOneOrFail(Tag, ids.news)).name = 'rolled-back';
          await em.flush();
          throw new Error(ROLL_BACK);
        }),
      ).rejects.toThrow(ROLL_BACK);
      expect(events).toEqual([]);
      const em = fork();
      (await em.findOneOrFail(Tag, ids.news)).name = 'headlines';
      await em.flush();
      expect(events.map((event) => event.paths)).toEqual([['/tags/headlines', '/tags/news']]);
      await app.expectFresh('/tags/news', 404);
    });

    test('the testing helpers see what a committed write invalidated, and say what differs', async () => {
      const app = await start();
      const rename = (name: string) => () =>
        fork().transactional(async (em) => {
          (await em.findOneOrFail(Tag, ids.news)).name = name;
        });
      await expectInvalidates(app.nest, rename('headlines'), ['/tags/news', '/tags/headlines']);
      await expect(expectInvalidates(app.nest, rename('news'), ['/tags/news'])).rejects.toThrow(
        /invalidated, not expected: \/tags\/headlines/,
      );
      expect(await invalidatedBy(app.nest, () => fork().transactional(async () => undefined))).toEqual([]);
    });

    test('stats() counts committed invalidations per entity, and those that went to every page by cause', async () => {
      const app = await start({ invalidateAllOnChange: true, ignoreEntities: ['Comment'] });
      const em = fork();
      (await em.findOneOrFail(Tag, ids.news)).name = 'headlines';
      await em.flush();
      (await em.findOneOrFail(Tag, ids.misc)).name = 'other';
      await em.flush();
      await app.cachePage.explain(async (tx: EntityManager) => {
        (await tx.findOneOrFail(Tag, ids.tips)).name = 'rolled back';
      });
      expect(app.cachePage.stats().entities).toEqual({
        Tag: { invalidations: 2, everyPage: { 'invalidate-all-on-change': 2 } },
      });
    });

    test('explain() without a watched MikroORM says what to do', async () => {
      const app = await start({ orm: [] });
      await expect(app.cachePage.explain(() => undefined)).rejects.toThrow(
        /CachePageModule: explain\(\) needs MikroORM/,
      );
    });
  });
}
