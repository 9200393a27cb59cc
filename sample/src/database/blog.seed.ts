import type { EntityManager } from '@mikro-orm/core';
import { Author } from '../authors/author.entity.js';
import { Comment } from '../comments/comment.entity.js';
import { slugify } from '../common/slugify.js';
import { Post } from '../posts/post.entity.js';
import { Tag } from '../tags/tag.entity.js';

const AUTHORS = {
  ada: {
    slug: 'ada-lovelace',
    name: 'Ada Lovelace',
    bio: 'Writes about caching, and about knowing exactly when to throw a cache away.',
  },
  grace: {
    slug: 'grace-hopper',
    name: 'Grace Hopper',
    bio: 'Databases, Redis, and the occasional nanosecond.',
  },
  alan: { slug: 'alan-turing', name: 'Alan Turing', bio: 'Measures things. Then measures them again.' },
} as const;

const TAGS = {
  caching: 'Caching',
  nestjs: 'NestJS',
  mikroOrm: 'MikroORM',
  redis: 'Redis',
  performance: 'Performance',
  typescript: 'TypeScript',
} as const;

interface SeedPost {
  readonly slug: string;
  readonly title: string;
  readonly author: keyof typeof AUTHORS;
  readonly tags: ReadonlyArray<keyof typeof TAGS>;
  readonly publishedAt: string;
  readonly body: string;
  readonly comments?: ReadonlyArray<readonly [author: string, body: string]>;
}

/** Twelve posts, newest first, so the JSON API has three pages of five. */
const POSTS: readonly SeedPost[] = [
  {
    slug: 'caching-whole-pages',
    title: 'Caching whole pages',
    author: 'ada',
    tags: ['caching', 'nestjs'],
    publishedAt: '2026-11-14T09:00:00Z',
    body: `Most pages of a blog are read a thousand times for every time they change. Rendering them again on every request is work thrown away.\n\nThis blog keeps every page in a cache forever, and drops a page the moment a post, a tag, an author or a comment shown on it changes. Look at the X-Cache header: MISS the first time, HIT afterwards.`,
    comments: [
      ['Grace', 'Forever sounds scary until you see the invalidation.'],
      ['Alan', 'Measured it: the second request never touches the database.'],
    ],
  },
  {
    slug: 'invalidate-on-commit',
    title: 'Invalidate on commit, not before',
    author: 'ada',
    tags: ['caching', 'mikroOrm'],
    publishedAt: '2026-11-10T09:00:00Z',
    body: `If you drop a page before the transaction commits, a request arriving in between renders the old data and caches it again.\n\nWaiting for the commit closes that window; a rollback invalidates nothing at all.`,
  },
  {
    slug: 'epochs-not-key-scans',
    title: 'Epochs instead of key scans',
    author: 'grace',
    tags: ['caching', 'redis'],
    publishedAt: '2026-11-06T09:00:00Z',
    body: `Every query variant of a page (?page=2, ?sort=new) is its own entry. Deleting them one by one means scanning keys.\n\nGiving each path an epoch token and storing it inside the page makes one write invalidate them all.`,
  },
  {
    slug: 'entities-that-know-their-pages',
    title: 'Entities that know their pages',
    author: 'grace',
    tags: ['mikroOrm', 'nestjs'],
    publishedAt: '2026-11-02T09:00:00Z',
    body: `A post knows where it is shown: its own page, the home page, its tags, its author, the feed.\n\nWriting that down once, next to the entity, is all the bookkeeping the cache needs.`,
    comments: [['Ada', 'And a comment only knows its post. That is the point.']],
  },
  {
    slug: 'fastify-or-express',
    title: 'Fastify or Express?',
    author: 'alan',
    tags: ['nestjs', 'performance'],
    publishedAt: '2026-10-29T09:00:00Z',
    body: `Nest runs on both. This blog does too: start it with ADAPTER=fastify.\n\nA cache hit costs about the same on either; a miss costs whatever your page costs.`,
  },
  {
    slug: 'measuring-a-cache-hit',
    title: 'Measuring a cache hit',
    author: 'alan',
    tags: ['performance'],
    publishedAt: '2026-10-25T09:00:00Z',
    body: `Time the first request, then the second. The difference is the queries and the template you no longer run.\n\nThen post a comment and time the page again.`,
  },
  {
    slug: 'strict-typescript',
    title: 'Strict TypeScript in a Nest app',
    author: 'grace',
    tags: ['typescript', 'nestjs'],
    publishedAt: '2026-10-21T09:00:00Z',
    body: `strict: true from the first commit costs nothing. Turning it on later costs a week.`,
  },
  {
    slug: 'query-strings-are-pages',
    title: 'Query strings are part of the page',
    author: 'ada',
    tags: ['caching'],
    publishedAt: '2026-10-17T09:00:00Z',
    body: `/api/posts?page=2 is not /api/posts. A page cache that ignores the query serves page one to everyone.\n\nSort the parameters, key by them, and invalidate them together with their path.`,
  },
  {
    slug: 'migrations-without-fear',
    title: 'Migrations without fear',
    author: 'alan',
    tags: ['mikroOrm'],
    publishedAt: '2026-10-13T09:00:00Z',
    body: `Generate the migration, read it, run it in a transaction. Then read it again.`,
  },
  {
    slug: 'templates-that-render-once',
    title: 'Templates that render once',
    author: 'ada',
    tags: ['nestjs', 'performance'],
    publishedAt: '2026-10-09T09:00:00Z',
    body: `With @Render, the template runs on a miss only. A hit replays the HTML that was sent, byte for byte.`,
  },
  {
    slug: 'redis-as-a-page-store',
    title: 'Redis as a shared page store',
    author: 'grace',
    tags: ['redis', 'caching'],
    publishedAt: '2026-10-05T09:00:00Z',
    body: `One process can keep its pages in memory. Two processes need a shared store, or one of them serves what the other invalidated.\n\nStart this blog with REDIS_URL and every instance shares its pages.`,
  },
  {
    slug: 'hello-world',
    title: 'Hello, world',
    author: 'alan',
    tags: ['typescript'],
    publishedAt: '2026-10-01T09:00:00Z',
    body: `The first post of a blog that caches itself.`,
  },
];

/** Fills an empty database with the sample blog. */
export async function seedBlog(em: EntityManager): Promise<void> {
  const authors = mapValues(AUTHORS, (author) => em.create(Author, author));
  const tags = mapValues(TAGS, (name) => em.create(Tag, { slug: slugify(name), name }));
  for (const seed of POSTS) {
    const post = em.create(Post, {
      slug: seed.slug,
      title: seed.title,
      body: seed.body,
      publishedAt: new Date(seed.publishedAt),
      author: authors[seed.author],
      tags: seed.tags.map((tag) => tags[tag]),
    });
    seed.comments?.forEach(([authorName, body], index) => {
      const createdAt = new Date(Date.parse(seed.publishedAt) + (index + 1) * 3_600_000);
      em.create(Comment, { post, authorName, body, createdAt });
    });
  }
  await em.flush();
}

function mapValues<K extends string, V, R>(
  record: Readonly<Record<K, V>>,
  map: (value: V) => R,
): Record<K, R> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, map(value as V)])) as Record<
    K,
    R
  >;
}
