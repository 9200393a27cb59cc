import { expect } from '@jest/globals';
import type { AdapterName } from '../../sample/src/app.config.js';
import { startSample, type RunningSample } from '../../sample/src/demo/sample.process.js';
import { BlogReader } from './blog-reader.js';
import { SAMPLE_MAIN } from './sample-build.js';

/** One response, as the tests look at it. */
export interface Page {
  readonly path: string;
  readonly status: number;
  readonly cache: string | null;
  readonly contentType: string | null;
  readonly location: string | null;
  readonly text: string;
}

/** What a form post got back: its status, where it redirects, and the page it sent, if any. */
export interface Submitted {
  readonly status: number;
  readonly location: string | null;
  readonly contentType: string | null;
  readonly text: string;
}

/** The page with its comment form's CSRF token blanked out. */
const withoutToken = (html: string) => html.replace(/name="_csrf" value="[^"]*"/g, 'name="_csrf" value=""');

/** A line the app logged at WARN or ERROR level (Nest's console logger, without colours). */
const WARNING_LINE = /^\[Nest\] \d+ .*?\s(WARN|ERROR)\s.*$/gm;

/**
 * The sample blog as `npm start` runs it: `node sample/dist/main.js` in its own process (build it
 * first with `buildSampleIfStale()`), on a fresh in-memory SQLite database and the in-memory page
 * store, listening on a free port; driven over HTTP the way `npm run demo` drives it.
 */
export class BlogUnderTest {
  private commenter: BlogReader | undefined;

  private constructor(private readonly sample: RunningSample) {}

  /** The blog's address, `http://localhost:<port>`. */
  get url(): string {
    return this.sample.url;
  }

  static async start(adapter: AdapterName): Promise<BlogUnderTest> {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: '0',
      ADAPTER: adapter,
      DATABASE_URL: 'file::memory:',
      PUBLIC_URL: 'https://blog.example',
      NO_COLOR: '1',
    };
    delete env.REDIS_URL;
    return new BlogUnderTest(await startSample(env, { main: SAMPLE_MAIN }));
  }

  async get(path: string, headers?: Record<string, string>): Promise<Page> {
    const response = await fetch(this.url + path, { headers, redirect: 'manual' });
    return {
      path,
      status: response.status,
      cache: response.headers.get('x-cache'),
      contentType: response.headers.get('content-type'),
      location: response.headers.get('location'),
      text: await response.text(),
    };
  }

  /** A reader with a cookie jar, not signed in. */
  reader(): BlogReader {
    return new BlogReader(this.url);
  }

  /** A reader signed in as `name`. */
  signedIn(name: string): Promise<BlogReader> {
    return this.reader().signIn(name);
  }

  /**
   * Posts a comment form as a browser does: reads the form on `formPage` (the post page by
   * default) for its CSRF token, then posts `fields` to `path` with it, as one signed-in reader
   * of this blog (a guest's token from a miss is refused on Fastify: see sample.e2e-spec.ts).
   */
  async comment(path: string, fields: Record<string, string>, formPage?: string): Promise<Submitted> {
    this.commenter ??= await this.signedIn('Commenter');
    return this.commenter.comment(path, fields, formPage);
  }

  /** Submits a form like a browser does (without cookies), without following the redirect. */
  async submit(path: string, form: Record<string, string>): Promise<Submitted> {
    const response = await fetch(this.url + path, {
      method: 'POST',
      body: new URLSearchParams(form),
      redirect: 'manual',
    });
    return {
      status: response.status,
      location: response.headers.get('location'),
      contentType: response.headers.get('content-type'),
      text: await response.text(),
    };
  }

  /**
   * Requests each page twice: a MISS that renders it, then a HIT with the very same bytes, but
   * for the comment form's CSRF token (each request without cookies gets a token of its own).
   */
  async warm(paths: readonly string[]): Promise<Map<string, Page>> {
    const pages = new Map<string, Page>();
    for (const path of paths) {
      const first = await this.get(path);
      expect({ path, status: first.status, cache: first.cache }).toEqual({
        path,
        status: 200,
        cache: 'MISS',
      });
      const second = await this.get(path);
      expect({
        path,
        cache: second.cache,
        same: withoutToken(second.text) === withoutToken(first.text),
      }).toEqual({
        path,
        cache: 'HIT',
        same: true,
      });
      pages.set(path, first);
    }
    return pages;
  }

  /** Each page is still served from the cache. */
  async expectCached(paths: readonly string[]): Promise<void> {
    for (const path of paths) {
      const page = await this.get(path);
      expect({ path, status: page.status, cache: page.cache }).toEqual({ path, status: 200, cache: 'HIT' });
    }
  }

  /** The page was invalidated: rendered again (MISS), with `text` in it. */
  async expectFresh(path: string, text?: string): Promise<Page> {
    const page = await this.get(path);
    expect({ path, status: page.status, cache: page.cache }).toEqual({ path, status: 200, cache: 'MISS' });
    if (text !== undefined)
      expect({ path, contains: page.text.includes(text) }).toEqual({ path, contains: true });
    return page;
  }

  /** What the app logged at WARN or ERROR level so far. */
  warnings(): string[] {
    return this.sample.output().match(WARNING_LINE) ?? [];
  }

  /** No `dependentPaths()` failed or read something unloaded (which would invalidate every page). */
  expectNoCacheWarnings(): void {
    expect(this.warnings()).toEqual([]);
  }

  async close(): Promise<void> {
    await this.sample.stop();
  }
}
