import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { Controller, Get, Inject, NotFoundException, Param, Req } from '@nestjs/common';
import { Collection, EntitySchema, type MikroORM } from '@mikro-orm/core';
import { MikroORM as LibSqlMikroORM } from '@mikro-orm/libsql';
import { CachePageModule, DependentPaths } from 'nestjs-cache-page';
import { BlogApp } from './blog/blog-app.js';
import { RenderCounts } from './blog/blog.controller.js';
import { clearBlog, createBlogSchema } from './blog/blog.database.js';

/*
 * dependentPaths() runs on what MikroORM has loaded. When it reads something that is not
 * loaded (an uninitialised reference's columns, an unloaded collection, a reference added to a
 * loaded collection), the paths it returns cannot be trusted, so every page is invalidated and a
 * warning names the entity and the property. A shelf's page lists its books, and its
 * dependentPaths() names the books' pages too.
 */

@DependentPaths()
class Shelf {
  id!: number;
  name!: string;
  books = new Collection<Book>(this);

  dependentPaths() {
    return [`/shelves/${this.name}`, ...this.books.getItems().map((book) => `/books/${book.slug}`)];
  }
}

/** Not decorated: its pages are named by the shelves listing it, so only Shelf reads it. */
class Book {
  id!: number;
  slug!: string;
  title!: string;
  shelves = new Collection<Shelf>(this);
}

const ENTITIES = [
  new EntitySchema<Shelf>({
    class: Shelf,
    properties: {
      id: { type: 'number', primary: true },
      name: { type: 'string' },
      books: { kind: 'm:n', entity: () => Book, inversedBy: 'shelves' },
    },
  }),
  new EntitySchema<Book>({
    class: Book,
    properties: {
      id: { type: 'number', primary: true },
      slug: { type: 'string' },
      title: { type: 'string' },
      shelves: { kind: 'm:n', entity: () => Shelf, mappedBy: 'books' },
    },
  }),
];

const SHELF_ORM = 'SHELF_ORM';

@Controller()
class ShelfController {
  constructor(
    @Inject(SHELF_ORM) private readonly orm: MikroORM,
    @Inject(RenderCounts) private readonly counts: RenderCounts,
  ) {}

  @Get('shelves/:name')
  async shelf(@Param('name') name: string, @Req() request: { originalUrl: string }) {
    this.counts.add(request);
    const shelf = await this.orm.em.fork().findOne(Shelf, { name }, { populate: ['books'] });
    if (!shelf) throw new NotFoundException();
    return `${shelf.name}: ${shelf.books.map((book) => book.title).join(', ')}`;
  }

  @Get('books/:slug')
  async book(@Param('slug') slug: string, @Req() request: { originalUrl: string }) {
    this.counts.add(request);
    const book = await this.orm.em.fork().findOne(Book, { slug });
    if (!book) throw new NotFoundException();
    return `Book ${book.title}`;
  }

  @Get('about')
  about(@Req() request: { originalUrl: string }) {
    this.counts.add(request);
    return 'About';
  }
}

let orm: MikroORM;
let app: BlogApp | undefined;
let ids: { shelf: number; dune: number; emma: number };

beforeAll(async () => {
  orm = await LibSqlMikroORM.init({ dbName: ':memory:', entities: ENTITIES });
  await createBlogSchema(orm);
});
afterAll(async () => {
  await orm.close(true);
});
beforeEach(async () => {
  await clearBlog(orm);
  const em = orm.em.fork();
  const dune = em.create(Book, { slug: 'dune', title: 'Dune' });
  const emma = em.create(Book, { slug: 'emma', title: 'Emma' });
  const shelf = em.create(Shelf, { name: 'scifi', books: [dune] });
  await em.flush();
  ids = { shelf: shelf.id, dune: dune.id, emma: emma.id };
  app = await BlogApp.create({
    imports: [CachePageModule.forRoot({ orm })],
    controllers: [ShelfController],
    providers: [{ provide: SHELF_ORM, useValue: orm }],
  });
  await app.warm(['/shelves/scifi', '/books/dune', '/books/emma', '/about']);
});
afterEach(async () => {
  await app?.close();
});

describe('dependentPaths() reading what MikroORM has not loaded', () => {
  test('everything it reads is loaded: exactly its paths, old and new', async () => {
    const em = orm.em.fork();
    (await em.findOneOrFail(Shelf, ids.shelf, { populate: ['books'] })).name = 'space';
    await em.flush();
    await app!.expectFresh('/shelves/scifi', 404);
    await app!.expectFresh('/books/dune', 'Book Dune');
    await app!.expectCached(['/books/emma', '/about']);
    expect(app!.logs.of('warn')).toEqual([]);
  });

  test('a collection that is not loaded: every page, and a warning naming it', async () => {
    const em = orm.em.fork();
    (await em.findOneOrFail(Shelf, ids.shelf)).name = 'space';
    await em.flush();
    for (const path of ['/shelves/scifi', '/books/dune', '/books/emma', '/about'])
      await app!.expectFresh(path);
    expect(app!.logs.of('warn')).toEqual([
      expect.stringContaining(`Shelf#${ids.shelf}.dependentPaths() read "books"`),
    ]);
  });

  test('the same fallback again and again: one warning per 30 s, and stats() counts each time', async () => {
    for (const name of ['space', 'scifi', 'space']) {
      const em = orm.em.fork();
      (await em.findOneOrFail(Shelf, ids.shelf)).name = name;
      await em.flush();
    }
    expect(app!.logs.of('warn')).toEqual([expect.stringContaining('read "books"')]);
    expect(app!.cachePage.stats().entities['Shelf']).toEqual({
      invalidations: 3,
      everyPage: { 'unloaded-read': 3 },
    });
  });

  test('a reference added to a loaded collection: every page, and a warning naming what was read', async () => {
    const em = orm.em.fork();
    const shelf = await em.findOneOrFail(Shelf, ids.shelf, { populate: ['books'] });
    shelf.books.add(em.getReference(Book, ids.emma));
    await em.flush();
    for (const path of ['/shelves/scifi', '/books/dune', '/books/emma', '/about'])
      await app!.expectFresh(path);
    expect(app!.logs.of('warn')).toEqual([
      expect.stringContaining(`Shelf#${ids.shelf}.dependentPaths() read "books[].slug"`),
    ]);
  });

  test('the same change with the reference loaded: exactly the paths', async () => {
    const em = orm.em.fork();
    const shelf = await em.findOneOrFail(Shelf, ids.shelf, { populate: ['books'] });
    shelf.books.add(await em.findOneOrFail(Book, ids.emma));
    await em.flush();
    await app!.expectFresh('/shelves/scifi', 'scifi: Dune, Emma');
    await app!.expectFresh('/books/emma');
    await app!.expectCached(['/about']);
    expect(app!.logs.of('warn')).toEqual([]);
  });
});
