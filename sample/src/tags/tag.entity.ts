import { Collection, Entity, ManyToMany, PrimaryKey, Property } from '@mikro-orm/core';
import { DependentPaths } from 'nestjs-cache-page';
import { Post } from '../posts/post.entity.js';
import { feedPage, homePage, postJson, postPage, postsJson } from '../routes.js';

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
   * Every page listing it (its own page knows its data: TagsController runs in automatic-
   * dependencies mode). A rename changes what those pages show, so the previous state's pages go
   * too (the library calls this on the previous state as well).
   * Reads `posts`: load it (`populate: ['posts']`) before renaming a tag or (un)tagging a post.
   */
  dependentPaths(): string[] {
    return [
      homePage.path(),
      feedPage.path(),
      postsJson.path(),
      ...this.posts.getItems().flatMap((post) => [postPage.path(post), postJson.path(post)]),
    ];
  }
}
