import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { FaviconController } from './favicon.controller.js';
import { SiteExceptionFilter } from './site-exception.filter.js';

/** What makes the blog a site rather than an API: error pages, redirects, the favicon. */
@Module({
  controllers: [FaviconController],
  providers: [{ provide: APP_FILTER, useClass: SiteExceptionFilter }],
})
export class SiteModule {}
