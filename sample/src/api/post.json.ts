import type { Comment } from '../comments/comment.entity.js';
import type { Post } from '../posts/post.entity.js';
import { postPage } from '../routes.js';

/** A post in `GET /api/posts`. */
export interface PostSummaryJson {
  readonly slug: string;
  readonly title: string;
  readonly url: string;
  readonly publishedAt: string;
  readonly author: { readonly slug: string; readonly name: string };
  readonly tags: Array<{ readonly slug: string; readonly name: string }>;
}

/** `GET /api/posts/:slug`. */
export interface PostJson extends PostSummaryJson {
  readonly body: string;
  readonly comments: Array<{
    readonly id: number;
    readonly authorName: string;
    readonly body: string;
    readonly createdAt: string;
  }>;
}

export function toPostSummaryJson(post: Post): PostSummaryJson {
  return {
    slug: post.slug,
    title: post.title,
    url: postPage.path(post),
    publishedAt: post.publishedAt.toISOString(),
    author: { slug: post.author.slug, name: post.author.name },
    tags: post.tags.getItems().map((tag) => ({ slug: tag.slug, name: tag.name })),
  };
}

export function toPostJson(post: Post, comments: readonly Comment[]): PostJson {
  return {
    ...toPostSummaryJson(post),
    body: post.body,
    comments: comments.map((comment) => ({
      id: comment.id,
      authorName: comment.authorName,
      body: comment.body,
      createdAt: comment.createdAt.toISOString(),
    })),
  };
}
