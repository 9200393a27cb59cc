import { Module } from '@nestjs/common';
import { CommentsModule } from '../comments/comments.module.js';
import { TagsModule } from '../tags/tags.module.js';
import { PostsController } from './posts.controller.js';
import { PostsService } from './posts.service.js';

@Module({
  imports: [TagsModule, CommentsModule],
  controllers: [PostsController],
  providers: [PostsService],
  exports: [PostsService],
})
export class PostsModule {}
