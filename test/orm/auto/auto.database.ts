import type { MikroORM } from '@mikro-orm/core';
import { Article, Author, Comment, Tag } from './auto.entities.js';

/** Keys of the seeded rows, as the database assigned them. */
export interface AutoIds {
  readonly ada: number;
  readonly brian: number;
  readonly hello: number;
  readonly world: number;
  readonly third: number;
  readonly draft: number;
  readonly news: number;
  readonly tips: number;
}

/**
 * Ada wrote "Hello" (rank 30, tagged news, one comment) and "Third" (rank 10); Brian wrote
 * "World" (rank 20, tagged tips) and an unpublished "Draft".
 */
export async function seedAuto(orm: MikroORM): Promise<AutoIds> {
  const em = orm.em.fork();
  const ada = em.create(Author, { name: 'Ada', bio: 'math' });
  const brian = em.create(Author, { name: 'Brian', bio: 'unix' });
  const news = em.create(Tag, { name: 'news' });
  const tips = em.create(Tag, { name: 'tips' });
  const article = (slug: string, title: string, rank: number, author: Author, published = true) =>
    em.create(Article, { slug, title, rank, author, published, deletedAt: null });
  const hello = article('hello', 'Hello', 30, ada);
  const world = article('world', 'World', 20, brian);
  const third = article('third', 'Third', 10, ada);
  const draft = article('draft', 'Draft', 5, brian, false);
  hello.tags.add(news);
  world.tags.add(tips);
  em.create(Comment, { body: 'first!', article: hello });
  await em.flush();
  return {
    ada: ada.id,
    brian: brian.id,
    hello: hello.id,
    world: world.id,
    third: third.id,
    draft: draft.id,
    news: news.id,
    tips: tips.id,
  };
}
