import { Controller, Get, Param, Render } from '@nestjs/common';
import { CachePage } from 'nestjs-cache-page';
import { longDate, pageView } from '../common/page.view.js';
import { excerpt } from '../posts/post.view.js';
import { TagsService } from './tags.service.js';
import { postPage } from '../routes.js';

@Controller('tags')
export class TagsController {
  constructor(private readonly tags: TagsService) {}

  /**
   * A tag's posts; at a former slug of the tag, a 301 to its current page. In automatic-dependencies
   * mode: no entity names this page in `dependentPaths()`; it is invalidated when what it read
   * changes (the tag, its posts, a post joining or leaving it, a former slug).
   */
  @Get(':slug')
  @Render('tag')
  @CachePage({ dependencies: 'auto' })
  async show(@Param('slug') slug: string) {
    const tag = await this.tags.findBySlug(slug);
    if (!tag) throw await this.tags.movedOrMissing(slug);
    const posts = tag.posts.getItems().map((post) => ({
      title: post.title,
      url: postPage.path(post),
      date: longDate(post.publishedAt),
      excerpt: excerpt(post.body),
    }));
    return pageView(`Posts tagged ${tag.name}`, { tag: { name: tag.name }, posts });
  }
}
