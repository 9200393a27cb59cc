import type { INestApplication, NestApplicationOptions } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { AppConfig } from './app.config.js';
import { AppModule } from './app.module.js';
import { useSessions } from './sign-in/sessions.setup.js';
import { useViews } from './views.setup.js';

/** The blog on the configured platform, with its views and sessions, not yet listening. */
export async function createBlogApp(
  config: AppConfig,
  options?: NestApplicationOptions,
): Promise<INestApplication> {
  const module = AppModule.forRoot(config);
  const app =
    config.adapter === 'fastify'
      ? await NestFactory.create(module, new FastifyAdapter(), options)
      : await NestFactory.create(module, new ExpressAdapter(), options);
  await setUpBlogApp(app, config);
  return app;
}

/** What the blog adds to a Nest app before it listens: its views, sessions and CSRF protection. */
export async function setUpBlogApp(app: INestApplication, config: AppConfig): Promise<void> {
  useViews(app, config.adapter);
  await useSessions(app, config);
}
