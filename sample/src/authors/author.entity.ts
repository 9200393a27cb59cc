import { Collection, Entity, OneToMany, PrimaryKey, Property } from '@mikro-orm/core';
import { DependentPaths } from 'nestjs-cache-page';
import { Post } from '../posts/post.entity.js';

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
      `/authors/${this.slug}`,
      '/',
      '/feed.xml',
      '/api/posts',
      ...this.posts.getItems().flatMap((post) => [`/posts/${post.slug}`, `/api/posts/${post.slug}`]),
    ];
  }
}
