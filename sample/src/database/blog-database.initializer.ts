import { MikroORM } from '@mikro-orm/core';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { Post } from '../posts/post.entity.js';
import { seedBlog } from './blog.seed.js';

/** On start: creates the missing tables (never drops anything), and seeds an empty blog. */
@Injectable()
export class BlogDatabaseInitializer implements OnModuleInit {
  private readonly logger = new Logger('Database');

  constructor(private readonly orm: MikroORM) {}

  async onModuleInit(): Promise<void> {
    await this.orm.schema.ensureDatabase();
    await this.orm.schema.updateSchema({ safe: true, dropTables: false });
    const em = this.orm.em.fork();
    if ((await em.count(Post)) > 0) return;
    await seedBlog(em);
    this.logger.log('Seeded an empty database with the sample blog');
  }
}
