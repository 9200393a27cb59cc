import { Controller, Get, Header, Param, Render } from '@nestjs/common';
import { BODY_SIZES, jsonBody, PAGE_MODEL } from './bodies.js';

const BODY_1K = jsonBody(BODY_SIZES['1k']);
const BODY_20K = jsonBody(BODY_SIZES['20k']);
const BODY_200K = jsonBody(BODY_SIZES['200k']);

/** The same routes in every scenario; only what wraps them changes. */
@Controller()
export class BenchController {
  @Get('body-1k')
  @Header('Content-Type', 'application/json; charset=utf-8')
  body1k(): string {
    return BODY_1K;
  }

  @Get('body-20k')
  @Header('Content-Type', 'application/json; charset=utf-8')
  body20k(): string {
    return BODY_20K;
  }

  @Get('body-200k')
  @Header('Content-Type', 'application/json; charset=utf-8')
  body200k(): string {
    return BODY_200K;
  }

  /** One of many distinct 20 KB documents, for the memory measurement. */
  @Get('doc/:id')
  @Header('Content-Type', 'application/json; charset=utf-8')
  document(@Param('id') id: string): string {
    return `{"id":${JSON.stringify(id)},"body":${BODY_20K}}`;
  }

  @Get('page')
  @Render('page')
  page() {
    return PAGE_MODEL;
  }
}
