import {
  BadRequestException,
  Controller,
  DefaultValuePipe,
  Get,
  NotFoundException,
  Param,
  ParseIntPipe,
  Query,
} from '@nestjs/common';
import { CommentsService } from '../comments/comments.service.js';
import { PostsService } from '../posts/posts.service.js';
import { toPostJson, toPostSummaryJson } from './post.json.js';
import { postJson, postsJson } from '../routes.js';

/** Posts per page of `GET /api/posts`. */
export const API_PAGE_SIZE = 5;

/** A read-only JSON API. Each `?page=N` is its own cache entry; all go together with `/api/posts`. */
@Controller('api/posts')
export class PostsApiController {
  constructor(
    private readonly posts: PostsService,
    private readonly comments: CommentsService,
  ) {}

  @Get()
  async list(@Query('page', new DefaultValuePipe(1), ParseIntPipe) page: number) {
    if (page < 1) throw new BadRequestException('"page" starts at 1');
    const { posts, total } = await this.posts.page(page, API_PAGE_SIZE);
    const pages = Math.max(1, Math.ceil(total / API_PAGE_SIZE));
    if (page > pages) throw new NotFoundException(`There are ${pages} page(s) of posts`);
    return {
      page,
      pages,
      total,
      links: {
        self: `${postsJson.path()}?page=${page}`,
        prev: page > 1 ? `${postsJson.path()}?page=${page - 1}` : null,
        next: page < pages ? `${postsJson.path()}?page=${page + 1}` : null,
      },
      posts: posts.map(toPostSummaryJson),
    };
  }

  /** A post and its comments; at a former slug of the post, a 301 to its current JSON. */
  @Get(':slug')
  async show(@Param('slug') slug: string) {
    const post = await this.posts.findBySlug(slug);
    if (!post) throw await this.posts.movedOrMissing(slug, (moved) => postJson.path(moved));
    return toPostJson(post, await this.comments.forPost(post));
  }
}
