import { HttpException, HttpStatus } from '@nestjs/common';

/**
 * Thrown by a page whose address changed (a renamed tag, a post with a new slug): the site
 * answers `301 Moved Permanently` to `location`. Thrown rather than returned, because a
 * `@Render()` route cannot also redirect.
 */
export class PageMovedException extends HttpException {
  constructor(readonly location: string) {
    super(`Moved to ${location}`, HttpStatus.MOVED_PERMANENTLY);
  }
}
