import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import handlebars from 'handlebars';
import { fileURLToPath } from 'node:url';
import type { AdapterName } from './app.config.js';

/** `sample/views`: the same Handlebars templates, with `layout.hbs` around each, on both platforms. */
export const VIEWS_DIR = fileURLToPath(new URL('../views', import.meta.url));

/** Express renders with `hbs` (which picks up `layout.hbs` itself); Fastify with `@fastify/view`. */
export function useViews(app: INestApplication, adapter: AdapterName): void {
  if (adapter === 'express') {
    const express = app as NestExpressApplication;
    express.setBaseViewsDir(VIEWS_DIR);
    express.setViewEngine('hbs');
  } else {
    (app as NestFastifyApplication).setViewEngine({
      engine: { handlebars },
      templates: VIEWS_DIR,
      layout: 'layout',
    });
  }
}
