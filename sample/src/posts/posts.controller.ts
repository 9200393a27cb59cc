import { Controller, Get, Param, Render } from '@nestjs/common';
import { CommentsService } from '../comments/comments.service.js';
import { pageView } from '../common/page.view.js';
import { toPostPage, toPostSummary } from './post.view.js';
import { PostsService } from './posts.service.js';

/** The home page and the post pages, cached by the global page-cache interceptor. */
@Controller()
export class PostsController {
  constructor(
    private readonly posts: PostsService,
    private readonly comments: CommentsService,
  ) {}

  @Get()
  @Render('home')
  async home() {
    const posts = await this.posts.newest();
    return pageView('Latest posts', { posts: posts.map(toPostSummary) });
  }

  /** A post with its comments; at a former slug of the post, a 301 to its current URL. */
  @Get('posts/:slug')
  @Render('post')
  async show(@Param('slug') slug: string) {
    const post = await this.posts.findBySlug(slug);
    if (!post) throw await this.posts.movedOrMissing(slug);
    return pageView(post.title, { post: toPostPage(post, await this.comments.forPost(post)) });
  }
}
