import { Utils, type MikroORM } from '@mikro-orm/core';
import { Author, Comment, Post, Tag } from './blog.entities.js';

/** Schema calls renamed in MikroORM 7 (`createSchema` → `create`, `clearDatabase` → `clear`). */
interface SchemaCalls {
  createSchema?(): Promise<void>;
  create?(): Promise<void>;
  clearDatabase?(): Promise<void>;
  clear?(): Promise<void>;
}

/** The MikroORM major the suite runs against (6 under `npm test`, 7 under `npm run test:mikro-orm-7`). */
export const mikroOrmMajor = (): number => Number(Utils.getORMVersion().split('.')[0]);

export async function createBlogSchema(orm: MikroORM): Promise<void> {
  const schema = orm.schema as unknown as SchemaCalls;
  await (schema.createSchema ? schema.createSchema() : schema.create!());
}

export async function clearBlog(orm: MikroORM): Promise<void> {
  const schema = orm.schema as unknown as SchemaCalls;
  await (schema.clearDatabase ? schema.clearDatabase() : schema.clear!());
}

/** Keys of the seeded rows; paths are built from them, as the database assigns them. */
export interface BlogIds {
  readonly ada: number;
  readonly brian: number;
  readonly hello: number;
  readonly world: number;
  readonly news: number;
  readonly tips: number;
  readonly misc: number;
  readonly comment: number;
}

/**
 * Ada wrote "Hello World" (/posts/hello, tagged news, one comment); Brian wrote "Second Post"
 * (/posts/world, tagged tips); the tag misc has no posts.
 */
export async function seedBlog(orm: MikroORM): Promise<BlogIds> {
  const em = orm.em.fork();
  const ada = em.create(Author, { name: 'Ada' });
  const brian = em.create(Author, { name: 'Brian' });
  const news = em.create(Tag, { name: 'news' });
  const tips = em.create(Tag, { name: 'tips' });
  const misc = em.create(Tag, { name: 'misc' });
  const hello = em.create(Post, { slug: 'hello', title: 'Hello World', author: ada, tags: [news] });
  const world = em.create(Post, { slug: 'world', title: 'Second Post', author: brian, tags: [tips] });
  const comment = em.create(Comment, { body: 'Nice post', post: hello });
  await em.flush();
  return {
    ada: ada.id,
    brian: brian.id,
    hello: hello.id,
    world: world.id,
    news: news.id,
    tips: tips.id,
    misc: misc.id,
    comment: comment.id,
  };
}
