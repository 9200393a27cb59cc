import { Collection, Entity, OneToMany, PrimaryKey, Property } from '@mikro-orm/core';
import { DependentPaths } from 'nestjs-cache-page';
import { Post } from '../posts/post.entity.js';
import { authorPage, feedPage, homePage, postJson, postPage, postsJson } from '../routes.js';

/** A writer. Their name is the byline of every post they wrote. */
@Entity()
@DependentPaths()
export class Author {
  @PrimaryKey()
  id!: number;

  @Property({ unique: true })
  slug!: string;

  @Property()
  name!: string;

  @Property({ type: 'text' })
  bio!: string;

  @OneToMany(() => Post, (post) => post.author)
  posts = new Collection<Post>(this);

  /**
   * Their page, and every page with their byline. Reads `posts`: load it (`populate: ['posts']`)
   * before changing an author or giving them a new post (the new post changes this collection).
   */
  dependentPaths(): string[] {
    return [
      authorPage.path(this),
      homePage.path(),
      feedPage.path(),
      postsJson.path(),
      ...this.posts.getItems().flatMap((post) => [postPage.path(post), postJson.path(post)]),
    ];
  }
}
