import type { MikroORM } from '@mikro-orm/core';
import { createBlogSchema } from '../blog/blog.database.js';
import type { Model } from './model.js';
import { AUTHOR_COUNT, DATE_SPAN_DAYS, SLUGS, TAG_NAMES, TITLE_WORDS } from './pools.js';
import type { Random } from './random.js';

const DAY = 86_400_000;
const EPOCH = Date.UTC(2024, 0, 1);

/** A date within the pool's span, at a whole minute (so every database stores it exactly). */
export const randomDate = (random: Random): Date =>
  new Date(EPOCH + Math.floor((random.next() * DATE_SPAN_DAYS * DAY) / 60_000) * 60_000);

/** A title of two pool words. */
export const randomTitle = (random: Random): string =>
  `${random.pick(TITLE_WORDS)} ${random.pick(TITLE_WORDS)}`;

/**
 * Creates the tables and seeds, through `orm` (before any page is cached): the authors, the
 * tags, six articles (alpha..foxtrot) with some tags and two comments each on the first four.
 */
export async function createAndSeed(orm: MikroORM, model: Model, random: Random): Promise<void> {
  await createBlogSchema(orm);
  const em = orm.em.fork();
  const authors = Array.from({ length: AUTHOR_COUNT }, (_, index) =>
    em.create(model.Author, { name: `Writer ${index + 1}`, bio: `bio ${index + 1}` }),
  );
  const tags = TAG_NAMES.map((name) => em.create(model.Tag, { name }));
  for (const [index, slug] of SLUGS.slice(0, 6).entries()) {
    const article = em.create(model.Article, {
      slug,
      title: randomTitle(random),
      body: `body of ${slug}`,
      published: index !== 2,
      createdAt: randomDate(random),
      deletedAt: null,
      author: authors[index % authors.length],
      tags: random.subset(tags),
    });
    if (index < 4) {
      for (const n of [1, 2]) {
        em.create(model.Comment, { body: `c${n} on ${slug}`, article, author: random.pick(authors) });
      }
    }
  }
  await em.flush();
}
