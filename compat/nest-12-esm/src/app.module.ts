import { ReflectMetadataProvider } from '@mikro-orm/decorators/legacy';
import { LibSqlDriver } from '@mikro-orm/libsql';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { CachePageModule } from 'nestjs-cache-page';
import { Post } from './posts/post.entity.js';
import { PostsModule } from './posts/posts.module.js';

@Module({
  imports: [
    MikroOrmModule.forRoot({
      driver: LibSqlDriver,
      dbName: process.env.DB_NAME ?? ':memory:',
      entities: [Post],
      // The legacy decorators read property types from TypeScript's emitDecoratorMetadata.
      metadataProvider: ReflectMetadataProvider,
    }),
    CachePageModule.forRoot(),
    PostsModule,
  ],
})
export class AppModule {}
