import {
  Body,
  Controller,
  Get,
  NotFoundException,
  Param,
  ParseIntPipe,
  Post,
  Redirect,
  Render,
} from '@nestjs/common';
import { AuthorsService } from '../authors/authors.service.js';
import { CommentsService } from '../comments/comments.service.js';
import { listField, optionalText, requiredText, type FormBody } from '../common/form-fields.js';
import { longDate, pageView } from '../common/page.view.js';
import { postUrl } from '../posts/post.view.js';
import { PostsService } from '../posts/posts.service.js';
import { TagsService } from '../tags/tags.service.js';

/**
 * The editors' area. Never cached: `/admin` and everything under it is in the page cache's
 * `ignorePaths` (see `BlogCacheModule`). Every form posts here and is redirected (303) back.
 */
@Controller('admin')
export class AdminController {
  constructor(
    private readonly posts: PostsService,
    private readonly tags: TagsService,
    private readonly authors: AuthorsService,
    private readonly comments: CommentsService,
  ) {}

  @Get()
  @Render('admin')
  async dashboard() {
    const [posts, tags, authors, comments] = await Promise.all([
      this.posts.newest(),
      this.tags.all(),
      this.authors.all(),
      this.comments.latest(20),
    ]);
    return pageView('Admin', {
      posts: posts.map((post) => ({
        title: post.title,
        slug: post.slug,
        url: postUrl(post),
        date: longDate(post.publishedAt),
      })),
      tags: tags.map((tag) => ({ name: tag.name, slug: tag.slug, count: tag.posts.count() })),
      authors: authors.map((author) => ({ name: author.name, slug: author.slug })),
      comments: comments.map((comment) => ({
        id: comment.id,
        authorName: comment.authorName,
        body: comment.body,
        post: { title: comment.post.title, url: postUrl(comment.post) },
      })),
    });
  }

  @Get('posts/:slug')
  @Render('admin-post')
  async editForm(@Param('slug') slug: string) {
    const post = await this.posts.findBySlug(slug);
    if (!post) throw new NotFoundException(`No post "${slug}"`);
    return pageView(`Edit “${post.title}”`, {
      post: {
        title: post.title,
        slug: post.slug,
        body: post.body,
        tags: post.tags
          .getItems()
          .map((tag) => tag.name)
          .join(', '),
      },
    });
  }

  @Post('posts')
  @Redirect()
  async create(@Body() body: FormBody) {
    const post = await this.posts.create({
      title: requiredText(body, 'title', 200),
      slug: optionalText(body, 'slug', 200),
      body: requiredText(body, 'body', 50_000),
      authorSlug: requiredText(body, 'author', 200),
      tags: listField(body, 'tags'),
    });
    return { url: postUrl(post), statusCode: 303 };
  }

  @Post('posts/:slug')
  @Redirect()
  async update(@Param('slug') slug: string, @Body() body: FormBody) {
    const post = await this.posts.update(slug, {
      title: optionalText(body, 'title', 200),
      slug: optionalText(body, 'slug', 200),
      body: optionalText(body, 'body', 50_000),
      tags: body?.tags === undefined ? undefined : listField(body, 'tags'),
    });
    return { url: postUrl(post), statusCode: 303 };
  }

  @Post('tags/:slug')
  @Redirect()
  async renameTag(@Param('slug') slug: string, @Body() body: FormBody) {
    const tag = await this.tags.rename(slug, requiredText(body, 'name', 60));
    return { url: `/tags/${tag.slug}`, statusCode: 303 };
  }

  @Post('comments/:id/delete')
  @Redirect()
  async deleteComment(@Param('id', ParseIntPipe) id: number) {
    await this.comments.remove(id);
    return { url: '/admin', statusCode: 303 };
  }
}
