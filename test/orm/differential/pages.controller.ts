import { Controller, Get, Inject, Param, ParseIntPipe, Query } from '@nestjs/common';
import { MikroORM, Reference } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/libsql';
import { MODEL, type Article, type Comment, type Model } from './model.js';

const byId = <T extends { id: number }>(rows: Iterable<T>): T[] => [...rows].sort((a, b) => a.id - b.id);
const titles = (articles: Iterable<Article>): string =>
  byId(articles)
    .map((article) => article.title)
    .join(', ');
const newestFirst = { createdAt: 'desc', id: 'desc' } as const;

/**
 * The checker's pages: each reads the database one way MikroORM allows (find, count, populate,
 * lazy loads, identity-map hits, filters off, QueryBuilder, raw SQL) and prints what it read as
 * plain text, the same on every app reading the same rows. Each request uses its own fork.
 */
@Controller()
export class PagesController {
  constructor(
    @Inject(MikroORM) private readonly orm: MikroORM,
    @Inject(MODEL) private readonly model: Model,
  ) {}

  private get em(): EntityManager {
    return this.orm.em.fork() as EntityManager;
  }

  /** The five newest published articles with their authors (populate, order, limit). */
  @Get()
  async home(): Promise<string> {
    const articles = await this.em.find(
      this.model.Article,
      { published: true },
      { populate: ['author'], orderBy: newestFirst, limit: 5 },
    );
    return `Home: ${articles.map((a) => `${a.title} by ${a.author.name} (${a.createdAt.toISOString()})`).join('; ')}`;
  }

  /** The next five (offset). */
  @Get('page/2')
  async pageTwo(): Promise<string> {
    const articles = await this.em.find(
      this.model.Article,
      { published: true },
      { orderBy: newestFirst, limit: 5, offset: 5 },
    );
    return `Page 2: ${articles.map((article) => article.title).join('; ')}`;
  }

  @Get('count')
  async count(): Promise<string> {
    const em = this.em;
    const published = await em.count(this.model.Article, { published: true });
    const live = await em.count(this.model.Article, {});
    return `${published} published of ${live} articles`;
  }

  /** Every article, soft-deleted ones too (`filters: false`). */
  @Get('all')
  async all(): Promise<string> {
    const articles = await this.em.find(this.model.Article, {}, { filters: false, orderBy: { id: 'asc' } });
    return `All: ${articles.map((a) => `${a.slug}=${a.title}${a.deletedAt ? ' (deleted)' : ''}`).join('; ')}`;
  }

  @Get('qb')
  async queryBuilder(): Promise<string> {
    const articles = await this.em
      .createQueryBuilder(this.model.Article, 'a')
      .select(['a.id', 'a.title'])
      .where({ published: true })
      .orderBy({ id: 'asc' })
      .getResultList();
    return `QB: ${titles(articles)}`;
  }

  /** Raw SQL over two tables, soft-deleted rows excluded by hand. */
  @Get('raw')
  async raw(): Promise<string> {
    const rows = await this.em.execute<Array<{ title: string; name: string }>>(
      'select a.title, au.name from article a join author au on au.id = a.author_id ' +
        'where a.published = 1 and a.deleted_at is null order by a.id',
    );
    return `Raw: ${rows.map((row) => `${row.title} by ${row.name}`).join('; ')}`;
  }

  @Get('search')
  async search(@Query('q') q: string): Promise<string> {
    const articles = await this.em.find(this.model.Article, { title: { $like: `%${q}%` } });
    return `Search ${q}: ${titles(articles)}`;
  }

  /** The five newest comments, each with its article (populate of a to-one). */
  @Get('comments/latest')
  async latestComments(): Promise<string> {
    const comments = await this.em.find(
      this.model.Comment,
      {},
      { populate: ['article'], orderBy: { id: 'desc' }, limit: 5 },
    );
    return `Latest: ${comments.map((c) => `${c.body} on ${c.article.title}`).join('; ')}`;
  }

  @Get('comments/count')
  async commentCount(): Promise<string> {
    const [first, total] = await this.em.findAndCount(
      this.model.Comment,
      {},
      { orderBy: { id: 'asc' }, limit: 3 },
    );
    return `${total} comments, first: ${first.map((comment) => comment.body).join('; ')}`;
  }

  /** An article by primary key (no populate). */
  @Get('articles/by-id/:id')
  async articleById(@Param('id', ParseIntPipe) id: number): Promise<string> {
    const article = await this.em.findOne(this.model.Article, id);
    return article
      ? `#${id}: ${article.slug} ${article.title} published=${article.published}`
      : `no article #${id}`;
  }

  /** An article with its author, comments and tags (populate of all three kinds). */
  @Get('articles/:slug')
  async article(@Param('slug') slug: string): Promise<string> {
    const article = await this.em.findOne(
      this.model.Article,
      { slug },
      { populate: ['author', 'comments', 'tags'] },
    );
    if (!article) return `no article ${slug}`;
    const tags = byId(article.tags).map((tag) => tag.name);
    const comments = byId(article.comments).map((comment) => comment.body);
    return (
      `${article.title} by ${article.author.name}, published=${article.published}: ${article.body}` +
      ` [tags ${tags.join(', ')}] [comments ${comments.join('; ')}]`
    );
  }

  /** An article's comments: `loadCount()`, then `Collection.init()`, then each author's `Reference.load()`. */
  @Get('articles/:slug/comments')
  async comments(@Param('slug') slug: string): Promise<string> {
    const article = await this.em.findOne(this.model.Article, { slug });
    if (!article) return `no article ${slug}`;
    const count = await article.comments.loadCount();
    await article.comments.init();
    const lines: string[] = [];
    for (const comment of byId<Comment>(article.comments)) {
      const author = await comment.author.load();
      lines.push(`${comment.body} (${author?.name})`);
    }
    return `${count} comment(s) on ${article.title}: ${lines.join('; ')}`;
  }

  /** An article's author through `Reference.load()` of the unloaded to-one. */
  @Get('articles/:slug/author')
  async byline(@Param('slug') slug: string): Promise<string> {
    const article = await this.em.findOne(this.model.Article, { slug });
    if (!article) return `no article ${slug}`;
    const author = await Reference.create(article.author).load();
    return `${article.title} is by ${author?.name}: ${author?.bio}`;
  }

  /** An author and their articles (a where on the foreign key). */
  @Get('authors/:id')
  async author(@Param('id', ParseIntPipe) id: number): Promise<string> {
    const em = this.em;
    const author = await em.findOne(this.model.Author, id);
    if (!author) return `no author ${id}`;
    const articles = await em.find(this.model.Article, { author: id }, { orderBy: { id: 'asc' } });
    return `${author.name} wrote ${articles.length}: ${titles(articles)}`;
  }

  /**
   * An author loaded with their articles, then found twice by key: both finds are identity-map
   * hits when the author has articles (no query), one query otherwise.
   */
  @Get('authors/:id/profile')
  async profile(@Param('id', ParseIntPipe) id: number): Promise<string> {
    const em = this.em;
    const articles = await em.find(this.model.Article, { author: id }, { populate: ['author'] });
    const author = await em.findOne(this.model.Author, id);
    const again = await em.findOne(this.model.Author, id);
    if (!author) return `no author ${id}`;
    return `${author.name}: ${author.bio} (${articles.length} articles, same=${author === again})`;
  }

  /** A tag and its articles (`Collection.init()` of the M:N inverse side). */
  @Get('tags/:name')
  async tag(@Param('name') name: string): Promise<string> {
    const tag = await this.em.findOne(this.model.Tag, { name });
    if (!tag) return `no tag ${name}`;
    await tag.articles.init();
    return `#${tag.name}: ${titles(tag.articles)}`;
  }
}
