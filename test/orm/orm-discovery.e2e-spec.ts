import { afterEach, describe, expect, test } from '@jest/globals';
import { Controller, Get, Global, Inject, Module, Param, Req, type DynamicModule } from '@nestjs/common';
import { EntitySchema, MikroORM } from '@mikro-orm/core';
import { MikroORM as LibSqlMikroORM } from '@mikro-orm/libsql';
import { CachePageModule, DependentPaths } from 'nestjs-cache-page';
import { BlogApp } from './blog/blog-app.js';
import { BlogController, RenderCounts } from './blog/blog.controller.js';
import { createBlogSchema, seedBlog } from './blog/blog.database.js';
import { BLOG_ENTITIES, Tag } from './blog/blog.entities.js';

/*
 * How CachePageModule finds the ORMs to watch: every MikroORM provider of the app, wherever it
 * is registered and under whatever token, or the `orm` option.
 *
 * @mikro-orm/nestjs itself cannot run under Jest on Node 20 (it require()s the ESM-only
 * @nestjs/common), so `mikroOrmModule()` below provides ORMs the way it does: from a global
 * module, under the `MikroORM` class for the default context and `<name>_MikroORM` for named
 * ones. The real @mikro-orm/nestjs is exercised in a plain Node process by
 * packaged-library.e2e-spec.ts.
 */

/** @mikro-orm/nestjs's token of a named context. */
const getMikroORMToken = (name: string) => `${name}_MikroORM`;

@DependentPaths()
class Product {
  id!: number;
  name!: string;

  dependentPaths() {
    return [`/products/${this.id}`];
  }
}

const ProductSchema = new EntitySchema<Product>({
  class: Product,
  properties: { id: { type: 'number', primary: true }, name: { type: 'string' } },
});

@Controller('products')
class ProductController {
  constructor(
    @Inject(getMikroORMToken('shop')) private readonly orm: MikroORM,
    @Inject(RenderCounts) private readonly counts: RenderCounts,
  ) {}

  @Get(':id')
  async product(@Param('id') id: string, @Req() request: { originalUrl: string }) {
    this.counts.add(request);
    const product = await this.orm.em.fork().findOneOrFail(Product, Number(id));
    return `Product ${product.name}`;
  }
}

@Controller('static')
class StaticController {
  constructor(@Inject(RenderCounts) private readonly counts: RenderCounts) {}

  @Get()
  page(@Req() request: { originalUrl: string }) {
    this.counts.add(request);
    return 'No database here';
  }
}

const opened: MikroORM[] = [];

/** A global module providing an in-memory MikroORM, as MikroOrmModule.forRoot({ contextName }) does. */
function mikroOrmModule(contextName?: string, entities: unknown[] = BLOG_ENTITIES): DynamicModule {
  const token = contextName ? getMikroORMToken(contextName) : MikroORM;
  @Global()
  @Module({})
  class OrmModule {}
  return {
    module: OrmModule,
    providers: [
      {
        provide: token,
        useFactory: async () => {
          const orm = await LibSqlMikroORM.init({ dbName: ':memory:', entities: entities as never });
          opened.push(orm);
          return orm;
        },
      },
    ],
    exports: [token],
  };
}

async function createProduct(shop: MikroORM): Promise<Product> {
  const em = shop.em.fork();
  const product = em.create(Product, { name: 'Mug' });
  await em.flush();
  return product;
}

/** Renames the tag news through the blog ORM. */
async function renameNews(orm: MikroORM) {
  const em = orm.em.fork();
  const news = await em.findOneOrFail(Tag, { name: 'news' });
  news.name = 'headlines';
  await em.flush();
}

let app: BlogApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
  await Promise.all(opened.splice(0).map((orm) => orm.close(true)));
});

describe('finding the ORM', () => {
  test('the default MikroORM provider is watched without any option', async () => {
    app = await BlogApp.create({
      imports: [mikroOrmModule(), CachePageModule.forRoot()],
      controllers: [BlogController],
    });
    const orm = app.resolve(MikroORM);
    await createBlogSchema(orm);
    await seedBlog(orm);
    await app.warm(['/tags/news', '/about']);
    await renameNews(orm);
    await app.expectFresh('/tags/news', 404);
    await app.expectCached(['/about']);
  });

  test('every named context (<name>_MikroORM) is watched', async () => {
    app = await BlogApp.create({
      imports: [mikroOrmModule('blog'), mikroOrmModule('shop', [ProductSchema]), CachePageModule.forRoot()],
      controllers: [BlogController, ProductController],
      providers: [{ provide: MikroORM, useExisting: getMikroORMToken('blog') }],
    });
    const blog = app.resolve<MikroORM>(getMikroORMToken('blog'));
    const shop = app.resolve<MikroORM>(getMikroORMToken('shop'));
    await createBlogSchema(blog);
    await createBlogSchema(shop);
    await seedBlog(blog);
    const product = await createProduct(shop);
    await app.warm(['/tags/news', `/products/${product.id}`, '/about']);

    const em = shop.em.fork();
    (await em.findOneOrFail(Product, product.id)).name = 'Cup';
    await em.flush();
    await app.expectFresh(`/products/${product.id}`, 'Product Cup');
    await app.expectCached(['/tags/news']);

    await renameNews(blog);
    await app.expectFresh('/tags/news', 404);
    await app.expectCached([`/products/${product.id}`, '/about']);
  });

  test('the orm option limits the watch to the instances it names', async () => {
    app = await BlogApp.create({
      imports: [
        mikroOrmModule('blog'),
        mikroOrmModule('shop', [ProductSchema]),
        CachePageModule.forRootAsync({
          inject: [getMikroORMToken('shop')],
          useFactory: (shop: MikroORM) => ({ orm: [shop] }),
        }),
      ],
      controllers: [BlogController, ProductController],
      providers: [{ provide: MikroORM, useExisting: getMikroORMToken('blog') }],
    });
    const blog = app.resolve<MikroORM>(getMikroORMToken('blog'));
    const shop = app.resolve<MikroORM>(getMikroORMToken('shop'));
    await createBlogSchema(blog);
    await createBlogSchema(shop);
    await seedBlog(blog);
    const product = await createProduct(shop);
    await app.warm(['/tags/news', `/products/${product.id}`]);

    await renameNews(blog);
    await app.expectCached(['/tags/news']);

    const em = shop.em.fork();
    (await em.findOneOrFail(Product, product.id)).name = 'Cup';
    await em.flush();
    await app.expectFresh(`/products/${product.id}`, 'Product Cup');
  });

  test('orm: [] turns entity-driven invalidation off', async () => {
    app = await BlogApp.create({
      imports: [mikroOrmModule(), CachePageModule.forRoot({ orm: [] })],
      controllers: [BlogController],
    });
    const orm = app.resolve(MikroORM);
    await createBlogSchema(orm);
    await seedBlog(orm);
    await app.warm(['/tags/news']);
    await renameNews(orm);
    await app.expectCached(['/tags/news']);
  });

  test('an app without MikroORM starts quietly and caches pages', async () => {
    app = await BlogApp.create({
      imports: [CachePageModule.forRoot({ debug: true })],
      controllers: [StaticController],
    });
    await app.warm(['/static']);
    expect([...app.logs.of('error'), ...app.logs.of('warn'), ...app.logs.of('debug')]).toEqual([]);
  });

  test('with debug: true, startup says how many ORMs are watched', async () => {
    app = await BlogApp.create({
      imports: [
        mikroOrmModule('blog'),
        mikroOrmModule('shop', [ProductSchema]),
        CachePageModule.forRoot({ debug: true }),
      ],
    });
    expect(app.logs.of('debug')).toEqual([expect.stringContaining('watching 2 MikroORM instance(s)')]);
  });
});

describe('misconfiguration', () => {
  test('@DependentPaths() on a class without dependentPaths() fails at once, naming the class', () => {
    class Orphan {}
    expect(() => DependentPaths()(Orphan as never)).toThrow(
      /@DependentPaths\(\) is on class Orphan, but it has no dependentPaths\(\) method/,
    );
  });

  test('@DependentPaths() on something that is not a class fails', () => {
    expect(() => DependentPaths()({} as never)).toThrow(/decorates entity classes, not \{\}/);
  });

  test('an orm option that is not a MikroORM instance fails at startup, naming the option', async () => {
    await expect(
      BlogApp.create({ imports: [CachePageModule.forRoot({ orm: {} as never })] }),
    ).rejects.toThrow(/option "orm" must be a MikroORM instance/);
  });
});
