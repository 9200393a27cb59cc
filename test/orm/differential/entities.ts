import { Collection, EntitySchema, type Ref } from '@mikro-orm/core';
import { DependentPaths } from 'nestjs-cache-page';
import type {
  Article as ArticleRow,
  Author as AuthorRow,
  Comment as CommentRow,
  Model,
  Tag as TagRow,
} from './model.js';

/** The pages each kind of row shows on, for a declared model; the argument is the row. */
export interface DeclaredPaths {
  author(author: AuthorRow): Iterable<string>;
  article(article: ArticleRow): Iterable<string>;
  tag(tag: TagRow): Iterable<string>;
  comment(comment: CommentRow): Iterable<string>;
}

/**
 * Fresh entity classes and schemas. Without `declared`, the classes have no `dependentPaths()`
 * (automatic dependencies); with it, each class is `@DependentPaths()` and returns what
 * `declared` says. Each ORM gets its own call, so no metadata is shared between instances.
 */
export function defineModel(declared?: DeclaredPaths): Model {
  // The class names are the entity names, and so the table names the raw SQL pages query.
  class Author implements AuthorRow {
    id!: number;
    name!: string;
    bio!: string;
    articles = new Collection<ArticleRow>(this);
  }
  class Article implements ArticleRow {
    id!: number;
    slug!: string;
    title!: string;
    body!: string;
    published!: boolean;
    createdAt!: Date;
    deletedAt!: Date | null;
    author!: AuthorRow;
    tags = new Collection<TagRow>(this);
    comments = new Collection<CommentRow>(this);
  }
  class Tag implements TagRow {
    id!: number;
    name!: string;
    articles = new Collection<ArticleRow>(this);
  }
  class Comment implements CommentRow {
    id!: number;
    body!: string;
    article!: ArticleRow;
    author!: Ref<AuthorRow>;
  }
  if (declared) {
    declare(Author, (row) => declared.author(row));
    declare(Article, (row) => declared.article(row));
    declare(Tag, (row) => declared.tag(row));
    declare(Comment, (row) => declared.comment(row));
  }
  return { Author, Article, Tag, Comment, entities: schemas(Author, Article, Tag, Comment) };
}

/** Gives `type` a dependentPaths() and marks it, as `@DependentPaths()` on the class would. */
function declare<T>(type: new () => T, paths: (row: T) => Iterable<string>): void {
  Object.defineProperty(type.prototype, 'dependentPaths', {
    value(this: T) {
      return paths(this);
    },
    // As a class method is: MikroORM wraps entity methods on the prototype.
    writable: true,
    configurable: true,
  });
  DependentPaths()(type as never);
}

/** The mapping of the four classes (EntitySchema, so it runs on MikroORM 6 and 7). */
function schemas(
  author: new () => AuthorRow,
  article: new () => ArticleRow,
  tag: new () => TagRow,
  comment: new () => CommentRow,
): Array<EntitySchema> {
  return [
    new EntitySchema<AuthorRow>({
      class: author,
      properties: {
        id: { type: 'number', primary: true },
        name: { type: 'string' },
        bio: { type: 'string' },
        articles: { kind: '1:m', entity: () => article, mappedBy: 'author' },
      },
    }),
    new EntitySchema<ArticleRow>({
      class: article,
      filters: { live: { name: 'live', cond: { deletedAt: null }, default: true } },
      properties: {
        id: { type: 'number', primary: true },
        slug: { type: 'string', unique: true },
        title: { type: 'string' },
        body: { type: 'string' },
        published: { type: 'boolean' },
        createdAt: { type: 'Date' },
        deletedAt: { type: 'Date', nullable: true },
        author: { kind: 'm:1', entity: () => author },
        tags: { kind: 'm:n', entity: () => tag, inversedBy: 'articles' },
        comments: { kind: '1:m', entity: () => comment, mappedBy: 'article' },
      },
    }),
    new EntitySchema<TagRow>({
      class: tag,
      properties: {
        id: { type: 'number', primary: true },
        name: { type: 'string', unique: true },
        articles: { kind: 'm:n', entity: () => article, mappedBy: 'tags' },
      },
    }),
    new EntitySchema<CommentRow>({
      class: comment,
      properties: {
        id: { type: 'number', primary: true },
        body: { type: 'string' },
        article: { kind: 'm:1', entity: () => article },
        author: { kind: 'm:1', entity: () => author, ref: true },
      },
    }),
  ];
}
