import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { Post } from './post.entity.js';
import { PostsController } from './posts.controller.js';

@Module({
  imports: [MikroOrmModule.forFeature([Post])],
  controllers: [PostsController],
})
export class PostsModule {}
