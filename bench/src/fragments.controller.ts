import { Controller, Get, Header, Injectable } from '@nestjs/common';
import { PageFragment, pageFragment } from 'nestjs-cache-page';
import { PAGE_HTML } from './bodies.js';
import { countRender } from './bench.controller.js';

/** One cookie's value from the `Cookie` header, without a cookie parser (the app has none). */
function cookie(request: { headers: Record<string, string | string[] | undefined> }, name: string) {
  const header = request.headers.cookie;
  if (typeof header !== 'string') return undefined;
  const match = new RegExp(`(?:^|;\\s*)${name}=([^;]*)`).exec(header);
  return match ? decodeURIComponent(match[1]) : undefined;
}

type BenchRequest = Parameters<typeof cookie>[0];

/** What a visitor recently looked at, as an in-memory session store would answer it: a promise. */
const RECENT = new Map([['Ada', ['Caching whole pages', 'Dependent paths', 'Personal fragments']]]);

/**
 * The benchmark's personal fragments, each cheap and realistic: a greeting and a basket count
 * read from a cookie synchronously, and a list of recent pages from an async method (the one
 * that shows what a promise costs: the hit waits for it).
 */
@Injectable()
export class VisitorFragments {
  @PageFragment('greeting')
  greeting(request: BenchRequest): string {
    const name = cookie(request, 'visitor');
    return name ? `Hello, ${name}` : 'Sign in';
  }

  @PageFragment('basket')
  basket(request: BenchRequest): { html: string } {
    const items = Number(cookie(request, 'basket') ?? 0);
    return { html: `<a href="/basket">Basket (${items})</a>` };
  }

  @PageFragment('recent')
  async recent(request: BenchRequest): Promise<{ html: string }> {
    const pages = RECENT.get(cookie(request, 'visitor') ?? '') ?? [];
    return { html: pages.map((title) => `<li>${title}</li>`).join('') };
  }
}

/**
 * The 20 KB benchmark page with personal fragments: one (the greeting, at the top), or three
 * spread over the page (the greeting, the basket after the heading, recent pages at the end).
 * Built when the controller is made: `pageFragment()` marks the process as using fragments, which
 * only the servers of the fragment rows may be.
 */
@Controller('fragments')
export class FragmentsController {
  private readonly one = PAGE_HTML.replace('<body>', `<body><p>${pageFragment('greeting')}</p>`);
  private readonly three = PAGE_HTML.replace('<body>', `<body><p>${pageFragment('greeting')}</p>`)
    .replace('</h1>', `</h1><p>${pageFragment('basket')}</p>`)
    .replace('</body>', `<ul>${pageFragment('recent')}</ul></body>`);

  @Get('1')
  @Header('Content-Type', 'text/html; charset=utf-8')
  onePage(): string {
    countRender();
    return this.one;
  }

  @Get('3')
  @Header('Content-Type', 'text/html; charset=utf-8')
  threePage(): string {
    countRender();
    return this.three;
  }
}
