import { EntityManager } from '@mikro-orm/core';
import { Injectable } from '@nestjs/common';
import { Author } from './author.entity.js';

@Injectable()
export class AuthorsService {
  constructor(private readonly em: EntityManager) {}

  /** An author with their posts, newest first. */
  findBySlug(slug: string): Promise<Author | null> {
    return this.em.findOne(
      Author,
      { slug },
      { populate: ['posts'], orderBy: { posts: { publishedAt: 'desc' } } },
    );
  }

  all(): Promise<Author[]> {
    return this.em.find(Author, {}, { orderBy: { name: 'asc' } });
  }
}
