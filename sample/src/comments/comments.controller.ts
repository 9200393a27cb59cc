import { Body, Controller, Param, Post, Redirect } from '@nestjs/common';
import { requiredText, type FormBody } from '../common/form-fields.js';
import { CommentsService } from './comments.service.js';

/** The comment form at the bottom of a post page. */
@Controller('posts/:slug/comments')
export class CommentsController {
  constructor(private readonly comments: CommentsService) {}

  /** Saves the comment and sends the reader back to the post (303: the browser follows with a GET). */
  @Post()
  @Redirect()
  async add(@Param('slug') slug: string, @Body() body: FormBody) {
    const comment = await this.comments.add(slug, {
      authorName: requiredText(body, 'authorName', 80),
      body: requiredText(body, 'body', 2_000),
    });
    return { url: `/posts/${slug}#comment-${comment.id}`, statusCode: 303 };
  }
}
