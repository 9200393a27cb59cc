import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import handlebars from 'handlebars';
import hbs from 'hbs';
import { pageFragment } from 'nestjs-cache-page';
import { fileURLToPath } from 'node:url';
import type { AdapterName } from './app.config.js';
import { adminPage, faviconPage, feedPage, homePage, postsJson, signInPage } from './routes.js';

/** `sample/views`: the same Handlebars templates, with `layout.hbs` around each, on both platforms. */
export const VIEWS_DIR = fileURLToPath(new URL('../views', import.meta.url));

/** The pages the layout links to, by the name `{{path 'name'}}` takes in a template. */
const LINKED_PAGES = {
  home: homePage,
  feed: feedPage,
  postsJson,
  admin: adminPage,
  favicon: faviconPage,
  signIn: signInPage,
};

/** `{{path 'feed'}}` → `/feed.xml`: links in templates are built from the routes too. */
function pathHelper(name: keyof typeof LINKED_PAGES): string {
  const page = LINKED_PAGES[name];
  if (!page) throw new Error(`{{path '${name}'}}: no such page (${Object.keys(LINKED_PAGES).join(', ')})`);
  return page.path();
}
hbs.registerHelper('path', pathHelper);
handlebars.registerHelper('path', pathHelper);

/**
 * `{{fragment 'greeting'}}`: the place of a personal fragment (`@PageFragment('greeting')`, or the
 * built-in `csrf-token`), filled per visitor on the one stored page. The marker holds no
 * character Handlebars escapes.
 */
const fragmentHelper = (name: string): string => pageFragment(name);
hbs.registerHelper('fragment', fragmentHelper);
handlebars.registerHelper('fragment', fragmentHelper);

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
