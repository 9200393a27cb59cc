import { pageRoute } from 'nestjs-cache-page';

/*
 * Every page of the blog that a link or a dependentPaths() names, as a pageRoute() handle. Paths
 * are built from the routes (`postPage.path(post)` → `/posts/<slug>`, encoded), so renaming a
 * route, adding a global prefix or a version changes the links and the invalidated paths with it.
 * Each handle is checked when the app starts: one whose handler was renamed or is no GET route
 * any more makes app.init() fail, naming it.
 *
 * The controllers are loaded, not imported: the entities use these handles, and a static import
 * would close the circle entity → controller → service → entity, which fails at load time (Nest's
 * and MikroORM's decorators read those classes as each file runs). The loading happens while the
 * app initialises, so the handles are ready before the first request and the first flush.
 */
export const homePage = pageRoute(
  async () => (await import('./posts/posts.controller.js')).PostsController,
  'home',
);
export const postPage = pageRoute(
  async () => (await import('./posts/posts.controller.js')).PostsController,
  'show',
);
export const tagPage = pageRoute(
  async () => (await import('./tags/tags.controller.js')).TagsController,
  'show',
);
export const authorPage = pageRoute(
  async () => (await import('./authors/authors.controller.js')).AuthorsController,
  'show',
);
export const feedPage = pageRoute(
  async () => (await import('./feed/feed.controller.js')).FeedController,
  'rss',
);
export const postsJson = pageRoute(
  async () => (await import('./api/posts-api.controller.js')).PostsApiController,
  'list',
);
export const postJson = pageRoute(
  async () => (await import('./api/posts-api.controller.js')).PostsApiController,
  'show',
);
export const faviconPage = pageRoute(
  async () => (await import('./site/favicon.controller.js')).FaviconController,
  'icon',
);
export const adminPage = pageRoute(
  async () => (await import('./admin/admin.controller.js')).AdminController,
  'dashboard',
);
export const adminPostPage = pageRoute(
  async () => (await import('./admin/admin.controller.js')).AdminController,
  'editForm',
);
export const signInPage = pageRoute(
  async () => (await import('./sign-in/sign-in.controller.js')).SignInController,
  'form',
);
