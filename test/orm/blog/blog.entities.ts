import { Collection, EntitySchema } from '@mikro-orm/core';
import { DependentPaths, type DependentPathsResult } from 'nestjs-cache-page';

/*
 * The blog of the invalidation suites: Author 1:N Post, Post M:N Tag, Post 1:N Comment, plus a
 * Page whose dependentPaths() output is chosen per row (for the bad-input tests) and an
 * undecorated Visit counter. Mapped with EntitySchema so the same model runs on MikroORM 6 and 7
 * (whose decorators moved to another package).
 *
 * What each page shows, and so what each entity names:
 *   /                 post titles                       Post
 *   /posts/:slug      title, number of tags, comments   Post (tags: M:N; comments: 1:N parent)
 *   /authors/:id      author name, their post titles    Author, Post (by the author's key)
 *   /tags/:name       tag name, number of posts         Tag (posts: M:N)
 *   /comments         comment bodies and post keys      Comment
 *   /pages/:slug      page slug and title               Page
 *   /about            static; only "every page" reaches it
 */

@DependentPaths()
export class Author {
  id!: number;
  name!: string;
  posts = new Collection<Post>(this);

  dependentPaths() {
    return [`/authors/${this.id}`];
  }
}

@DependentPaths()
export class Post {
  id!: number;
  slug!: string;
  title!: string;
  author!: Author;
  tags = new Collection<Tag>(this);
  comments = new Collection<Comment>(this);

  dependentPaths() {
    return ['/', `/posts/${this.slug}`, `/authors/${this.author.id}`];
  }
}

@DependentPaths()
export class Tag {
  id!: number;
  name!: string;
  posts = new Collection<Post>(this);

  dependentPaths() {
    return [`/tags/${this.name}`];
  }
}

@DependentPaths()
export class Comment {
  id!: number;
  body!: string;
  post!: Post;

  dependentPaths() {
    return new Set(['/comments']);
  }
}

/** What a Page's dependentPaths() returns, good and bad. */
export type PageOutput =
  | 'array'
  | 'set'
  | 'generator'
  | 'promise'
  | 'string'
  | 'absolute-url'
  | 'throws'
  | 'rejects'
  | 'non-iterable'
  | 'undefined'
  | 'non-strings'
  | 'relative';

@DependentPaths()
export class Page {
  id!: number;
  slug!: string;
  title!: string;
  output!: PageOutput;

  dependentPaths(): DependentPathsResult {
    return pageOutput(this.output, `/pages/${this.slug}`) as DependentPathsResult;
  }
}

/** What dependentPaths() of a page with this output returns (or throws); the bad ones are the point. */
function pageOutput(output: PageOutput, path: string): unknown {
  switch (output) {
    case 'array':
      return [path];
    case 'set':
      return new Set([path, path]);
    case 'generator':
      return (function* () {
        yield path;
      })();
    case 'promise':
      return Promise.resolve([path]);
    case 'string':
      return path;
    case 'absolute-url':
      return [`https://blog.example${path}?utm=feed#top`];
    case 'throws':
      throw new Error('page paths exploded');
    case 'rejects':
      return Promise.reject(new Error('page paths rejected'));
    case 'non-iterable':
      return 42;
    case 'undefined':
      return undefined;
    case 'non-strings':
      return [path, 7];
    case 'relative':
      return [path.slice(1)];
  }
}

/** A visit counter: not decorated, and Post maps no collection of visits. */
export class Visit {
  id!: number;
  post!: Post;
}

export const AuthorSchema = new EntitySchema<Author>({
  class: Author,
  properties: {
    id: { type: 'number', primary: true },
    name: { type: 'string' },
    posts: { kind: '1:m', entity: () => Post, mappedBy: 'author' },
  },
});

export const PostSchema = new EntitySchema<Post>({
  class: Post,
  properties: {
    id: { type: 'number', primary: true },
    slug: { type: 'string', unique: true },
    title: { type: 'string' },
    author: { kind: 'm:1', entity: () => Author },
    tags: { kind: 'm:n', entity: () => Tag, inversedBy: 'posts' },
    comments: { kind: '1:m', entity: () => Comment, mappedBy: 'post' },
  },
});

export const TagSchema = new EntitySchema<Tag>({
  class: Tag,
  properties: {
    id: { type: 'number', primary: true },
    name: { type: 'string', unique: true },
    posts: { kind: 'm:n', entity: () => Post, mappedBy: 'tags' },
  },
});

export const CommentSchema = new EntitySchema<Comment>({
  class: Comment,
  properties: {
    id: { type: 'number', primary: true },
    body: { type: 'string' },
    post: { kind: 'm:1', entity: () => Post },
  },
});

export const PageSchema = new EntitySchema<Page>({
  class: Page,
  properties: {
    id: { type: 'number', primary: true },
    slug: { type: 'string' },
    title: { type: 'string' },
    output: { type: 'string' },
  },
});

export const VisitSchema = new EntitySchema<Visit>({
  class: Visit,
  properties: {
    id: { type: 'number', primary: true },
    post: { kind: 'm:1', entity: () => Post },
  },
});

export const BLOG_ENTITIES = [AuthorSchema, PostSchema, TagSchema, CommentSchema, PageSchema, VisitSchema];
