import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { Controller, Get, Inject, Module, type INestApplication } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { MikroORM } from '@mikro-orm/libsql';
import { CachePage, CachePageModule } from 'nestjs-cache-page';
import request from 'supertest';
import { createBlogSchema } from '../blog/blog.database.js';
import { ADAPTERS } from './auto-app.js';
import { AUTO_ENTITIES, Author, Tag } from './auto.entities.js';
import { seedAuto, type AutoIds } from './auto.database.js';

/*
 * Automatic dependencies across two MikroORM instances (two databases, two contexts) in one app:
 * a page that reads both depends on each, a write through either invalidates it, and a write
 * to one database does not reach a page that reads only the other. Also: SQL whose tables
 * cannot be read makes its page depend on any write.
 */
const MAIN = 'MAIN_ORM';
const SECOND = 'SECOND_ORM';
let renders = 0;

@Controller()
@CachePage({ dependencies: 'auto' })
class TwoOrmsController {
  constructor(
    @Inject(MAIN) private readonly main: MikroORM,
    @Inject(SECOND) private readonly second: MikroORM,
  ) {}

  @Get('both')
  async both() {
    renders++;
    const authors = await this.main.em.fork().find(Author, {}, { orderBy: { id: 'asc' } });
    const tags = await this.second.em.fork().find(Tag, {}, { orderBy: { id: 'asc' } });
    return `${authors.map((a) => a.name).join(',')} / ${tags.map((t) => t.name).join(',')}`;
  }

  @Get('main-only')
  async mainOnly() {
    renders++;
    const authors = await this.main.em.fork().find(Author, {}, { orderBy: { id: 'asc' } });
    return authors.map((a) => a.name).join(',');
  }

  @Get('opaque')
  async opaque() {
    renders++;
    const em = this.main.em.fork() as unknown as { execute(sql: string): Promise<Array<{ n: number }>> };
    // A table-valued function: no table the module can name.
    const [row] = await em.execute(`select count(*) as n from pragma_table_info('author')`);
    return `author columns: ${row?.n}`;
  }
}

let main: MikroORM;
let second: MikroORM;
let ids: AutoIds;

beforeAll(async () => {
  main = await MikroORM.init({ dbName: ':memory:', entities: AUTO_ENTITIES, contextName: 'main' });
  second = await MikroORM.init({ dbName: ':memory:', entities: AUTO_ENTITIES, contextName: 'second' });
  await createBlogSchema(main);
  await createBlogSchema(second);
  ids = await seedAuto(main);
  await seedAuto(second);
});
afterAll(async () => {
  await main.close(true);
  await second.close(true);
});

describe.each(ADAPTERS)('automatic dependencies across two MikroORM instances, on %s', (adapter) => {
  let app: INestApplication;

  afterEach(async () => {
    await app?.close();
  });

  async function start() {
    @Module({
      imports: [CachePageModule.forRoot({ orm: [main, second] })],
      controllers: [TwoOrmsController],
      providers: [
        { provide: MAIN, useValue: main },
        { provide: SECOND, useValue: second },
      ],
    })
    class TwoOrmsModule {}
    const moduleRef = await Test.createTestingModule({ imports: [TwoOrmsModule] }).compile();
    app = moduleRef.createNestApplication(
      adapter === 'express' ? new ExpressAdapter() : new FastifyAdapter(),
      {
        logger: false,
      },
    );
    await app.listen(0, '127.0.0.1');
  }

  const get = async (path: string) => {
    const before = renders;
    const response = await request(app.getHttpServer()).get(path);
    return { cache: response.headers['x-cache'], rendered: renders - before, text: response.text };
  };

  test('a write through either instance invalidates the page that read both; the other page only hears its own', async () => {
    await start();
    await get('/both');
    await get('/main-only');
    expect(await get('/both')).toMatchObject({ cache: 'HIT', rendered: 0 });
    const em = second.em.fork();
    em.create(Tag, { name: `second-${adapter}` });
    await em.flush();
    expect(await get('/both')).toMatchObject({
      cache: 'MISS',
      rendered: 1,
      text: expect.stringContaining(`second-${adapter}`),
    });
    expect(await get('/main-only')).toMatchObject({ cache: 'HIT', rendered: 0 });
    const writer = main.em.fork();
    (await writer.findOneOrFail(Author, ids.ada)).name = `Ada ${adapter}`;
    await writer.flush();
    expect(await get('/both')).toMatchObject({
      cache: 'MISS',
      text: expect.stringContaining(`Ada ${adapter}`),
    });
    expect(await get('/main-only')).toMatchObject({
      cache: 'MISS',
      text: expect.stringContaining(`Ada ${adapter}`),
    });
  });

  test('SQL whose tables cannot be read (a table-valued function) makes its page depend on any write', async () => {
    await start();
    await get('/opaque');
    expect(await get('/opaque')).toMatchObject({ cache: 'HIT', rendered: 0 });
    const em = main.em.fork();
    em.create(Tag, { name: `unrelated-${adapter}` });
    await em.flush();
    expect(await get('/opaque')).toMatchObject({ cache: 'MISS', rendered: 1 });
  });
});
