/*
 * The finite worlds the checker draws from: slugs, tag names, title words. Keeping them small
 * makes writes collide with the pages that are read (a slug page shows "nothing" until an insert
 * takes its slug) and lets the declared model name every page a row can appear on.
 */

/** Article slugs: at most one article per slug (a unique column), so at most this many articles. */
export const SLUGS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel'] as const;

/** Tag names, all seeded; tags are never created or deleted. */
export const TAG_NAMES = ['news', 'tips', 'misc', 'deep'] as const;

/** Authors seeded (ids 1..AUTHOR_COUNT); authors are renamed but never created or deleted. */
export const AUTHOR_COUNT = 3;

/** Words titles are made of; the search pages look for fragments of them. */
export const TITLE_WORDS = [
  'banana',
  'cherry',
  'mango',
  'kiwi',
  'anchor',
  'river',
  'stone',
  'ocean',
] as const;

/** Fragments the search pages look for (`?q=`). */
export const SEARCH_TERMS = ['an', 'ri'] as const;

/** Article ids whose by-id page is read (ids past the seed appear as rows are inserted). */
export const ARTICLE_IDS = [1, 2, 3, 4, 5, 6, 7, 8] as const;

/** Every article date lies within this many days after 2024-01-01 (UTC), at whole minutes. */
export const DATE_SPAN_DAYS = 60;
