import type { Options } from '@mikro-orm/core';
import type { DatabaseConfig } from '../app.config.js';
import { Author } from '../authors/author.entity.js';
import { Comment } from '../comments/comment.entity.js';
import { FormerPostSlug } from '../posts/former-post-slug.entity.js';
import { Post } from '../posts/post.entity.js';
import { FormerTagSlug } from '../tags/former-tag-slug.entity.js';
import { Tag } from '../tags/tag.entity.js';

export const ENTITIES = [Author, Post, Tag, Comment, FormerPostSlug, FormerTagSlug];

/**
 * MikroORM options for SQLite (`@mikro-orm/libsql`) or PostgreSQL. Only the chosen driver is
 * loaded. On PostgreSQL the blog's tables live in their own schema, `blog`, so pointing
 * `DATABASE_URL` at an existing database leaves its other tables alone.
 */
export async function ormOptions(database: DatabaseConfig): Promise<Options> {
  if (database.kind === 'postgresql') {
    const { PostgreSqlDriver } = await import('@mikro-orm/postgresql');
    return { driver: PostgreSqlDriver, clientUrl: database.url, schema: 'blog', entities: ENTITIES };
  }
  const { LibSqlDriver } = await import('@mikro-orm/libsql');
  return { driver: LibSqlDriver, dbName: database.file, entities: ENTITIES };
}
