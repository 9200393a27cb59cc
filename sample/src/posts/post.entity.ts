import { Collection, Entity, ManyToMany, ManyToOne, PrimaryKey, Property, type Rel } from '@mikro-orm/core';
import { DependentPaths } from 'nestjs-cache-page';
import { Author } from '../authors/author.entity.js';
import { Tag } from '../tags/tag.entity.js';
import { authorPage, feedPage, homePage, postJson, postPage, postsJson } from '../routes.js';

/**
 * An article. Its comments are not mapped as a collection on purpose: the post page loads them
 * with a query. A mapped 1:N collection would make every new comment a change of the post too,
 * and each comment would then invalidate all the pages below instead of just the post's own.
 */
@Entity()
@DependentPaths()
export class Post {
  @PrimaryKey()
  id!: number;

  @Property({ unique: true })
  slug!: string;

  @Property()
  title!: string;

  @Property({ type: 'text' })
  body!: string;

  @Property()
  publishedAt: Date = new Date();

  @ManyToOne(() => Author)
  author!: Rel<Author>;

  @ManyToMany(() => Tag, (tag) => tag.posts, { owner: true })
  tags = new Collection<Tag>(this);

  /**
   * Every page that shows this post. A changed slug invalidates the old URLs as well.
   * Reads `author` and `tags`: load them (`populate: ['author', 'tags']`) before changing a post.
   */
  dependentPaths(): string[] {
    return [
      postPage.path(this),
      postJson.path(this),
      homePage.path(),
      feedPage.path(),
      postsJson.path(),
      authorPage.path(this.author),
      // Tag pages are not named: they run in automatic-dependencies mode (TagsController).
    ];
  }
}
