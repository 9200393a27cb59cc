import type { Comment } from '../comments/comment.entity.js';
import { longDate } from '../common/page.view.js';
import type { Post } from './post.entity.js';

/** A name and where it links to. */
export interface LinkView {
  readonly name: string;
  readonly url: string;
}

/** A post in a list: the home page, a tag's page, an author's page. */
export interface PostSummaryView {
  readonly slug: string;
  readonly title: string;
  readonly url: string;
  readonly date: string;
  readonly author: LinkView;
  readonly tags: LinkView[];
  readonly excerpt: string;
}

export interface CommentView {
  readonly id: number;
  readonly authorName: string;
  readonly date: string;
  readonly body: string;
}

/** A post's own page. */
export interface PostPageView extends PostSummaryView {
  readonly paragraphs: string[];
  readonly comments: CommentView[];
}

export const postUrl = (post: Pick<Post, 'slug'>): string => `/posts/${post.slug}`;

/** The list entry of a post; its author and tags must be loaded. */
export function toPostSummary(post: Post): PostSummaryView {
  return {
    slug: post.slug,
    title: post.title,
    url: postUrl(post),
    date: longDate(post.publishedAt),
    author: { name: post.author.name, url: `/authors/${post.author.slug}` },
    tags: post.tags.getItems().map((tag) => ({ name: tag.name, url: `/tags/${tag.slug}` })),
    excerpt: excerpt(post.body),
  };
}

export function toPostPage(post: Post, comments: readonly Comment[]): PostPageView {
  return {
    ...toPostSummary(post),
    paragraphs: paragraphs(post.body),
    comments: comments.map((comment) => ({
      id: comment.id,
      authorName: comment.authorName,
      date: longDate(comment.createdAt),
      body: comment.body,
    })),
  };
}

/** The first paragraph, cut at about 160 characters. */
export function excerpt(body: string): string {
  const first = paragraphs(body)[0] ?? '';
  return first.length <= 160 ? first : `${first.slice(0, first.lastIndexOf(' ', 157))}…`;
}

function paragraphs(body: string): string[] {
  return body
    .split(/\n\s*\n/)
    .map((paragraph) => paragraph.trim())
    .filter((paragraph) => paragraph !== '');
}
