import { uncachedPageView, type PageView } from '../common/page.view.js';
import { adminPage, adminPostPage, homePage, postPage } from '../routes.js';

/** A link on an error page. */
export interface LinkView {
  readonly url: string;
  readonly text: string;
}

/** What `views/error.hbs` shows. */
export interface ErrorPageView extends PageView {
  readonly status: number;
  readonly message: string;
  /** A page about the problem (the tag that has the name already), if any. */
  readonly see?: LinkView;
  /** Where to go from here: back to the form, or home. */
  readonly back: LinkView;
  /** For a form: `history.back()` returns to it with what the reader typed. */
  readonly isForm: boolean;
}

/** What went wrong, as a reader would put it. */
const HEADINGS: Record<number, string> = {
  400: 'Please check the form',
  403: 'That form cannot be sent',
  404: 'Page not found',
  409: 'That cannot be saved',
  500: 'Something went wrong',
};

/** The request an error page answers. */
export interface FailedRequest {
  readonly method: string;
  readonly path: string;
}

/**
 * The error page for `status` and `message`. A failed form post links back to its form page
 * (the post of a comment form, the admin page of an admin form); anything else links home.
 */
export function errorPageView(
  request: FailedRequest,
  status: number,
  message: string,
  see?: LinkView,
): ErrorPageView {
  const isForm = request.method === 'POST';
  return uncachedPageView(HEADINGS[status] ?? `Error ${status}`, 'Error pages are never cached.', {
    status,
    message,
    see,
    isForm,
    back: isForm ? formPageOf(request.path) : homeOf(request.path),
    // The page cache fills no fragment in a page an exception filter renders (no such route, a
    // refused CSRF token, an exception of a handler): its marker would reach the reader.
    greeting: false,
  });
}

/** The form a failed POST came from, read from its path; the link is built from the route. */
function formPageOf(path: string): LinkView {
  const comment = /^\/posts\/([^/]+)\/comments\/?$/.exec(path);
  if (comment) return { url: postPage.path({ slug: decoded(comment[1]!) }), text: 'Back to the post' };
  const edit = /^\/admin\/posts\/([^/]+)\/?$/.exec(path);
  if (edit) return { url: adminPostPage.path({ slug: decoded(edit[1]!) }), text: 'Back to the form' };
  return { url: adminPage.path(), text: 'Back to admin' };
}

function homeOf(path: string): LinkView {
  return /^\/admin(\/|$)/.test(path)
    ? { url: adminPage.path(), text: 'Back to admin' }
    : { url: homePage.path(), text: 'To the latest posts' };
}

/** A path segment as the router gives it to the handler. */
function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
