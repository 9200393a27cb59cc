import { Controller, Get, Inject, NotFoundException, Param, Req } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/core';
import { Author, Comment, Page, Post, Tag } from './blog.entities.js';

/** How many times each URL (path and query) was rendered by its handler (a cache hit renders nothing). */
export class RenderCounts {
  private readonly counts = new Map<string, number>();

  of(path: string): number {
    return this.counts.get(path) ?? 0;
  }

  add(request: { originalUrl: string }): void {
    this.counts.set(request.originalUrl, this.of(request.originalUrl) + 1);
  }
}

interface Request {
  originalUrl: string;
}

/** Serves the blog's pages straight from the database, through a fresh EntityManager each time. */
@Controller()
export class BlogController {
  constructor(
    @Inject(MikroORM) private readonly orm: MikroORM,
    @Inject(RenderCounts) private readonly counts: RenderCounts,
  ) {}

  @Get()
  async home(@Req() request: Request) {
    this.counts.add(request);
    const posts = await this.orm.em.fork().find(Post, {}, { orderBy: { id: 'asc' } });
    return `Home: ${posts.map((post) => post.title).join(', ')}.`;
  }

  @Get('about')
  about(@Req() request: Request) {
    this.counts.add(request);
    return 'About this blog';
  }

  @Get('posts/:slug')
  async post(@Param('slug') slug: string, @Req() request: Request) {
    this.counts.add(request);
    const post = await this.orm.em.fork().findOne(Post, { slug }, { populate: ['tags', 'comments'] });
    if (!post) throw new NotFoundException(`no post ${slug}`);
    return `${post.title}: ${post.tags.count()} tag(s), ${post.comments.count()} comment(s)`;
  }

  @Get('authors/:id')
  async author(@Param('id') id: string, @Req() request: Request) {
    this.counts.add(request);
    const em = this.orm.em.fork();
    const author = await em.findOne(Author, { id: Number(id) });
    if (!author) throw new NotFoundException(`no author ${id}`);
    const posts = await em.find(Post, { author }, { orderBy: { id: 'asc' } });
    return `${author.name} wrote ${posts.length} post(s): ${posts.map((post) => post.title).join(', ')}`;
  }

  @Get('tags/:name')
  async tag(@Param('name') name: string, @Req() request: Request) {
    this.counts.add(request);
    const tag = await this.orm.em.fork().findOne(Tag, { name }, { populate: ['posts'] });
    if (!tag) throw new NotFoundException(`no tag ${name}`);
    return `#${tag.name}: ${tag.posts.count()} post(s)`;
  }

  @Get('comments')
  async comments(@Req() request: Request) {
    this.counts.add(request);
    const comments = await this.orm.em.fork().find(Comment, {}, { orderBy: { id: 'asc' } });
    return `Comments (${comments.length}): ${comments.map((comment) => `${comment.body} on #${comment.post.id}`).join(', ')}`;
  }

  @Get('pages/:slug')
  async page(@Param('slug') slug: string, @Req() request: Request) {
    this.counts.add(request);
    const page = await this.orm.em.fork().findOne(Page, { slug });
    if (!page) throw new NotFoundException(`no page ${slug}`);
    return `Page ${page.slug}: ${page.title}`;
  }
}
