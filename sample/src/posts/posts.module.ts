import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { Author } from '../authors/author.entity.js';
import { CommentsModule } from '../comments/comments.module.js';
import { TagsModule } from '../tags/tags.module.js';
import { FormerPostSlug } from './former-post-slug.entity.js';
import { Post } from './post.entity.js';
import { PostsController } from './posts.controller.js';
import { PostsService } from './posts.service.js';

@Module({
  imports: [MikroOrmModule.forFeature([Post, FormerPostSlug, Author]), TagsModule, CommentsModule],
  controllers: [PostsController],
  providers: [PostsService],
  exports: [PostsService],
})
export class PostsModule {}
