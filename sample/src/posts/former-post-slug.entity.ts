import { Entity, ManyToOne, PrimaryKey, type Rel } from '@mikro-orm/core';
import { Post } from './post.entity.js';

/**
 * A slug a post had before it was changed: `/posts/<slug>` (and its JSON and edit form) answer
 * `301` to the post's new URL. A slug is either a post's current slug or a former one, never
 * both. No `@DependentPaths()`: a redirect is never cached, so there is no page to invalidate.
 */
@Entity()
export class FormerPostSlug {
  @PrimaryKey()
  slug!: string;

  @ManyToOne(() => Post, { deleteRule: 'cascade' })
  post!: Rel<Post>;
}
