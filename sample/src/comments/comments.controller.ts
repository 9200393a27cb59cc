import { Body, Controller, Param, Post, Redirect } from '@nestjs/common';
import { requiredText, type FormBody, type TextField } from '../common/form-fields.js';
import { CommentsService } from './comments.service.js';
import { postPage } from '../routes.js';

const AUTHOR_NAME: TextField = { name: 'authorName', label: 'Name', max: 80 };
const BODY: TextField = { name: 'body', label: 'Comment', max: 2_000 };

/** The comment form at the bottom of a post page. */
@Controller('posts/:slug/comments')
export class CommentsController {
  constructor(private readonly comments: CommentsService) {}

  /** Saves the comment and sends the reader back to the post (303: the browser follows with a GET). */
  @Post()
  @Redirect()
  async add(@Param('slug') slug: string, @Body() body: FormBody) {
    const comment = await this.comments.add(slug, {
      authorName: requiredText(body, AUTHOR_NAME),
      body: requiredText(body, BODY),
    });
    return { url: `${postPage.path(comment.post)}#comment-${comment.id}`, statusCode: 303 };
  }
}
