import { Controller, Get, Header, Inject } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../app.config.js';
import { excerpt } from '../posts/post.view.js';
import { PostsService } from '../posts/posts.service.js';
import { buildRss } from './rss.builder.js';
import { postPage } from '../routes.js';

@Controller()
export class FeedController {
  constructor(
    private readonly posts: PostsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The 20 newest posts as RSS 2.0, with absolute links built from `PUBLIC_URL`. */
  @Get('feed.xml')
  @Header('Content-Type', 'application/rss+xml; charset=utf-8')
  async rss(): Promise<string> {
    const base = this.config.publicUrl;
    const posts = (await this.posts.newest()).slice(0, 20);
    return buildRss(
      {
        title: 'The Cached Blog',
        link: `${base}/`,
        description: 'A NestJS blog whose pages are cached until they change.',
      },
      posts.map((post) => ({
        title: post.title,
        link: `${base}${postPage.path(post)}`,
        publishedAt: post.publishedAt,
        author: post.author.name,
        categories: post.tags.getItems().map((tag) => tag.name),
        description: excerpt(post.body),
      })),
    );
  }
}
