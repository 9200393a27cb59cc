import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { Controller, Get, Inject, Param, Post as HttpPost, Query, Req } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/libsql';
import { CachePage, CachePageModule } from 'nestjs-cache-page';
import { BlogApp } from '../orm/blog/blog-app.js';
import { RenderCounts } from '../orm/blog/blog.controller.js';
import { createBlogSchema, seedBlog } from '../orm/blog/blog.database.js';
import { BLOG_ENTITIES, Post } from '../orm/blog/blog.entities.js';

/*
 * Read-your-own-writes through a MikroORM commit: the write's handler flushes, the subscriber
 * invalidates after the commit, inside the request, so its response carries the cookie and the
 * writer's next read is the new page while other readers still get STALE.
 */
@Controller()
class GracePostsController {
  constructor(
    @Inject(MikroORM) private readonly orm: MikroORM,
    @Inject(RenderCounts) private readonly counts: RenderCounts,
  ) {}

  @Get('posts/:slug')
  @CachePage({ staleWhileRevalidate: 5_000 })
  async show(@Param('slug') slug: string, @Req() request: { originalUrl: string }): Promise<string> {
    this.counts.add(request);
    return (await this.orm.em.fork().findOneOrFail(Post, { slug })).title;
  }

  @HttpPost('posts/:slug')
  async rename(@Param('slug') slug: string, @Query('title') title: string): Promise<string> {
    const em = this.orm.em.fork();
    (await em.findOneOrFail(Post, { slug })).title = title;
    await em.flush();
    return 'saved';
  }
}

describe('grace with MikroORM: the writer of a commit reads its change', () => {
  let orm: MikroORM;
  let blog: BlogApp;
  beforeAll(async () => {
    orm = await MikroORM.init({ dbName: ':memory:', entities: BLOG_ENTITIES });
    await createBlogSchema(orm);
    await seedBlog(orm);
    blog = await BlogApp.create({
      imports: [CachePageModule.forRoot({})],
      controllers: [GracePostsController],
      providers: [{ provide: MikroORM, useValue: orm }],
    });
  });
  afterAll(async () => {
    await blog.close();
    await orm.close(true);
  });

  test('the write’s response sets the cookie; with it the next read is fresh, without it STALE', async () => {
    await blog.get('/posts/hello');
    expect(await blog.get('/posts/hello')).toMatchObject({ cache: 'HIT', text: 'Hello World' });

    const write = await fetch(`${await blog.nest.getUrl()}/posts/hello?title=Hello%20again`, {
      method: 'POST',
    });
    expect(write.status).toBe(201);
    const cookie = write.headers.get('set-cookie');
    expect(cookie).toMatch(/^cache-page-wrote=1; Max-Age=5; /);

    const url = `${await blog.nest.getUrl()}/posts/hello`;
    const other = await fetch(url);
    expect({ cache: other.headers.get('x-cache'), text: await other.text() }).toEqual({
      cache: 'STALE',
      text: 'Hello World',
    });
    const own = await fetch(url, { headers: { cookie: cookie!.split(';')[0]! } });
    expect(own.headers.get('x-cache')).not.toBe('STALE');
    expect(await own.text()).toBe('Hello again');
  });
});
