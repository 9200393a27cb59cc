/*
 * The README's "Paths from routes", as a file that compiles: `npm run typecheck` checks it, and
 * test/unit/readme-examples.spec.ts checks that the README shows it as it is here. It is only
 * type-checked, never run.
 */
import { Controller, Get, Param } from '@nestjs/common';
import { CachePageService, pagePath, pageRoute } from 'nestjs-cache-page';

@Controller('posts')
class PostsController {
  @Get()
  list(): string {
    return 'the posts';
  }

  @Get(':slug')
  show(@Param('slug') slug: string): string {
    return slug;
  }
}

declare const cachePage: CachePageService;
declare const posts: Post[];

// #region readme
export const postPage = pageRoute(() => PostsController, 'show'); // module scope: checked at app.init()

export class Post {
  slug!: string;
  dependentPaths() {
    // under a global prefix and URI version 1: ['/api/v1/posts', '/api/v1/posts/c%23-tips']
    return [pagePath(PostsController, 'list'), postPage.path(this)]; // reads this.slug
  }
}

export const links = posts.map((post) => postPage.path(post)); // in a handler or a template: '/posts/hello'
await cachePage.invalidateRoute(PostsController, 'show', { slug: 'hello' }); // every version and path
// #endregion readme
