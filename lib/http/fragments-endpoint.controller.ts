import { Controller, Get, Header, HttpException, Query, Req, Res } from '@nestjs/common';
import { NoCachePage } from '../decorators/no-cache-page.decorator.js';
import { CLIENT_SCRIPT } from '../fragments/client-script.js';
import { FRAGMENT_NAME } from '../fragments/fragment-marker.js';
import { PageFragments } from '../fragments/page-fragments.js';
import { rawRequest, type HttpRequest } from './http-exchange.js';

/** Names one request may ask for. */
const MAX_NAMES = 32;

/**
 * The endpoint of `@CachePage({ fragments: 'client' })` pages, registered with
 * `CachePageModule.forRoot(options, … { clientFragments: true })`: the script, and the visitor's
 * values of the fragments a page names, as JSON (HTML strings: escaped text or `{ html }`), never
 * stored by anyone. Requests another site's page makes are refused (`Sec-Fetch-Site`), so a CSRF
 * token never reaches a page of another origin, whatever CORS the app allows.
 */
@Controller('_cache-page')
@NoCachePage()
export class FragmentsEndpointController {
  constructor(private readonly fragments: PageFragments) {}

  @Get('fragments.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('Cache-Control', 'public, max-age=3600')
  script(): string {
    return CLIENT_SCRIPT;
  }

  @Get('fragments')
  @Header('Cache-Control', 'private, no-store')
  async values(
    @Query('names') names: unknown,
    @Req() request: HttpRequest,
    @Res({ passthrough: true }) response: unknown,
  ): Promise<Record<string, string>> {
    const site = rawRequest(request).headers?.['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin') {
      throw new HttpException('CachePageModule: fragments are given to pages of this site only', 403);
    }
    const asked = typeof names === 'string' ? [...new Set(names.split(','))] : [];
    if (asked.length === 0 || asked.length > MAX_NAMES || !asked.every((name) => FRAGMENT_NAME.test(name))) {
      throw new HttpException(
        `CachePageModule: ?names= must list 1 to ${MAX_NAMES} fragment names, comma-separated (e.g. ?names=greeting,csrf-token)`,
        400,
      );
    }
    const values = await this.fragments.valuesFor(
      asked.map((name) => [0, name] as const),
      request,
      response,
    );
    return Object.fromEntries(asked.map((name, index) => [name, values[index].toString('utf8')]));
  }
}
