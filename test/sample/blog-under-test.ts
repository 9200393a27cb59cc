import { expect } from '@jest/globals';
import type { INestApplication, LoggerService } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import type { AdapterName, AppConfig } from '../../sample/src/app.config.js';
import { createBlogApp } from '../../sample/src/app.factory.js';

/** One response, as the tests look at it. */
export interface Page {
  readonly path: string;
  readonly status: number;
  readonly cache: string | null;
  readonly contentType: string | null;
  readonly text: string;
}

/** Keeps the app's warnings and errors, so a test can check the cache never fell back to "every page". */
class WarningLog implements LoggerService {
  readonly lines: string[] = [];
  log(): void {}
  debug(): void {}
  verbose(): void {}
  warn = (message: unknown, ...rest: unknown[]) =>
    this.lines.push(['warn', message, ...rest].map(String).join(' '));
  error = (message: unknown, ...rest: unknown[]) =>
    this.lines.push(['error', message, ...rest].map(String).join(' '));
  fatal = this.error;
}

/**
 * The sample blog, booted from its own factory (AppModule, views, adapter) on an in-memory
 * SQLite database and the in-memory page store, listening on a free port; driven over HTTP the
 * way `npm run demo` drives it.
 */
export class BlogUnderTest {
  readonly warnings = new WarningLog();
  private app!: INestApplication;
  private base!: string;

  static async start(adapter: AdapterName): Promise<BlogUnderTest> {
    const blog = new BlogUnderTest();
    const config: AppConfig = {
      port: 0,
      adapter,
      database: { kind: 'sqlite', file: ':memory:' },
      publicUrl: 'https://blog.example',
    };
    blog.app = await createBlogApp(config, { logger: blog.warnings });
    await blog.app.listen(0, '127.0.0.1');
    blog.base = `http://127.0.0.1:${(blog.app.getHttpServer().address() as AddressInfo).port}`;
    return blog;
  }

  async get(path: string): Promise<Page> {
    const response = await fetch(this.base + path);
    return {
      path,
      status: response.status,
      cache: response.headers.get('x-cache'),
      contentType: response.headers.get('content-type'),
      text: await response.text(),
    };
  }

  /** Submits a form like a browser does; returns the status and where it redirects. */
  async submit(
    path: string,
    form: Record<string, string>,
  ): Promise<{ status: number; location: string | null }> {
    const response = await fetch(this.base + path, {
      method: 'POST',
      body: new URLSearchParams(form),
      redirect: 'manual',
    });
    await response.arrayBuffer();
    return { status: response.status, location: response.headers.get('location') };
  }

  /** Requests each page twice: a MISS that renders it, then a HIT with the very same bytes. */
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
      expect({ path, cache: second.cache, same: second.text === first.text }).toEqual({
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

  /** The page was invalidated: rendered again (MISS), with `text` in it (a 404 is never cached). */
  async expectFresh(path: string, text?: string): Promise<Page> {
    const page = await this.get(path);
    expect({ path, status: page.status, cache: page.cache }).toEqual({ path, status: 200, cache: 'MISS' });
    if (text !== undefined)
      expect({ path, contains: page.text.includes(text) }).toEqual({ path, contains: true });
    return page;
  }

  /** No `dependentPaths()` failed or read something unloaded (which would invalidate every page). */
  expectNoCacheWarnings(): void {
    expect(this.warnings.lines).toEqual([]);
  }

  async close(): Promise<void> {
    await this.app?.close();
  }
}
