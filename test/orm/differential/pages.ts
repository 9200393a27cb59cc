import { ARTICLE_IDS, AUTHOR_COUNT, SEARCH_TERMS, SLUGS, TAG_NAMES } from './pools.js';

const authorIds = Array.from({ length: AUTHOR_COUNT }, (_, index) => index + 1);

/** Pages that list articles (or comments) whatever row changed. */
export const LIST_PAGES = [
  '/',
  '/page/2',
  '/count',
  '/all',
  '/qb',
  '/raw',
  '/comments/latest',
  '/comments/count',
] as const;

/** The page of an article found by slug (also for slugs no article has yet). */
export const articlePage = (slug: string) => `/articles/${slug}`;
/** An article's comments, loaded through its collection. */
export const commentsPage = (slug: string) => `/articles/${slug}/comments`;
/** An article's author, loaded through a reference. */
export const bylinePage = (slug: string) => `/articles/${slug}/author`;
export const articleByIdPage = (id: number) => `/articles/by-id/${id}`;
export const authorPage = (id: number) => `/authors/${id}`;
/** An author loaded twice, the second time from the identity map. */
export const profilePage = (id: number) => `/authors/${id}/profile`;
export const tagPage = (name: string) => `/tags/${name}`;
export const SEARCH_PATH = '/search';

/** Every URL the checker reads after each write, on both apps. */
export const EVERY_PAGE: readonly string[] = [
  ...LIST_PAGES,
  ...SEARCH_TERMS.map((term) => `${SEARCH_PATH}?q=${term}`),
  ...SLUGS.map(articlePage),
  // Half the slugs for the lazy-load pages: slugs move between articles, so these still see them all.
  ...SLUGS.slice(0, 4).map(commentsPage),
  ...SLUGS.slice(0, 4).map(bylinePage),
  ...ARTICLE_IDS.map(articleByIdPage),
  ...authorIds.map(authorPage),
  ...authorIds.map(profilePage),
  ...TAG_NAMES.map(tagPage),
];
