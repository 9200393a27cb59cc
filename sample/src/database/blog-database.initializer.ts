import { MikroORM, TableNotFoundException, type EntityManager } from '@mikro-orm/core';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { Post } from '../posts/post.entity.js';
import { seedBlog } from './blog.seed.js';

/**
 * On start: creates the tables if they are missing and seeds an empty blog. It never alters or
 * drops anything, and never reads the rest of the database (a real app would run migrations).
 */
@Injectable()
export class BlogDatabaseInitializer implements OnModuleInit {
  private readonly logger = new Logger('Database');

  constructor(private readonly orm: MikroORM) {}

  async onModuleInit(): Promise<void> {
    const em = this.orm.em.fork();
    let posts = await countPosts(em);
    if (posts === undefined) {
      await this.orm.schema.createSchema();
      this.logger.log('Created the tables');
      posts = 0;
    }
    if (posts > 0) return;
    await seedBlog(em);
    this.logger.log('Seeded an empty database with the sample blog');
  }
}

/** How many posts there are, or `undefined` when there is no table yet. */
async function countPosts(em: EntityManager): Promise<number | undefined> {
  try {
    return await em.count(Post);
  } catch (error) {
    if (error instanceof TableNotFoundException) return undefined;
    throw error;
  }
}
