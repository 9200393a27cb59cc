import { EntityManager, MikroORM } from '@mikro-orm/core';
import {
  Global,
  Module,
  RequestMethod,
  type DynamicModule,
  type MiddlewareConsumer,
  type NestModule,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { DatabaseConfig } from '../app.config.js';
import { BlogDatabaseInitializer } from './blog-database.initializer.js';
import { ormOptions } from './orm.options.js';
import { RequestContextMiddleware } from './request-context.middleware.js';

/**
 * MikroORM for the whole app: `MikroORM` and a request-scoped `EntityManager`, which is what the
 * page cache looks for to watch entity changes.
 *
 * This is what `MikroOrmModule.forRoot()` of `@mikro-orm/nestjs` does, written out: version 6
 * of that package is CommonJS and loads Nest 12's ESM-only packages with `require()`, which
 * Node 20.19+ runs but Jest (before Node 24.9) cannot, and the sample's e2e test boots this app
 * in Jest. With `@mikro-orm/nestjs` the page cache finds its `MikroORM` the same way.
 */
@Global()
@Module({})
export class DatabaseModule implements NestModule, OnApplicationShutdown {
  constructor(private readonly orm: MikroORM) {}

  static forRoot(database: DatabaseConfig): DynamicModule {
    return {
      module: DatabaseModule,
      providers: [
        { provide: MikroORM, useFactory: async () => MikroORM.init(await ormOptions(database)) },
        { provide: EntityManager, useFactory: (orm: MikroORM) => orm.em, inject: [MikroORM] },
        BlogDatabaseInitializer,
      ],
      exports: [MikroORM, EntityManager],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(RequestContextMiddleware).forRoutes({ path: '{*all}', method: RequestMethod.ALL });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.orm.close();
  }
}
