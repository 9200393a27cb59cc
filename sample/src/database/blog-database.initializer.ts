import { MikroORM, TableNotFoundException, type EntityManager } from '@mikro-orm/core';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { Post } from '../posts/post.entity.js';
import { seedBlog } from './blog.seed.js';
import { ENTITIES } from './orm.options.js';

/**
 * On start: creates the tables if they are missing and seeds an empty blog. A database made by
 * an older version of the sample gets the tables it lacks (a safe schema update: nothing is
 * altered or dropped). A real app would run migrations instead.
 */
@Injectable()
export class BlogDatabaseInitializer implements OnModuleInit {
  private readonly logger = new Logger('Database');

  constructor(private readonly orm: MikroORM) {}

  async onModuleInit(): Promise<void> {
    const em = this.orm.em.fork();
    const missing = await missingTables(em);
    if (missing.length === ENTITIES.length) {
      await this.orm.schema.createSchema();
      this.logger.log('Created the tables');
    } else if (missing.length > 0) {
      await this.orm.schema.updateSchema({ safe: true });
      this.logger.log(`Added the tables of ${missing.join(', ')}`);
    }
    if ((await em.count(Post)) > 0) return;
    await seedBlog(em);
    this.logger.log('Seeded an empty database with the sample blog');
  }
}

/** The entities whose table does not exist yet. */
async function missingTables(em: EntityManager): Promise<string[]> {
  const missing: string[] = [];
  for (const entity of ENTITIES) {
    try {
      await em.count(entity);
    } catch (error) {
      if (!(error instanceof TableNotFoundException)) throw error;
      missing.push(entity.name);
    }
  }
  return missing;
}
