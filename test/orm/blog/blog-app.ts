import { expect } from '@jest/globals';
import type { INestApplication, ModuleMetadata } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { MikroORM } from '@mikro-orm/core';
import { CachePageModule, CachePageService, type CachePageModuleOptions } from 'nestjs-cache-page';
import request from 'supertest';
import { CapturedLogs } from '../../support/captured-logs.js';
import { BlogController, RenderCounts } from './blog.controller.js';

/** One response, as the tests look at it. */
export interface Fetched {
  readonly status: number;
  readonly cache: string | undefined;
  readonly text: string;
}

/**
 * The blog served by a real Nest app (Express) with the page cache, reading through the given
 * MikroORM, which the module finds as the app's `MikroORM` provider.
 */
export class BlogApp {
  readonly counts = new RenderCounts();
  readonly logs = new CapturedLogs();
  private app!: INestApplication;

  /** The blog with `orm` provided as the app's `MikroORM`, and the module with `options`. */
  static start(
    orm: MikroORM,
    options: CachePageModuleOptions = {},
    configure?: (app: INestApplication) => void,
  ): Promise<BlogApp> {
    return BlogApp.create(
      {
        imports: [CachePageModule.forRoot(options)],
        controllers: [BlogController],
        providers: [{ provide: MikroORM, useValue: orm }],
      },
      configure,
    );
  }

  /** Any app of the tests: `metadata` plus the render counter its controllers use; `configure` runs before it listens. */
  static async create(
    metadata: ModuleMetadata,
    configure?: (app: INestApplication) => void,
  ): Promise<BlogApp> {
    const blog = new BlogApp();
    const moduleRef = await Test.createTestingModule({
      ...metadata,
      providers: [...(metadata.providers ?? []), { provide: RenderCounts, useValue: blog.counts }],
    })
      .setLogger(blog.logs)
      .compile();
    blog.app = moduleRef.createNestApplication({ logger: blog.logs });
    configure?.(blog.app);
    // Listening, so every request carries the same Host (supertest would bind a new port per request).
    await blog.app.listen(0, '127.0.0.1');
    return blog;
  }

  /** A provider of the app, e.g. a MikroORM it created. */
  resolve<T>(token: string | symbol | (abstract new (...args: never[]) => T)): T {
    return this.app.get(token as never, { strict: false }) as T;
  }

  /** The Nest app, for the testing helpers. */
  get nest(): INestApplication {
    return this.app;
  }

  get cachePage(): CachePageService {
    return this.app.get(CachePageService);
  }

  async get(path: string): Promise<Fetched> {
    const response = await request(this.app.getHttpServer()).get(path);
    return { status: response.status, cache: response.headers['x-cache'], text: response.text };
  }

  /** Requests each page until it is cached: the next request is a HIT that renders nothing. */
  async warm(paths: readonly string[]): Promise<void> {
    for (const path of paths) {
      const first = await this.get(path);
      expect({ path, status: first.status }).toEqual({ path, status: 200 });
      await this.expectCached([path]);
    }
  }

  /** Each page is still served from the cache: a HIT, and its handler did not run. */
  async expectCached(paths: readonly string[]): Promise<void> {
    for (const path of paths) {
      const before = this.counts.of(path);
      const response = await this.get(path);
      expect({ path, cache: response.cache, renders: this.counts.of(path) }).toEqual({
        path,
        cache: 'HIT',
        renders: before,
      });
    }
  }

  /**
   * The page was invalidated: a MISS that ran its handler again, showing `expected` (a text the
   * body must contain, or 404 for a page that no longer exists).
   */
  async expectFresh(path: string, expected?: string | 404): Promise<Fetched> {
    const before = this.counts.of(path);
    const response = await this.get(path);
    expect({ path, cache: response.cache, renders: this.counts.of(path) }).toEqual({
      path,
      cache: 'MISS',
      renders: before + 1,
    });
    if (expected === 404) expect({ path, status: response.status }).toEqual({ path, status: 404 });
    else if (expected !== undefined)
      expect({ path, text: response.text }).toEqual({ path, text: expect.stringContaining(expected) });
    return response;
  }

  async close(): Promise<void> {
    await this.app?.close();
  }
}
