import { EntityRepository } from '@mikro-orm/core';
import { InjectRepository } from '@mikro-orm/nestjs';
import { Injectable } from '@nestjs/common';
import { Author } from './author.entity.js';

@Injectable()
export class AuthorsService {
  constructor(@InjectRepository(Author) private readonly authors: EntityRepository<Author>) {}

  /** An author with their posts, newest first. */
  findBySlug(slug: string): Promise<Author | null> {
    return this.authors.findOne(
      { slug },
      { populate: ['posts'], orderBy: { posts: { publishedAt: 'desc' } } },
    );
  }

  all(): Promise<Author[]> {
    return this.authors.findAll({ orderBy: { name: 'asc' } });
  }
}
