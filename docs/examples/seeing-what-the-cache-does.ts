/*
 * The README's "Seeing what the cache does", as a file that compiles: `npm run typecheck`
 * checks it, and test/unit/readme-examples.spec.ts checks that the README shows it as it is here.
 */
import { EntityManager, EntitySchema } from '@mikro-orm/core';
import { Injectable, Logger } from '@nestjs/common';
import { CachePageService } from 'nestjs-cache-page';

class Post {
  id!: number;
  slug!: string;
  title!: string;
}
export const PostSchema = new EntitySchema({
  class: Post,
  properties: { id: { type: 'number', primary: true }, slug: { type: 'string' }, title: { type: 'string' } },
});

@Injectable()
export class CacheReport {
  private readonly audit = new Logger('audit');

  constructor(private readonly cachePage: CachePageService) {}

  async example(): Promise<void> {
    const { cachePage, audit } = this;
    // #region readme
    // What would this edit invalidate? Its transaction is rolled back: nothing is written or invalidated.
    const { paths, all, records } = await cachePage.explain(async (em: EntityManager) => {
      (await em.findOneOrFail(Post, { slug: 'hello' })).title = 'Hello again';
    });
    // paths: ['/', '/feed.xml', '/posts/hello'], all: false,
    // records: [{ trigger: 'update', entity: 'Post', id: 1, paths: ['/', '/feed.xml', '/posts/hello'] }]

    cachePage.onInvalidation(({ paths, all, records }) => audit.log({ paths, all, records }));
    // #endregion readme
    audit.log({ paths, all, records });
  }
}
