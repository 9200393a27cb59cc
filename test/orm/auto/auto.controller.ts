import { Controller, Get, Inject, Param, Query, Req } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/core';
import { CachePage } from 'nestjs-cache-page';
import { RenderCounts } from '../blog/blog.controller.js';
import { Article, Author, Comment, Tag } from './auto.entities.js';

interface Request {
  originalUrl?: string;
  url: string;
}

/** A table's name for raw SQL, with the ORM's schema when it has one (PostgreSQL runs in its own). */
export function tableName(orm: MikroORM, table: string): string {
  const schema = orm.config.get('schema');
  return schema ? `"${schema}"."${table}"` : table;
}

/** Holds a render right after its first read, so a test can commit a write in that window. */
export class RenderPause {
  private gate: Promise<void> | undefined;
  private release: (() => void) | undefined;
  private reached: (() => void) | undefined;
  /** Resolves once a paused render has made its read. */
  loaded: Promise<void> = Promise.resolve();

  /** The next render of a pausing page stops after its read until `resume()`. */
  arm(): void {
    this.gate = new Promise((resolve) => (this.release = resolve));
    this.loaded = new Promise((resolve) => (this.reached = resolve));
  }

  async wait(): Promise<void> {
    const gate = this.gate;
    this.gate = undefined;
    this.reached?.();
    await gate;
  }

  resume(): void {
    this.release?.();
  }
}

/**
 * Pages that read through every kind of MikroORM read, each rendering plain text of what it
 * read, through a fresh EntityManager per request. No entity declares `dependentPaths()`: in
 * auto mode the pages know their data by themselves.
 */
@Controller()
@CachePage({ dependencies: 'auto' })
export class AutoController {
  constructor(
    @Inject(MikroORM) private readonly orm: MikroORM,
    @Inject(RenderCounts) private readonly counts: RenderCounts,
    @Inject(RenderPause) private readonly pause: RenderPause,
  ) {}

  private em(request: Request) {
    this.counts.add({ originalUrl: request.originalUrl ?? request.url });
    return this.orm.em.fork();
  }

  @Get('articles')
  async list(@Req() request: Request) {
    const articles = await this.em(request).find(
      Article,
      { published: true },
      { orderBy: { rank: 'desc', id: 'asc' }, limit: 3 },
    );
    return `latest: ${articles.map((article) => article.title).join(', ')}`;
  }

  @Get('articles/second-page')
  async secondPage(@Req() request: Request) {
    const articles = await this.em(request).find(
      Article,
      {},
      { orderBy: { id: 'asc' }, limit: 2, offset: 2 },
    );
    return `page 2: ${articles.map((article) => article.title).join(', ')}`;
  }

  @Get('articles/count')
  async count(@Req() request: Request) {
    return `published: ${await this.em(request).count(Article, { published: true })}`;
  }

  @Get('articles/search')
  async search(@Query('q') q: string, @Req() request: Request) {
    const articles = await this.em(request).find(
      Article,
      { title: { $like: `%${q}%` } },
      { orderBy: { id: 'asc' } },
    );
    return `found: ${articles.map((article) => article.title).join(', ')}`;
  }

  @Get('articles/with-deleted')
  async withDeleted(@Req() request: Request) {
    const articles = await this.em(request).find(Article, {}, { filters: false, orderBy: { id: 'asc' } });
    return `all: ${articles.map((article) => `${article.title}${article.deletedAt ? ' (deleted)' : ''}`).join(', ')}`;
  }

  @Get('articles/qb')
  async queryBuilder(@Req() request: Request) {
    const em = this.em(request) as unknown as {
      createQueryBuilder(entity: unknown): {
        select(fields: string[]): {
          where(cond: object): { orderBy(o: object): { execute(): Promise<Array<{ title: string }>> } };
        };
      };
    };
    const rows = await em
      .createQueryBuilder(Article)
      .select(['title'])
      .where({ published: true })
      .orderBy({ id: 'asc' })
      .execute();
    return `qb: ${rows.map((row) => row.title).join(', ')}`;
  }

  @Get('tags/raw')
  async raw(@Req() request: Request) {
    const em = this.em(request) as unknown as { execute(sql: string): Promise<Array<{ name: string }>> };
    const rows = await em.execute(`select name from ${tableName(this.orm, 'tag')} order by name`);
    return `tags: ${rows.map((row) => row.name).join(', ')}`;
  }

  @Get('articles/:slug')
  async article(@Param('slug') slug: string, @Req() request: Request) {
    const article = await this.em(request).findOne(
      Article,
      { slug },
      { populate: ['author', 'tags', 'comments'] },
    );
    if (!article) return `no article ${slug}`;
    const tags = article.tags
      .getItems()
      .map((tag) => tag.name)
      .sort();
    const comments = article.comments.getItems().map((comment) => comment.body);
    return `${article.title} by ${article.author.name} [${tags.join(', ')}] comments: ${comments.join(' | ')}`;
  }

  @Get('by-id/:id')
  async byId(@Param('id') id: string, @Req() request: Request) {
    const article = await this.em(request).findOne(Article, Number(id));
    if (this.pause) await this.maybePause(request);
    return article ? `#${id}: ${article.title}` : `#${id}: none`;
  }

  @Get('authors/:id')
  async author(@Param('id') id: string, @Req() request: Request) {
    const em = this.em(request);
    const author = await em.findOne(Author, Number(id));
    const again = await em.findOne(Author, Number(id));
    if (!author || !again) return `no author ${id}`;
    const articles = await em.find(Article, { author: author.id }, { orderBy: { id: 'asc' } });
    return `${again.name} (${author.bio}): ${articles.map((article) => article.title).join(', ')}`;
  }

  @Get('tags/:name')
  async tag(@Param('name') name: string, @Req() request: Request) {
    const tag = await this.em(request).findOne(Tag, { name });
    if (!tag) return `no tag ${name}`;
    await tag.articles.init();
    return `${name}: ${tag.articles
      .getItems()
      .map((article) => article.title)
      .sort()
      .join(', ')}`;
  }

  @Get('comment-counts/:slug')
  async commentCount(@Param('slug') slug: string, @Req() request: Request) {
    const article = await this.em(request).findOne(Article, { slug });
    if (!article) return `no article ${slug}`;
    return `${slug}: ${await article.comments.loadCount()} comment(s)`;
  }

  @Get('author-of/:id')
  async authorOf(@Param('id') id: string, @Req() request: Request) {
    const em = this.em(request);
    const article = await em.findOne(Article, Number(id));
    if (!article) return `no article ${id}`;
    await em.populate(article, ['author']);
    return `#${id} by ${article.author.name}`;
  }

  @Get('cached-articles')
  async resultCache(@Req() request: Request) {
    const articles = await this.em(request).find(Article, {}, { orderBy: { id: 'asc' }, cache: 60_000 });
    return `cached: ${articles.map((article) => article.title).join(', ')}`;
  }

  @Get('comments/latest')
  async latestComments(@Req() request: Request) {
    const comments = await this.em(request).find(Comment, {}, { orderBy: { id: 'desc' }, limit: 3 });
    return `comments: ${comments.map((comment) => comment.body).join(' | ')}`;
  }

  private async maybePause(request: Request): Promise<void> {
    if ((request.originalUrl ?? request.url).includes('pause')) await this.pause.wait();
  }
}
