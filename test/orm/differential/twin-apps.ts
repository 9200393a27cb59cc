import type { INestApplication, ModuleMetadata } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { MikroORM } from '@mikro-orm/core';
import { CachePageModule, type CachePageModuleOptions } from 'nestjs-cache-page';
import { CapturedLogs } from '../../support/captured-logs.js';
import { MODEL, type Model } from './model.js';
import { PagesController } from './pages.controller.js';

/** One response as the checker compares it. */
export interface Page {
  readonly status: number;
  /** The `x-cache` header (HIT, MISS), absent on the uncached app. */
  readonly cache: string | undefined;
  readonly body: string;
}

/** A real Nest app (Express) serving the checker's pages from its own MikroORM, listening on a port. */
export class PagesApp {
  readonly logs = new CapturedLogs();
  private app!: INestApplication;
  private url!: string;

  /** The pages over `orm` and `model`; with `cache`, the page cache with those module options. */
  static async start(orm: MikroORM, model: Model, cache?: CachePageModuleOptions): Promise<PagesApp> {
    const pages = new PagesApp();
    const metadata: ModuleMetadata = {
      imports: cache ? [CachePageModule.forRoot(cache)] : [],
      controllers: [PagesController],
      providers: [
        { provide: MikroORM, useValue: orm },
        { provide: MODEL, useValue: model },
      ],
    };
    const moduleRef = await Test.createTestingModule(metadata).setLogger(pages.logs).compile();
    pages.app = moduleRef.createNestApplication({ logger: pages.logs });
    await pages.app.listen(0, '127.0.0.1');
    pages.url = (await pages.app.getUrl()).replace('[::1]', '127.0.0.1');
    return pages;
  }

  /** GETs `path` over a kept-alive connection (fetch), as a browser would. */
  async get(path: string): Promise<Page> {
    const response = await fetch(this.url + path);
    return {
      status: response.status,
      cache: response.headers.get('x-cache') ?? undefined,
      body: await response.text(),
    };
  }

  async close(): Promise<void> {
    await this.app?.close();
  }
}
