import { Entity, ManyToOne, PrimaryKey, Property, type Rel } from '@mikro-orm/core';
import { DependentPaths } from 'nestjs-cache-page';
import { Post } from '../posts/post.entity.js';
import { postJson, postPage } from '../routes.js';

/** A reader's comment, shown only on its post's page (and in the post's JSON). */
@Entity()
@DependentPaths()
export class Comment {
  @PrimaryKey()
  id!: number;

  @ManyToOne(() => Post)
  post!: Rel<Post>;

  @Property()
  authorName!: string;

  @Property({ type: 'text' })
  body!: string;

  @Property()
  createdAt: Date = new Date();

  /** Reads `post.slug`: load the post before adding, editing or deleting a comment. */
  dependentPaths(): string[] {
    return [postPage.path(this.post), postJson.path(this.post)];
  }
}
