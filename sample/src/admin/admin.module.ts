import { Module } from '@nestjs/common';
import { AuthorsModule } from '../authors/authors.module.js';
import { CommentsModule } from '../comments/comments.module.js';
import { PostsModule } from '../posts/posts.module.js';
import { TagsModule } from '../tags/tags.module.js';
import { AdminController } from './admin.controller.js';

@Module({
  imports: [PostsModule, TagsModule, AuthorsModule, CommentsModule],
  controllers: [AdminController],
})
export class AdminModule {}
