import { Module } from '@nestjs/common';
import { CommentsModule } from '../comments/comments.module.js';
import { PostsModule } from '../posts/posts.module.js';
import { PostsApiController } from './posts-api.controller.js';

@Module({
  imports: [PostsModule, CommentsModule],
  controllers: [PostsApiController],
})
export class ApiModule {}
