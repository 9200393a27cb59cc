import type { Collection, EntityClass, EntitySchema, Ref } from '@mikro-orm/core';

/*
 * The checker's model, as the pages and the writes see it. The classes behind these shapes are
 * made by defineModel(): plain ones for automatic dependencies (no dependentPaths() anywhere),
 * or decorated ones that name their pages by hand (declared mode).
 */

export interface Author {
  id: number;
  name: string;
  bio: string;
  articles: Collection<Article>;
}

export interface Article {
  id: number;
  slug: string;
  title: string;
  body: string;
  published: boolean;
  createdAt: Date;
  /** Set by a soft delete; the default `live` filter hides such articles. */
  deletedAt: Date | null;
  author: Author;
  tags: Collection<Tag>;
  comments: Collection<Comment>;
}

export interface Tag {
  id: number;
  name: string;
  articles: Collection<Article>;
}

export interface Comment {
  id: number;
  body: string;
  article: Article;
  /** A reference, so pages can show `Reference.load()`. */
  author: Ref<Author>;
}

/** One instance of the model: its entity classes (what `em.find` is given) and their schemas. */
export interface Model {
  readonly Author: EntityClass<Author>;
  readonly Article: EntityClass<Article>;
  readonly Tag: EntityClass<Tag>;
  readonly Comment: EntityClass<Comment>;
  readonly entities: ReadonlyArray<EntitySchema>;
}

/** The Nest token of the app's Model. */
export const MODEL = Symbol('differential model');
