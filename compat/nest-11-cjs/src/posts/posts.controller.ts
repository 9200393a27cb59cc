import { EntityRepository } from '@mikro-orm/core';
import { InjectRepository } from '@mikro-orm/nestjs';
import { Controller, Get, Param, ParseIntPipe } from '@nestjs/common';
import { Post } from './post.entity';

@Controller('posts')
export class PostsController {
  /** How many times each handler really ran: a cache hit does not run it. */
  readonly calls = new Map<string, number>();

  constructor(@InjectRepository(Post) private readonly posts: EntityRepository<Post>) {}

  @Get(':id')
  async show(@Param('id', ParseIntPipe) id: number): Promise<{ title: string }> {
    this.count(`/posts/${id}`);
    const post = await this.posts.findOneOrFail(id);
    return { title: post.title };
  }

  private count(page: string): void {
    this.calls.set(page, (this.calls.get(page) ?? 0) + 1);
  }
}
