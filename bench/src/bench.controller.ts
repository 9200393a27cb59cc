import { Controller, Get, Header, Param, Post, UseGuards } from '@nestjs/common';
import { AllowGuard } from './allow.guard.js';
import { BODY_SIZES, jsonBody, PAGE_HTML } from './bodies.js';

const BODY_1K = jsonBody(BODY_SIZES['1k']);
const BODY_20K = jsonBody(BODY_SIZES['20k']);

/** Handler calls in this process: hits leave it unchanged. */
let renders = 0;

/** Counts a handler call of another controller of the app (the fragment pages). */
export const countRender = (): void => {
  renders++;
};

/** The same routes in every scenario; only what wraps them changes. Every handler call is counted. */
@Controller()
export class BenchController {
  @Get('body-1k')
  @Header('Content-Type', 'application/json; charset=utf-8')
  body1k(): string {
    renders++;
    return BODY_1K;
  }

  /** One of many distinct 20 KB documents, for the memory measurement. */
  @Get('doc/:id')
  @Header('Content-Type', 'application/json; charset=utf-8')
  document(@Param('id') id: string): string {
    renders++;
    return `{"id":${JSON.stringify(id)},"body":${BODY_20K}}`;
  }

  /** The 20 KB HTML page every throughput row measures, returned as a string: the cheapest render. */
  @Get('page')
  @Header('Content-Type', 'text/html; charset=utf-8')
  page(): string {
    renders++;
    return PAGE_HTML;
  }

  /** The same page behind a guard: its hits stay on the interceptor path. */
  @Get('guarded/page')
  @UseGuards(AllowGuard)
  @Header('Content-Type', 'text/html; charset=utf-8')
  guardedPage(): string {
    renders++;
    return PAGE_HTML;
  }

  /** Handler calls so far; a POST, so that no cache in any scenario keeps it. */
  @Post('renders')
  renders(): { renders: number } {
    return { renders };
  }
}
