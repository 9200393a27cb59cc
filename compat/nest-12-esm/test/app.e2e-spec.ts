import { MikroORM } from '@mikro-orm/core';
import { INestApplication } from '@nestjs/common';
import { Test, TestingModule } from '@nestjs/testing';
import { CachePageService, pagePath } from 'nestjs-cache-page';
import { expectHit, expectInvalidates, expectMiss } from 'nestjs-cache-page/testing';
import request from 'supertest';
import { App } from 'supertest/types.js';
import { AppModule } from './../src/app.module.js';
import { Post } from './../src/posts/post.entity.js';
import { PostsController } from './../src/posts/posts.controller.js';

describe('nestjs-cache-page in a Nest 12 ESM app (e2e)', () => {
  let app: INestApplication<App>;
  let posts: PostsController;

  const get = (path: string) => request(app.getHttpServer()).get(path).expect(200);

  beforeEach(async () => {
    const moduleFixture: TestingModule = await Test.createTestingModule({
      imports: [AppModule],
    }).compile();

    app = moduleFixture.createNestApplication();
    await app.init();

    const orm = app.get(MikroORM);
    await orm.schema.create();
    const em = orm.em.fork();
    em.create(Post, { id: 1, title: 'First' });
    em.create(Post, { id: 2, title: 'Second' });
    await em.flush();
    posts = app.get(PostsController);
  });

  afterEach(async () => {
    await app.close();
  });

  it('GET twice: a MISS that runs the handler, then a HIT that does not, answered before the framework (fastPath defaults to auto)', async () => {
    let fastHits = 0;
    app.get(CachePageService).onFastHit(() => (fastHits += 1));
    const miss = await get('/posts/1');
    expect(miss.headers['x-cache']).toBe('MISS');
    expect(miss.body).toEqual({ title: 'First' });

    const hit = await get('/posts/1');
    expect(hit.headers['x-cache']).toBe('HIT');
    expect(hit.body).toEqual({ title: 'First' });
    expect(posts.calls.get('/posts/1')).toBe(1);
    expect(fastHits).toBe(1);
  });

  it('a MikroORM flush invalidates the page: the next GET is a MISS with the new data (nestjs-cache-page/testing)', async () => {
    expectMiss(await get('/posts/1'));
    expectHit(await get('/posts/1'));

    await expectInvalidates(app, async () => {
      const em = app.get(MikroORM).em.fork();
      (await em.findOneOrFail(Post, 1)).title = 'First, edited';
      await em.flush();
    }, ['/posts', '/posts/1']);

    const after = await get('/posts/1');
    expectMiss(after);
    expect(after.body).toEqual({ title: 'First, edited' });
    expect(posts.calls.get('/posts/1')).toBe(2);
  });

  it('pagePath() builds the path the app serves for a GET route, and it reaches the handler', async () => {
    const path = pagePath(PostsController, 'show', { id: 2 });
    expect(path).toBe('/posts/2');
    expectMiss(await get(path));
    expect(posts.calls.get('/posts/2')).toBe(1);
  });

  it('a page the flush did not touch stays a HIT', async () => {
    await get('/posts/1');
    await get('/posts/2');

    const em = app.get(MikroORM).em.fork();
    (await em.findOneOrFail(Post, 1)).title = 'First, edited';
    await em.flush();

    const untouched = await get('/posts/2');
    expect(untouched.headers['x-cache']).toBe('HIT');
    expect(untouched.body).toEqual({ title: 'Second' });
    expect(posts.calls.get('/posts/2')).toBe(1);
  });
});
