import { Collection, EntitySchema, OptionalProps } from '@mikro-orm/core';

/*
 * The model of the automatic-dependency suites: no `@DependentPaths()` anywhere. Author 1:N
 * Article, Article M:N Tag, Article 1:N Comment; articles carry a soft-delete filter. Mapped with
 * EntitySchema so the same model runs on MikroORM 6 and 7.
 */

export class Author {
  [OptionalProps]?: 'bio';
  id!: number;
  name!: string;
  bio = '';
  articles = new Collection<Article>(this);
}

export class Article {
  [OptionalProps]?: 'published' | 'rank' | 'deletedAt';
  id!: number;
  slug!: string;
  title!: string;
  published = true;
  rank = 0;
  deletedAt: Date | null = null;
  author!: Author;
  tags = new Collection<Tag>(this);
  comments = new Collection<Comment>(this);
}

export class Tag {
  id!: number;
  name!: string;
  articles = new Collection<Article>(this);
}

export class Comment {
  id!: number;
  body!: string;
  article!: Article;
}

export const AuthorSchema = new EntitySchema<Author>({
  class: Author,
  properties: {
    id: { type: 'number', primary: true },
    name: { type: 'string' },
    bio: { type: 'string' },
    articles: { kind: '1:m', entity: () => Article, mappedBy: 'author' },
  },
});

export const ArticleSchema = new EntitySchema<Article>({
  class: Article,
  filters: { live: { name: 'live', cond: { deletedAt: null }, default: true } },
  properties: {
    id: { type: 'number', primary: true },
    slug: { type: 'string', unique: true },
    title: { type: 'string' },
    published: { type: 'boolean' },
    rank: { type: 'number' },
    deletedAt: { type: 'Date', nullable: true },
    author: { kind: 'm:1', entity: () => Author },
    tags: { kind: 'm:n', entity: () => Tag, inversedBy: 'articles' },
    comments: { kind: '1:m', entity: () => Comment, mappedBy: 'article' },
  },
});

export const TagSchema = new EntitySchema<Tag>({
  class: Tag,
  properties: {
    id: { type: 'number', primary: true },
    name: { type: 'string', unique: true },
    articles: { kind: 'm:n', entity: () => Article, mappedBy: 'tags' },
  },
});

export const CommentSchema = new EntitySchema<Comment>({
  class: Comment,
  properties: {
    id: { type: 'number', primary: true },
    body: { type: 'string' },
    article: { kind: 'm:1', entity: () => Article },
  },
});

export const AUTO_ENTITIES = [AuthorSchema, ArticleSchema, TagSchema, CommentSchema];
