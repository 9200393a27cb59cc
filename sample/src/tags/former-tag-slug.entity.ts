import { Entity, ManyToOne, PrimaryKey, type Rel } from '@mikro-orm/core';
import { Tag } from './tag.entity.js';

/**
 * A slug a tag had before a rename: `/tags/<slug>` answers `301` to the tag's page. A slug is
 * either a tag's current slug or a former one, never both. No `@DependentPaths()`: a redirect is
 * never cached, so a new former slug has no page to invalidate (the rename itself invalidates
 * the page at the old URL).
 */
@Entity()
export class FormerTagSlug {
  @PrimaryKey()
  slug!: string;

  @ManyToOne(() => Tag, { deleteRule: 'cascade' })
  tag!: Rel<Tag>;
}
