import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifySession from '@fastify/session';
import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { csrfSync } from 'csrf-sync';
import session from 'express-session';
import { DEV_SESSION_SECRET, type AppConfig } from '../app.config.js';
import { signInPage } from '../routes.js';
import { greetingHtml } from './greeting.html.js';
import { requestedPath, userOf, type SessionRequest } from './session-user.js';

/** The one form that must carry the visitor's CSRF token: a comment under a post. */
const COMMENT_FORM = /^\/posts\/[^/?]+\/comments\/?(\?|$)/;

/**
 * The names of the sample's own middleware and hooks that the page cache's fast path may skip on
 * a cached GET: they only check the comment form's POST (and give the request its `csrfToken()`,
 * which only pages with fragments use, and those are never answered by the fast path).
 */
export const SKIPPABLE_MIDDLEWARE = ['csrfSynchronisedProtection', 'commentFormCsrf'];

/** A request whose body Fastify parsed (a form's fields). */
interface FormRequest {
  readonly body?: unknown;
}

/**
 * Sessions and the comment form's CSRF protection, as the packages' READMEs set them up:
 * express-session and csrf-sync on Express; @fastify/cookie, @fastify/session and
 * @fastify/csrf-protection (on the session) on Fastify. The token travels in the form's `_csrf`
 * field, which the layout fills per visitor with the built-in `{{fragment 'csrf-token'}}`.
 * Sessions start only when something is stored in them (a sign-in, a CSRF token): a guest reading
 * pages gets no cookie. With `greeting: 'inline'`, the greeting is also put in each page's
 * `inlineGreeting` (`res.locals`), the way an app without fragments shows it.
 */
export async function useSessions(app: INestApplication, config: AppConfig): Promise<void> {
  const secret = config.sessionSecret ?? DEV_SESSION_SECRET;
  if (config.adapter === 'express') {
    const express = app as NestExpressApplication;
    express.use(session({ secret, resave: false, saveUninitialized: false, cookie: { sameSite: 'lax' } }));
    // csrf-sync reads the token from the parsed form: parse it before Nest's own parsers would.
    express.useBodyParser('urlencoded', { extended: true });
    const { csrfSynchronisedProtection } = csrfSync({
      getTokenFromRequest: (request) => (request.body as { _csrf?: string } | undefined)?._csrf,
      skipCsrfProtection: (request) => !COMMENT_FORM.test(request.originalUrl),
    });
    express.use(csrfSynchronisedProtection);
    if (config.greeting === 'inline') {
      express.use(function inlineGreeting(
        request: SessionRequest,
        response: { locals: Record<string, unknown> },
        next: () => void,
      ) {
        response.locals.inlineGreeting = greetingOf(request);
        next();
      });
    }
    return;
  }
  const fastify = app as NestFastifyApplication;
  await fastify.register(fastifyCookie as never);
  await fastify.register(fastifySession as never, {
    secret,
    saveUninitialized: false,
    cookie: { secure: false, sameSite: 'lax' },
  });
  await fastify.register(fastifyCsrf as never, {
    sessionPlugin: '@fastify/session',
    getToken: (request: FormRequest) => (request.body as { _csrf?: string } | undefined)?._csrf,
  });
  const instance = fastify.getHttpAdapter().getInstance();
  const { csrfProtection } = instance as unknown as {
    csrfProtection: (request: unknown, reply: unknown, done: () => void) => void;
  };
  // preHandler, not onRequest: the token is in the body, which Fastify has parsed by then.
  instance.addHook('preHandler', function commentFormCsrf(request, reply, done) {
    if (request.method === 'POST' && COMMENT_FORM.test(request.url)) {
      csrfProtection.call(instance, request, reply, done);
    } else done();
  });
  if (config.greeting === 'inline') {
    instance.addHook('preHandler', function inlineGreeting(request, reply, done) {
      const withLocals = reply as unknown as { locals?: Record<string, unknown> };
      withLocals.locals = { ...withLocals.locals, inlineGreeting: greetingOf(request as SessionRequest) };
      done();
    });
  }
}

const greetingOf = (request: SessionRequest): string =>
  greetingHtml(userOf(request), requestedPath(request), signInPage.path());
