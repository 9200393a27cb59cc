import type { Page, Submitted } from './blog-under-test.js';

/** The comment form's token on a page: the value the `csrf-token` fragment filled in. */
export const csrfTokenOf = (html: string): string | undefined =>
  /name="_csrf" value="([^"]*)"/.exec(html)?.[1];

/**
 * A reader of the sample with a browser's cookie jar: each of its requests sends the cookies the
 * blog set for it (its session), so it can sign in and post the comment form with its own token.
 */
export class BlogReader {
  private readonly cookies = new Map<string, string>();

  constructor(private readonly url: string) {}

  /** The `Cookie` header this reader sends (empty before the blog set one). */
  get cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  async get(path: string): Promise<Page> {
    const response = await this.send(path);
    return {
      path,
      status: response.status,
      cache: response.headers.get('x-cache'),
      contentType: response.headers.get('content-type'),
      location: response.headers.get('location'),
      text: await response.text(),
    };
  }

  /** Submits a form like a browser does, without following the redirect. */
  async submit(path: string, form: Record<string, string>): Promise<Submitted> {
    const response = await this.send(path, form);
    return {
      status: response.status,
      location: response.headers.get('location'),
      contentType: response.headers.get('content-type'),
      text: await response.text(),
    };
  }

  /** Signs in as `name` through the sign-in form. */
  async signIn(name: string): Promise<this> {
    const signedIn = await this.submit('/login', { name });
    if (signedIn.status !== 303) throw new Error(`signing in as ${name} answered ${signedIn.status}`);
    return this;
  }

  /**
   * Reads the comment form on `formPage` (by default the post page of `path`) and posts `fields`
   * to `path` with the token that form carries for this reader.
   */
  async comment(
    path: string,
    fields: Record<string, string>,
    formPage = postPageOf(path),
  ): Promise<Submitted> {
    const page = await this.get(formPage);
    const token = csrfTokenOf(page.text);
    if (page.status !== 200 || !token)
      throw new Error(`${formPage} (${page.status}) has no comment form with a token`);
    return this.submit(path, { _csrf: token, ...fields });
  }

  private async send(path: string, form?: Record<string, string>): Promise<Response> {
    const headers: Record<string, string> = {};
    if (this.cookies.size > 0) headers.cookie = this.cookieHeader;
    const response = await fetch(this.url + path, {
      method: form ? 'POST' : 'GET',
      body: form ? new URLSearchParams(form) : undefined,
      headers,
      redirect: 'manual',
    });
    for (const setCookie of response.headers.getSetCookie()) {
      const [pair = ''] = setCookie.split(';');
      const equals = pair.indexOf('=');
      if (equals > 0) this.cookies.set(pair.slice(0, equals).trim(), pair.slice(equals + 1).trim());
    }
    return response;
  }
}

/** `/posts/x/comments` → `/posts/x`. */
function postPageOf(path: string): string {
  return path.replace(/\/comments\/?$/, '');
}
