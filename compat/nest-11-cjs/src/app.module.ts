import { LibSqlDriver } from '@mikro-orm/libsql';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { CachePageModule } from 'nestjs-cache-page';
import { Post } from './posts/post.entity';
import { PostsModule } from './posts/posts.module';

@Module({
  imports: [
    MikroOrmModule.forRoot({
      driver: LibSqlDriver,
      dbName: process.env.DB_NAME ?? ':memory:',
      entities: [Post],
    }),
    CachePageModule.forRoot(),
    PostsModule,
  ],
})
export class AppModule {}
