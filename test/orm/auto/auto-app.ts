import { expect } from '@jest/globals';
import type { DynamicModule, INestApplication } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { MikroORM } from '@mikro-orm/core';
import { CachePageModule, CachePageService, type CachePageModuleOptions } from 'nestjs-cache-page';
import request from 'supertest';
import { RenderCounts } from '../blog/blog.controller.js';
import { CapturedLogs } from '../../support/captured-logs.js';
import { AutoController, RenderPause } from './auto.controller.js';

export type AdapterName = 'express' | 'fastify';
export const ADAPTERS: readonly AdapterName[] = ['express', 'fastify'];

/** One response, as the tests look at it. */
export interface Fetched {
  readonly status: number;
  readonly cache: string | undefined;
  readonly text: string;
}

/** The auto-mode pages served by a real Nest app on `adapter`, reading through `orm`. */
export class AutoApp {
  readonly counts = new RenderCounts();
  readonly pause = new RenderPause();
  readonly logs = new CapturedLogs();
  private app!: INestApplication;

  static async start(
    orm: MikroORM,
    adapter: AdapterName,
    options: CachePageModuleOptions = {},
    imports: DynamicModule[] = [],
  ): Promise<AutoApp> {
    const auto = new AutoApp();
    const moduleRef = await Test.createTestingModule({
      imports: [...imports, CachePageModule.forRoot(options)],
      controllers: [AutoController],
      providers: [
        { provide: MikroORM, useValue: orm },
        { provide: RenderCounts, useValue: auto.counts },
        { provide: RenderPause, useValue: auto.pause },
      ],
    })
      .setLogger(auto.logs)
      .compile();
    auto.app = moduleRef.createNestApplication(
      adapter === 'express' ? new ExpressAdapter() : new FastifyAdapter(),
      {
        logger: auto.logs,
      },
    );
    await auto.app.listen(0, '127.0.0.1');
    return auto;
  }

  get cachePage(): CachePageService {
    return this.app.get(CachePageService);
  }

  async get(path: string): Promise<Fetched> {
    const response = await request(this.app.getHttpServer()).get(path);
    return { status: response.status, cache: response.headers['x-cache'], text: response.text };
  }

  /** Requests the page until the next request is a HIT that renders nothing; gives its text. */
  async cached(path: string): Promise<string> {
    const first = await this.get(path);
    expect({ path, status: first.status }).toEqual({ path, status: 200 });
    const before = this.counts.of(path);
    const hit = await this.get(path);
    expect({ path, cache: hit.cache, renders: this.counts.of(path), text: hit.text }).toEqual({
      path,
      cache: 'HIT',
      renders: before,
      text: first.text,
    });
    return hit.text;
  }

  /**
   * On a shared store a page is saved a round trip after its response went out: the next request
   * may come first and render again. Requests the page until a HIT (at most 5 times), which must
   * render nothing; gives its text.
   */
  async cachedSoon(path: string): Promise<string> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const before = this.counts.of(path);
      const response = await this.get(path);
      if (response.cache === 'HIT') {
        expect({ path, renders: this.counts.of(path) }).toEqual({ path, renders: before });
        return response.text;
      }
    }
    throw new Error(`${path} was never served from the cache`);
  }

  /** Still a HIT, its handler not run. */
  async expectHit(path: string): Promise<string> {
    const before = this.counts.of(path);
    const response = await this.get(path);
    expect({ path, cache: response.cache, renders: this.counts.of(path) }).toEqual({
      path,
      cache: 'HIT',
      renders: before,
    });
    return response.text;
  }

  /** Invalidated: a MISS that ran the handler again, and its text. */
  async expectMiss(path: string, contains?: string): Promise<string> {
    const before = this.counts.of(path);
    const response = await this.get(path);
    expect({ path, cache: response.cache, renders: this.counts.of(path) }).toEqual({
      path,
      cache: 'MISS',
      renders: before + 1,
    });
    if (contains !== undefined)
      expect({ path, text: response.text }).toEqual({ path, text: expect.stringContaining(contains) });
    return response.text;
  }

  async close(): Promise<void> {
    await this.app?.close();
  }
}
