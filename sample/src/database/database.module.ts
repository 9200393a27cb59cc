import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module, type DynamicModule } from '@nestjs/common';
import type { DatabaseConfig } from '../app.config.js';
import { BlogDatabaseInitializer } from './blog-database.initializer.js';
import { ormOptions } from './orm.options.js';

/**
 * MikroORM for the whole app, wired by `@mikro-orm/nestjs` as in any Nest app: `forRootAsync()`
 * provides `MikroORM` and `EntityManager` globally and gives each request its own context; the
 * resource modules ask for their repositories with `MikroOrmModule.forFeature()`. The page cache
 * finds this `MikroORM` by itself and watches its entity changes.
 */
@Module({})
export class DatabaseModule {
  static forRoot(database: DatabaseConfig): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [MikroOrmModule.forRootAsync({ useFactory: () => ormOptions(database) })],
      providers: [BlogDatabaseInitializer],
    };
  }
}
