import type { EntityManager } from '@mikro-orm/libsql';
import { randomDate, randomTitle } from './database.js';
import type { Article, Model } from './model.js';
import { AUTHOR_COUNT, SLUGS } from './pools.js';
import type { Random } from './random.js';

/** Through the unit of work (a flush), or around it (native, QueryBuilder, raw SQL). */
export type WriteKind = 'unit-of-work' | 'around';

/** One kind of change; `run` returns what it did, or `undefined` when it does not apply now. */
export interface Write {
  readonly name: string;
  readonly kind: WriteKind;
  run(em: EntityManager, model: Model, random: Random): Promise<string | undefined>;
}

const randomAuthorId = (random: Random) => 1 + random.int(AUTHOR_COUNT);

/** Every article, soft-deleted ones too, by key. */
const articles = (em: EntityManager, model: Model, populate: Array<'tags' | 'comments'> = []) =>
  em.find(model.Article, {}, { filters: false, populate, orderBy: { id: 'asc' } }) as Promise<Article[]>;

async function someArticle(
  em: EntityManager,
  model: Model,
  random: Random,
  populate?: Array<'tags' | 'comments'>,
) {
  const all = await articles(em, model, populate);
  return all.length ? random.pick(all) : undefined;
}

async function freeSlug(em: EntityManager, model: Model, random: Random): Promise<string | undefined> {
  const taken = new Set((await articles(em, model)).map((article) => article.slug));
  const free = SLUGS.filter((slug) => !taken.has(slug));
  return free.length ? random.pick(free) : undefined;
}

async function someCommentId(em: EntityManager, model: Model, random: Random): Promise<number | undefined> {
  const comments = await em.find(model.Comment, {}, { filters: false, orderBy: { id: 'asc' } });
  return comments.length ? random.pick(comments).id : undefined;
}

/** Flushes, then says what was done. */
const flushed = async (em: EntityManager, what: string) => {
  await em.flush();
  return what;
};

const UNIT_OF_WORK: Array<Omit<Write, 'kind'>> = [
  {
    name: 'create article',
    async run(em, model, random) {
      const slug = await freeSlug(em, model, random);
      if (!slug) return undefined;
      const tags = random.subset(await em.find(model.Tag, {}, { orderBy: { id: 'asc' } }));
      const article = em.create(model.Article, {
        slug,
        title: randomTitle(random),
        body: `body of ${slug}`,
        published: random.chance(0.7),
        createdAt: randomDate(random),
        deletedAt: null,
        author: em.getReference(model.Author, randomAuthorId(random)),
        tags,
      });
      return flushed(em, `created ${article.slug} with ${tags.length} tag(s)`);
    },
  },
  {
    name: 'update title',
    async run(em, model, random) {
      const article = await someArticle(em, model, random);
      if (!article) return undefined;
      article.title = randomTitle(random);
      return flushed(em, `retitled #${article.id} to ${article.title}`);
    },
  },
  {
    name: 'update slug',
    async run(em, model, random) {
      const [article, slug] = [await someArticle(em, model, random), await freeSlug(em, model, random)];
      if (!article || !slug) return undefined;
      const old = article.slug;
      article.slug = slug;
      return flushed(em, `moved #${article.id} from slug ${old} to ${slug}`);
    },
  },
  {
    name: 'toggle published',
    async run(em, model, random) {
      const article = await someArticle(em, model, random);
      if (!article) return undefined;
      article.published = !article.published;
      return flushed(em, `#${article.id} published=${article.published}`);
    },
  },
  {
    name: 'update createdAt',
    async run(em, model, random) {
      const article = await someArticle(em, model, random);
      if (!article) return undefined;
      article.createdAt = randomDate(random);
      return flushed(em, `#${article.id} createdAt=${article.createdAt.toISOString()}`);
    },
  },
  {
    name: 'move article to another author',
    async run(em, model, random) {
      const article = await someArticle(em, model, random);
      if (!article) return undefined;
      article.author = em.getReference(model.Author, randomAuthorId(random));
      return flushed(em, `#${article.id} now by author ${article.author.id}`);
    },
  },
  {
    name: 'delete article (em.remove)',
    async run(em, model, random) {
      const article = await someArticle(em, model, random, ['comments', 'tags']);
      if (!article) return undefined;
      for (const comment of article.comments) em.remove(comment);
      em.remove(article);
      return flushed(em, `removed #${article.id} (${article.slug})`);
    },
  },
  {
    name: 'soft delete or restore',
    async run(em, model, random) {
      const article = await someArticle(em, model, random);
      if (!article) return undefined;
      article.deletedAt = article.deletedAt ? null : randomDate(random);
      return flushed(em, `#${article.id} deletedAt=${article.deletedAt?.toISOString() ?? null}`);
    },
  },
  {
    name: 'create comment',
    async run(em, model, random) {
      const article = await someArticle(em, model, random);
      if (!article) return undefined;
      const comment = em.create(model.Comment, {
        body: `${randomTitle(random)}!`,
        article,
        author: em.getReference(model.Author, randomAuthorId(random)),
      });
      return flushed(em, `comment "${comment.body}" on #${article.id}`);
    },
  },
  {
    name: 'delete comment (em.remove)',
    async run(em, model, random) {
      const id = await someCommentId(em, model, random);
      if (id === undefined) return undefined;
      em.remove(em.getReference(model.Comment, id));
      return flushed(em, `removed comment #${id}`);
    },
  },
  {
    name: 'move comment to another article (1:N)',
    async run(em, model, random) {
      const [id, article] = [await someCommentId(em, model, random), await someArticle(em, model, random)];
      if (id === undefined || !article) return undefined;
      const comment = await em.findOneOrFail(model.Comment, id, { filters: false });
      comment.article = article;
      return flushed(em, `moved comment #${id} to #${article.id}`);
    },
  },
  {
    name: 'tag an article or untag it (owning side)',
    async run(em, model, random) {
      const article = await someArticle(em, model, random, ['tags']);
      if (!article) return undefined;
      const tag = random.pick(await em.find(model.Tag, {}, { orderBy: { id: 'asc' } }));
      const had = article.tags.contains(tag);
      if (had) article.tags.remove(tag);
      else article.tags.add(tag);
      return flushed(em, `${had ? 'untagged' : 'tagged'} #${article.id} ${tag.name} (article.tags)`);
    },
  },
  {
    name: 'add an article to a tag or remove it (inverse side)',
    async run(em, model, random) {
      const article = await someArticle(em, model, random, ['tags']);
      if (!article) return undefined;
      const tag = random.pick(
        await em.find(model.Tag, {}, { populate: ['articles'], orderBy: { id: 'asc' }, filters: false }),
      );
      const had = tag.articles.contains(article);
      if (had) tag.articles.remove(article);
      else tag.articles.add(article);
      return flushed(em, `${had ? 'untagged' : 'tagged'} #${article.id} ${tag.name} (tag.articles)`);
    },
  },
  {
    name: 'rename author or edit bio',
    async run(em, model, random) {
      const author = await em.findOneOrFail(model.Author, randomAuthorId(random));
      if (random.chance(0.5)) author.name = `Writer ${randomTitle(random)}`;
      else author.bio = `bio ${randomTitle(random)}`;
      return flushed(em, `author #${author.id} is ${author.name}: ${author.bio}`);
    },
  },
  {
    name: 'two changes in one explicit transaction',
    async run(em, model, random) {
      const article = await someArticle(em, model, random);
      if (!article) return undefined;
      await em.transactional(async (tx) => {
        const row = await tx.findOneOrFail(model.Article, article.id, { filters: false });
        row.body = `body ${randomTitle(random)}`;
        await tx.flush();
        tx.create(model.Comment, {
          body: `in a transaction`,
          article: row,
          author: tx.getReference(model.Author, randomAuthorId(random)),
        });
      });
      return `#${article.id} new body and a comment, in one transaction`;
    },
  },
];

const AROUND: Write[] = [
  {
    name: 'em.nativeUpdate',
    kind: 'around',
    async run(em, model, random) {
      const article = await someArticle(em, model, random);
      if (!article) return undefined;
      const title = randomTitle(random);
      await em.nativeUpdate(model.Article, { id: article.id }, { title, published: random.chance(0.6) });
      return `nativeUpdate #${article.id} title=${title}`;
    },
  },
  {
    name: 'em.nativeDelete',
    kind: 'around',
    async run(em, model, random) {
      if (random.chance(0.7)) {
        const id = await someCommentId(em, model, random);
        if (id === undefined) return undefined;
        await em.nativeDelete(model.Comment, { id });
        return `nativeDelete comment #${id}`;
      }
      const article = await someArticle(em, model, random);
      if (!article) return undefined;
      await em.nativeDelete(model.Comment, { article: article.id });
      await em.nativeDelete(model.Article, { id: article.id });
      return `nativeDelete #${article.id} (${article.slug}) and its comments`;
    },
  },
  {
    name: 'em.insert',
    kind: 'around',
    async run(em, model, random) {
      const slug = await freeSlug(em, model, random);
      if (!slug || random.chance(0.4)) {
        const article = await someArticle(em, model, random);
        if (!article) return undefined;
        await em.insert(model.Comment, {
          body: `inserted ${randomTitle(random)}`,
          article: article.id,
          author: randomAuthorId(random),
        });
        return `insert comment on #${article.id}`;
      }
      await em.insert(model.Article, {
        slug,
        title: randomTitle(random),
        body: `inserted ${slug}`,
        published: random.chance(0.7),
        createdAt: randomDate(random),
        deletedAt: null,
        author: randomAuthorId(random),
      });
      return `insert article ${slug}`;
    },
  },
  {
    name: 'QueryBuilder update or delete',
    kind: 'around',
    async run(em, model, random) {
      if (random.chance(0.3)) {
        const id = await someCommentId(em, model, random);
        if (id === undefined) return undefined;
        await em.createQueryBuilder(model.Comment).delete().where({ id }).execute();
        return `qb delete comment #${id}`;
      }
      const article = await someArticle(em, model, random);
      if (!article) return undefined;
      const title = randomTitle(random);
      await em
        .createQueryBuilder(model.Article)
        .update({ title, createdAt: randomDate(random) })
        .where({ id: article.id })
        .execute();
      return `qb update #${article.id} title=${title}`;
    },
  },
  {
    name: 'raw SQL update (em.execute)',
    kind: 'around',
    async run(em, model, random) {
      if (random.chance(0.3)) {
        const id = randomAuthorId(random);
        const name = `Raw ${randomTitle(random)}`;
        await em.execute('update author set name = ? where id = ?', [name, id]);
        return `raw rename author #${id} to ${name}`;
      }
      const article = await someArticle(em, model, random);
      if (!article) return undefined;
      const title = randomTitle(random);
      await em.execute('update article set title = ?, published = ? where id = ?', [
        title,
        random.chance(0.6) ? 1 : 0,
        article.id,
      ]);
      return `raw update #${article.id} title=${title}`;
    },
  },
  {
    name: 'raw SQL delete (em.execute)',
    kind: 'around',
    async run(em, model, random) {
      const id = await someCommentId(em, model, random);
      if (id === undefined) return undefined;
      await em.execute('delete from comment where id = ?', [id]);
      return `raw delete comment #${id}`;
    },
  },
  {
    name: 'nativeUpdate inside a transaction',
    kind: 'around',
    async run(em, model, random) {
      const article = await someArticle(em, model, random);
      if (!article) return undefined;
      const title = randomTitle(random);
      await em.transactional(async (tx) => {
        await tx.nativeUpdate(model.Article, { id: article.id }, { title });
        await tx.nativeUpdate(model.Author, { id: randomAuthorId(random) }, { bio: `tx ${title}` });
      });
      return `transaction: nativeUpdate #${article.id} title=${title} and an author's bio`;
    },
  },
];

/** Every write, or only those through the unit of work (what declared paths can see). */
export function writesOf(kinds: 'all' | 'unit-of-work'): readonly Write[] {
  const uow = UNIT_OF_WORK.map((write) => ({ ...write, kind: 'unit-of-work' as const }));
  return kinds === 'all' ? [...uow, ...AROUND] : uow;
}
