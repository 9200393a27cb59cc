import { Body, Controller, Get, Param, ParseIntPipe, Post, Redirect, Render } from '@nestjs/common';
import { AuthorsService } from '../authors/authors.service.js';
import { CommentsService } from '../comments/comments.service.js';
import {
  listField,
  optionalText,
  requiredText,
  type FormBody,
  type TextField,
} from '../common/form-fields.js';
import { longDate, uncachedPageView } from '../common/page.view.js';
import { excerpt } from '../posts/post.view.js';
import { PostsService } from '../posts/posts.service.js';
import { TagsService } from '../tags/tags.service.js';
import { adminPage, adminPostPage, postPage, tagPage } from '../routes.js';

const TITLE: TextField = { name: 'title', label: 'Title', max: 200 };
const SLUG: TextField = { name: 'slug', label: 'Slug', max: 200 };
const BODY: TextField = { name: 'body', label: 'Body', max: 50_000 };
const AUTHOR: TextField = { name: 'author', label: 'Author', max: 200 };
const TAG_NAME: TextField = { name: 'name', label: 'Tag name', max: 60 };

/** What the footer of every admin page says. */
const NEVER_CACHED = 'The admin area is never cached: every visit renders it anew.';

/**
 * The editors' area. Never cached: `/admin` and everything under it is in the page cache's
 * default `ignorePaths` (see `BlogCacheModule`). Every form posts here and is redirected (303)
 * to the page it changed; a form that cannot be saved gets an error page (400, 404 or 409).
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
    return uncachedPageView('Admin', NEVER_CACHED, {
      posts: posts.map((post) => ({
        title: post.title,
        slug: post.slug,
        url: postPage.path(post),
        editUrl: adminPostPage.path(post),
        date: longDate(post.publishedAt),
      })),
      tags: tags.map((tag) => ({
        name: tag.name,
        slug: tag.slug,
        url: tagPage.path(tag),
        count: tag.posts.count(),
      })),
      authors: authors.map((author) => ({ name: author.name, slug: author.slug })),
      comments: comments.map((comment) => ({
        id: comment.id,
        authorName: comment.authorName,
        excerpt: excerpt(comment.body),
        post: { title: comment.post.title, url: postPage.path(comment.post) },
      })),
    });
  }

  /** The edit form; at a former slug of the post, a 301 to its current form. */
  @Get('posts/:slug')
  @Render('admin-post')
  async editForm(@Param('slug') slug: string) {
    const post = await this.posts.findBySlug(slug);
    if (!post) throw await this.posts.movedOrMissing(slug, (moved) => adminPostPage.path(moved));
    return uncachedPageView(`Edit “${post.title}”`, NEVER_CACHED, {
      post: {
        title: post.title,
        slug: post.slug,
        url: postPage.path(post),
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
      title: requiredText(body, TITLE),
      slug: optionalText(body, SLUG),
      body: requiredText(body, BODY),
      authorSlug: requiredText(body, AUTHOR),
      tags: listField(body, 'tags'),
    });
    return { url: postPage.path(post), statusCode: 303 };
  }

  @Post('posts/:slug')
  @Redirect()
  async update(@Param('slug') slug: string, @Body() body: FormBody) {
    const post = await this.posts.update(slug, {
      title: optionalText(body, TITLE),
      slug: optionalText(body, SLUG),
      body: optionalText(body, BODY),
      tags: body?.tags === undefined ? undefined : listField(body, 'tags'),
    });
    return { url: postPage.path(post), statusCode: 303 };
  }

  @Post('tags/:slug')
  @Redirect()
  async renameTag(@Param('slug') slug: string, @Body() body: FormBody) {
    const tag = await this.tags.rename(slug, requiredText(body, TAG_NAME));
    return { url: tagPage.path(tag), statusCode: 303 };
  }

  @Post('comments/:id/delete')
  @Redirect()
  async deleteComment(@Param('id', ParseIntPipe) id: number) {
    await this.comments.remove(id);
    return { url: adminPage.path(), statusCode: 303 };
  }
}
