import type { Comment } from '../comments/comment.entity.js';
import { longDate, longDateTime, type DateView } from '../common/page.view.js';
import { paragraphs } from '../common/paragraphs.js';
import type { Post } from './post.entity.js';
import { authorPage, postPage, tagPage } from '../routes.js';

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

/** A comment under a post: its text as paragraphs of lines, which the template escapes. */
export interface CommentView {
  readonly id: number;
  readonly authorName: string;
  readonly date: DateView;
  readonly paragraphs: string[][];
}

/** A post's own page. */
export interface PostPageView extends PostSummaryView {
  readonly paragraphs: string[][];
  readonly comments: CommentView[];
}

/** The list entry of a post; its author and tags must be loaded. */
export function toPostSummary(post: Post): PostSummaryView {
  return {
    slug: post.slug,
    title: post.title,
    url: postPage.path(post),
    date: longDate(post.publishedAt),
    author: { name: post.author.name, url: authorPage.path(post.author) },
    tags: post.tags.getItems().map((tag) => ({ name: tag.name, url: tagPage.path(tag) })),
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
      date: { iso: comment.createdAt.toISOString(), text: longDateTime(comment.createdAt) },
      paragraphs: paragraphs(comment.body),
    })),
  };
}

/** The first paragraph on one line, cut at about 160 characters. */
export function excerpt(body: string): string {
  const first = (paragraphs(body)[0] ?? []).join(' ');
  if (first.length <= 160) return first;
  const cut = first.lastIndexOf(' ', 157);
  return `${first.slice(0, cut > 0 ? cut : 157)}…`;
}
