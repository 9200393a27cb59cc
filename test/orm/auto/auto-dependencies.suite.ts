import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import type { MikroORM } from '@mikro-orm/core';
import { clearBlog } from '../blog/blog.database.js';
import { ADAPTERS, AutoApp } from './auto-app.js';
import { tableName } from './auto.controller.js';
import { Article, Author, Comment, Tag } from './auto.entities.js';
import { seedAuto, type AutoIds } from './auto.database.js';

/**
 * The rules of `dependencies: 'auto'` (README "Automatic dependencies"), each through a real Nest
 * app on both adapters and a real database: a write that changes what a page showed invalidates
 * it (a MISS that renders again, showing the change), and a write that cannot change it leaves
 * it a HIT (the precision that makes auto mode worth it over invalidating every page).
 */
export function autoDependenciesSuite(
  createOrm: () => Promise<MikroORM>,
  closeOrm: (orm: MikroORM) => Promise<void>,
) {
  describe.each(ADAPTERS)('on %s', (adapter) => {
    let orm: MikroORM;
    let app: AutoApp;
    let ids: AutoIds;

    beforeAll(async () => {
      orm = await createOrm();
    });
    afterAll(async () => {
      await closeOrm(orm);
    });
    beforeEach(async () => {
      await clearBlog(orm);
      ids = await seedAuto(orm);
      app = await AutoApp.start(orm, adapter);
    });
    afterEach(async () => {
      await app.close();
    });

    const em = () => orm.em.fork();

    test('a read by primary key depends on that row: its edit invalidates, another row’s does not', async () => {
      await app.cached(`/by-id/${ids.hello}`);
      const other = em();
      other.getReference(Article, ids.world).title = 'World 2';
      await other.flush();
      await app.expectHit(`/by-id/${ids.hello}`);
      const writer = em();
      (await writer.findOneOrFail(Article, ids.hello)).title = 'Hello 2';
      await writer.flush();
      await app.expectMiss(`/by-id/${ids.hello}`, 'Hello 2');
    });

    test('a read that found nothing depends on inserts into its class', async () => {
      expect(await app.cached('/by-id/999')).toContain('none');
      expect(await app.cached('/articles/later')).toContain('no article later');
      const writer = em();
      writer.create(Article, { id: 999, slug: 'later', title: 'Later', author: ids.ada, deletedAt: null });
      await writer.flush();
      await app.expectMiss('/by-id/999', 'Later');
      await app.expectMiss('/articles/later', 'Later by Ada');
    });

    test('a new row that would join a list invalidates it; one that would not leaves it cached', async () => {
      await app.cached('/articles');
      await app.cached(`/authors/${ids.brian}`);
      const writer = em();
      writer.create(Article, {
        slug: 'hidden',
        title: 'Hidden',
        published: false,
        rank: 99,
        author: ids.ada,
        deletedAt: null,
      });
      await writer.flush();
      await app.expectHit('/articles');
      await app.expectHit(`/authors/${ids.brian}`);
      writer.create(Article, {
        slug: 'top',
        title: 'Top',
        published: true,
        rank: 99,
        author: ids.brian,
        deletedAt: null,
      });
      await writer.flush();
      await app.expectMiss('/articles', 'latest: Top, Hello, World');
      await app.expectMiss(`/authors/${ids.brian}`, 'World, Draft, Top');
    });

    test('an update that moves a row into a list, or reorders it, invalidates the list', async () => {
      await app.cached('/articles');
      const writer = em();
      (await writer.findOneOrFail(Article, ids.draft)).published = true;
      await writer.flush();
      expect(await app.expectMiss('/articles')).toBe('latest: Hello, World, Third');
      await app.cached('/articles');
      (await writer.findOneOrFail(Article, ids.draft)).rank = 50;
      await writer.flush();
      expect(await app.expectMiss('/articles')).toBe('latest: Draft, Hello, World');
    });

    test('counts and offset pages follow rows that join or leave them', async () => {
      await app.cached('/articles/count');
      await app.cached('/articles/second-page');
      const writer = em();
      (await writer.findOneOrFail(Article, ids.hello)).published = false;
      await writer.flush();
      await app.expectMiss('/articles/count', 'published: 2');
      await app.cached('/articles/count');
      writer.remove(writer.getReference(Article, ids.world));
      await writer.flush();
      await app.expectMiss('/articles/count', 'published: 1');
      await app.expectMiss('/articles/second-page', 'page 2: Draft');
    });

    test('populate and lazy loads: an M:N change from either side, a 1:N move, a related row’s edit', async () => {
      await app.cached('/articles/hello');
      await app.cached('/tags/tips');
      await app.cached('/articles/world');
      const writer = em();
      const tips = await writer.findOneOrFail(Tag, ids.tips, { populate: ['articles'] });
      tips.articles.add(writer.getReference(Article, ids.hello));
      await writer.flush();
      await app.expectMiss('/articles/hello', '[news, tips]');
      await app.expectMiss('/tags/tips', 'tips: Hello, World');
      await app.expectHit('/articles/world');
      await app.cached('/tags/news');
      const hello = await writer.findOneOrFail(Article, ids.hello, { populate: ['tags'] });
      hello.tags.remove(writer.getReference(Tag, ids.news));
      await writer.flush();
      await app.expectMiss('/tags/news', 'news: ');
      await app.cached('/articles/hello');
      const comment = await writer.findOneOrFail(Comment, { body: 'first!' });
      comment.article = writer.getReference(Article, ids.world);
      await writer.flush();
      await app.expectMiss('/articles/hello', 'comments: ');
      await app.expectMiss('/articles/world', 'comments: first!');
      await app.cached('/articles/world');
      (await writer.findOneOrFail(Author, ids.brian)).name = 'Bryan';
      await writer.flush();
      await app.expectMiss('/articles/world', 'World by Bryan');
    });

    test('Collection.loadCount and em.populate of a reference', async () => {
      await app.cached('/comment-counts/hello');
      await app.cached(`/author-of/${ids.world}`);
      const writer = em();
      writer.create(Comment, { body: 'second', article: ids.world });
      await writer.flush();
      await app.expectHit('/comment-counts/hello');
      writer.create(Comment, { body: 'third', article: ids.hello });
      await writer.flush();
      await app.expectMiss('/comment-counts/hello', 'hello: 2 comment(s)');
      (await writer.findOneOrFail(Author, ids.ada)).bio = 'poetry';
      await writer.flush();
      await app.expectHit(`/author-of/${ids.world}`);
      (await writer.findOneOrFail(Author, ids.brian)).name = 'Bryan';
      await writer.flush();
      await app.expectMiss(`/author-of/${ids.world}`, 'by Bryan');
    });

    test('identity-map hits: a row read twice in one render still invalidates its page', async () => {
      await app.cached(`/authors/${ids.ada}`);
      const writer = em();
      (await writer.findOneOrFail(Author, ids.ada)).bio = 'poetry';
      await writer.flush();
      await app.expectMiss(`/authors/${ids.ada}`, 'Ada (poetry)');
    });

    test('a soft-delete filter, and a read with filters: false', async () => {
      await app.cached('/articles');
      await app.cached('/articles/with-deleted');
      const writer = em();
      (await writer.findOneOrFail(Article, ids.world)).deletedAt = new Date();
      await writer.flush();
      await app.expectMiss('/articles', 'latest: Hello, Third');
      await app.expectMiss('/articles/with-deleted', 'World (deleted)');
    });

    test('a search by a column it compares otherwise (LIKE) follows edits of that column', async () => {
      await app.cached('/articles/search?q=or');
      const writer = em();
      (await writer.findOneOrFail(Article, ids.hello)).title = 'Hello world';
      await writer.flush();
      await app.expectMiss('/articles/search?q=or', 'found: Hello world, World');
    });

    test('QueryBuilder and raw SQL reads depend on the tables they name', async () => {
      await app.cached('/articles/qb');
      await app.cached('/tags/raw');
      const writer = em();
      writer.create(Tag, { name: 'zen' });
      await writer.flush();
      await app.expectHit('/articles/qb');
      await app.expectMiss('/tags/raw', 'tags: news, tips, zen');
      (await writer.findOneOrFail(Article, ids.third)).title = 'Third!';
      await writer.flush();
      await app.expectMiss('/articles/qb', 'Third!');
    });

    test('writes around the unit of work are caught: nativeUpdate, nativeDelete, insert, QueryBuilder, raw SQL', async () => {
      const writer = em();
      await app.cached(`/by-id/${ids.hello}`);
      await writer.nativeUpdate(Article, { id: ids.hello }, { title: 'Native' });
      await app.expectMiss(`/by-id/${ids.hello}`, 'Native');
      await app.cached('/comments/latest');
      await writer.nativeDelete(Comment, { body: 'first!' });
      await app.expectMiss('/comments/latest', 'comments: ');
      await app.cached('/tags/raw');
      await writer.insert(Tag, { name: 'inserted' });
      await app.expectMiss('/tags/raw', 'inserted');
      await app.cached(`/by-id/${ids.world}`);
      await (
        writer as unknown as {
          createQueryBuilder(e: unknown): {
            update(d: object): { where(c: object): { execute(): Promise<unknown> } };
          };
        }
      )
        .createQueryBuilder(Article)
        .update({ title: 'From QB' })
        .where({ id: ids.world })
        .execute();
      await app.expectMiss(`/by-id/${ids.world}`, 'From QB');
      await app.cached(`/by-id/${ids.third}`);
      await (writer as unknown as { execute(sql: string, params: unknown[]): Promise<unknown> }).execute(
        `update ${tableName(orm, 'article')} set title = ? where id = ?`,
        ['From SQL', ids.third],
      );
      await app.expectMiss(`/by-id/${ids.third}`, 'From SQL');
    });

    test('a render answered by MikroORM’s result cache is not stored: no epoch vouches for its rows', async () => {
      await app.cached('/cached-articles');
      const writer = em();
      (await writer.findOneOrFail(Article, ids.hello)).title = 'Hello 2';
      await writer.flush();
      // MikroORM's result cache still answers with the rows it kept (as it would without this cache)…
      await app.expectMiss('/cached-articles', 'cached: Hello,');
      // …and that page is not stored: the next request renders again.
      await app.expectMiss('/cached-articles', 'cached: Hello,');
      expect(app.cachePage.stats().routes['GET /cached-articles']?.notStored).toMatchObject({
        'result-cache': 2,
      });
    });

    test('a native write inside a transaction invalidates after the commit, and not after a rollback', async () => {
      await app.cached(`/by-id/${ids.hello}`);
      await em().transactional(async (tx) => {
        await tx.nativeUpdate(Article, { id: ids.hello }, { title: 'In a transaction' });
        await app.expectHit(`/by-id/${ids.hello}`);
      });
      await app.expectMiss(`/by-id/${ids.hello}`, 'In a transaction');
      await app.cached(`/by-id/${ids.hello}`);
      await expect(
        em().transactional(async (tx) => {
          await tx.nativeUpdate(Article, { id: ids.hello }, { title: 'Rolled back' });
          throw new Error('roll back');
        }),
      ).rejects.toThrow('roll back');
      expect(await app.get(`/by-id/${ids.hello}`)).toMatchObject({
        text: expect.stringContaining('In a transaction'),
      });
    });

    test('a write that commits between a render’s load and the end of its render is never served after it', async () => {
      app.pause.arm();
      const render = app.get(`/by-id/${ids.hello}?pause`);
      await app.pause.loaded;
      const writer = em();
      (await writer.findOneOrFail(Article, ids.hello)).title = 'Written meanwhile';
      await writer.flush();
      app.pause.resume();
      expect((await render).text).toContain('Hello');
      const next = await app.get(`/by-id/${ids.hello}?pause`);
      expect(next).toMatchObject({ cache: 'MISS', text: expect.stringContaining('Written meanwhile') });
    });

    test('concurrent renders are told apart: each page depends on its own reads', async () => {
      await Promise.all([
        app.get(`/by-id/${ids.hello}`),
        app.get(`/by-id/${ids.world}`),
        app.get(`/authors/${ids.ada}`),
      ]);
      await app.expectHit(`/by-id/${ids.hello}`);
      await app.expectHit(`/by-id/${ids.world}`);
      const writer = em();
      (await writer.findOneOrFail(Article, ids.world)).title = 'Only world';
      await writer.flush();
      await app.expectHit(`/by-id/${ids.hello}`);
      await app.expectMiss(`/by-id/${ids.world}`, 'Only world');
    });

    test('two apps on one MikroORM instance both hear of a write; a closed one no longer does', async () => {
      const second = await AutoApp.start(orm, adapter);
      try {
        await app.cached(`/by-id/${ids.hello}`);
        await second.cached(`/by-id/${ids.hello}`);
        const writer = em();
        (await writer.findOneOrFail(Article, ids.hello)).title = 'Seen by both';
        await writer.flush();
        await app.expectMiss(`/by-id/${ids.hello}`, 'Seen by both');
        await second.expectMiss(`/by-id/${ids.hello}`, 'Seen by both');
      } finally {
        await second.close();
      }
      await app.cached(`/by-id/${ids.hello}`);
      await em().nativeUpdate(Article, { id: ids.hello }, { title: 'After the close' });
      await app.expectMiss(`/by-id/${ids.hello}`, 'After the close');
    });

    test('stats() shows what an auto-mode route’s pages read, and counts their invalidations by dependency key', async () => {
      await app.cached(`/authors/${ids.ada}`);
      const before = app.cachePage.stats().routes['GET /authors/:id'];
      expect(before).toMatchObject({
        stored: 1,
        invalidations: 0,
        dependencies: { classes: ['Article', 'Author'], coarse: 0 },
      });
      expect(before?.dependencies?.keys).toBeGreaterThan(2);
      const writer = em();
      (await writer.findOneOrFail(Author, ids.ada)).bio = 'poetry';
      await writer.flush();
      expect(app.cachePage.stats().routes['GET /authors/:id']).toMatchObject({ invalidations: 1 });
    });

    test('explain() shows the dependency keys a write would renew', async () => {
      const event = await app.cachePage.explain(async (tx) => {
        (await tx.findOneOrFail(Article, ids.hello)).title = 'Explained';
        await tx.flush();
      });
      expect(event.keys).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/Article#s\d+$/),
          expect.stringMatching(/Article\.title$/),
        ]),
      );
      await app.cached(`/by-id/${ids.hello}`);
      expect(await app.expectHit(`/by-id/${ids.hello}`)).toContain('Hello');
    });
  });
}
