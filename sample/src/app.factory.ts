import type { INestApplication, NestApplicationOptions } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { AppConfig } from './app.config.js';
import { AppModule } from './app.module.js';
import { useViews } from './views.setup.js';

/** The blog on the configured platform, with its views, not yet listening. */
export async function createBlogApp(
  config: AppConfig,
  options?: NestApplicationOptions,
): Promise<INestApplication> {
  const module = AppModule.forRoot(config);
  const app =
    config.adapter === 'fastify'
      ? await NestFactory.create(module, new FastifyAdapter(), options)
      : await NestFactory.create(module, new ExpressAdapter(), options);
  useViews(app, config.adapter);
  return app;
}
