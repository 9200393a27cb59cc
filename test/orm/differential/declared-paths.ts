import type { DeclaredPaths } from './entities.js';
import {
  LIST_PAGES,
  SEARCH_PATH,
  articleByIdPage,
  articlePage,
  authorPage,
  bylinePage,
  commentsPage,
  profilePage,
  tagPage,
} from './pages.js';
import { SLUGS, TAG_NAMES } from './pools.js';

const everyArticlePage = SLUGS.map(articlePage);
const everyCommentsPage = SLUGS.map(commentsPage);
const everyBylinePage = SLUGS.map(bylinePage);
const everyTagPage = TAG_NAMES.map(tagPage);

/*
 * Hand-written dependentPaths() for the checker's pages, as a careful developer would write them
 * for this model: each row names every page that can show it, reading only its own columns and
 * the keys of its to-one references (so nothing unloaded). Where a row does not know which pages
 * show it (a comment does not know its article's slug), it names all of them: the pools are small.
 */
const ALL: DeclaredPaths = {
  article: (article) => [
    ...LIST_PAGES,
    SEARCH_PATH,
    articlePage(article.slug),
    commentsPage(article.slug),
    bylinePage(article.slug),
    articleByIdPage(article.id),
    authorPage(article.author.id),
    profilePage(article.author.id),
    ...everyTagPage,
  ],
  author: (author) => [
    '/',
    '/raw',
    authorPage(author.id),
    profilePage(author.id),
    ...everyArticlePage,
    ...everyCommentsPage,
    ...everyBylinePage,
  ],
  tag: (tag) => [tagPage(tag.name), ...everyArticlePage],
  comment: () => ['/comments/latest', '/comments/count', ...everyArticlePage, ...everyCommentsPage],
};

/**
 * The declared paths of the checker's model; `omit` drops one path wherever it appears (the
 * forgotten path the checker must find).
 */
export function declaredPaths(omit?: string): DeclaredPaths {
  const without =
    <T>(paths: (row: T) => Iterable<string>) =>
    (row: T) =>
      [...paths(row)].filter((path) => path !== omit);
  return {
    article: without(ALL.article),
    author: without(ALL.author),
    tag: without(ALL.tag),
    comment: without(ALL.comment),
  };
}
