import { Collection, Entity, ManyToMany, PrimaryKey, Property } from '@mikro-orm/core';
import { DependentPaths } from 'nestjs-cache-page';
import { Post } from '../posts/post.entity.js';
import { feedPage, homePage, postJson, postPage, postsJson, tagPage } from '../routes.js';

/** A topic. Its name shows on its own page and next to every post it is on. */
@Entity()
@DependentPaths()
export class Tag {
  @PrimaryKey()
  id!: number;

  @Property({ unique: true })
  slug!: string;

  @Property()
  name!: string;

  @ManyToMany(() => Post, (post) => post.tags)
  posts = new Collection<Post>(this);

  /**
   * Its page and every page listing it. A rename also changes the slug, and the page at the old
   * slug is invalidated too (the library calls this on the previous state as well).
   * Reads `posts`: load it (`populate: ['posts']`) before renaming a tag or (un)tagging a post.
   */
  dependentPaths(): string[] {
    return [
      tagPage.path(this),
      homePage.path(),
      feedPage.path(),
      postsJson.path(),
      ...this.posts.getItems().flatMap((post) => [postPage.path(post), postJson.path(post)]),
    ];
  }
}
