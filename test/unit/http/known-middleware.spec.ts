import { describe, expect, test } from '@jest/globals';
import compression from 'compression';
import cookieParser from 'cookie-parser';
import express from 'express';
import session from 'express-session';
import helmet from 'helmet';
import passport from 'passport';
import type { HttpAdapterHost } from '@nestjs/core';
import request from 'supertest';
import { resolveCachePageOptions } from '../../../lib/cache-page.options.js';
import { MiddlewareInspector } from '../../../lib/http/middleware/middleware-inspector.js';
import { expressLayers, expressMiddlewareBefore } from '../../../lib/http/middleware/express-middleware.js';
import {
  classifyExpressMiddleware,
  classifyFastifyHook,
  type FastifyHookOrigin,
} from '../../../lib/http/middleware/known-middleware.js';

const none = new Set<string>();
const kindOf = (handle: Function, skippable = none, framework = '') =>
  classifyExpressMiddleware(handle, skippable, framework).kind;

describe('known middleware', () => {
  test.each([
    ['helmet', 'safe', helmet()],
    ['compression', 'safe', compression()],
    ['cookie-parser', 'safe', cookieParser()],
    ['express.json', 'safe', express.json()],
    ['express.urlencoded', 'safe', express.urlencoded({ extended: false })],
    ['express.text', 'safe', express.text()],
    ['express.raw', 'safe', express.raw()],
    ['express.static', 'safe', express.static('.')],
    ['express-session', 'conditional', session({ secret: 'x', resave: false, saveUninitialized: false })],
    ['passport.initialize', 'conditional', passport.initialize()],
    // passport.session() and passport.authenticate('…') are one function: it may check a header.
    ['passport.session', 'unknown', passport.session()],
  ] as const)('%s is %s', (_name, kind, handle) => {
    expect(kindOf(handle as Function)).toBe(kind);
  });

  test('a function that only shares a known name is unknown', () => {
    function session(_req: unknown, _res: unknown, next: () => void) {
      next();
    }
    function helmetMiddleware(_req: unknown, _res: unknown, next: () => void) {
      next();
    }
    expect(kindOf(session)).toBe('unknown');
    expect(kindOf(helmetMiddleware)).toBe('unknown');
  });

  test("a name the app lists in skippableMiddleware is safe; the framework adapter's own code is safe", () => {
    function requestLogger(_req: unknown, _res: unknown, next: () => void) {
      next();
    }
    expect(kindOf(requestLogger)).toBe('unknown');
    expect(kindOf(requestLogger, new Set(['requestLogger']))).toBe('safe');
    const adapterSource = `class Adapter { init() { this.app.use(${requestLogger.toString()}) } }`;
    expect(classifyExpressMiddleware(requestLogger, none, adapterSource)).toEqual({
      name: 'Nest',
      kind: 'safe',
    });
  });

  test('Fastify hooks are known by their plugin names, bound as Fastify holds them', () => {
    const hook = (name: string) => ({ [name]: function () {} })[name]!.bind(null);
    const root: FastifyHookOrigin = { original: undefined, routeLevel: false, compress: true };
    const kind = (bound: Function, skippable = none, origin = root) =>
      classifyFastifyHook(bound, skippable, '', origin).kind;
    expect(kind(hook('helmetApplyHeaders'))).toBe('safe');
    expect(kind(hook('handleSession'))).toBe('conditional');
    expect(kind(hook('checkApiKey'))).toBe('unknown');
    expect(kind(hook('checkApiKey'), new Set(['checkApiKey']))).toBe('safe');
    const anonymous = [() => undefined][0]!;
    expect(kind(anonymous.bind(null), none, { ...root, original: anonymous })).toBe('unknown');
  });

  test("@fastify/view's anonymous hook is known by its whole source; a hook that only starts like it is not", () => {
    const view = [
      (_req: unknown, reply: { locals?: object }, done: () => void) => {
        reply.locals = {};
        done();
      },
    ][0]!;
    const longer = [
      (req: { headers: Record<string, unknown> }, reply: { locals?: object }, done: () => void) => {
        reply.locals = {};
        if (req.headers['x-key'] === undefined) throw new Error('no key');
        done();
      },
    ][0]!;
    const origin = (original: Function): FastifyHookOrigin => ({
      original,
      routeLevel: false,
      compress: false,
    });
    expect(classifyFastifyHook(view.bind(null), none, '', origin(view))).toEqual({
      name: '@fastify/view',
      kind: 'safe',
    });
    expect(classifyFastifyHook(longer.bind(null), none, '', origin(longer)).kind).toBe('unknown');
  });

  test("@fastify/compress's generic hook names count only as a route's own hooks in an app with the plugin", () => {
    const onRequest = function onRequest() {}.bind(null);
    const routeLevel = { original: undefined, routeLevel: true, compress: true };
    expect(classifyFastifyHook(onRequest, none, '', routeLevel).kind).toBe('safe');
    expect(classifyFastifyHook(onRequest, none, '', { ...routeLevel, compress: false }).kind).toBe('unknown');
    expect(classifyFastifyHook(onRequest, none, '', { ...routeLevel, routeLevel: false }).kind).toBe(
      'unknown',
    );
  });
});

describe('the Express middleware that ran before a route', () => {
  /** An Express app whose /page handler reports what the walk found, by name. */
  function appWith(setup: (app: express.Express) => void) {
    const app = express();
    setup(app);
    app.get('/page', (req, res) => {
      const ran = expressMiddlewareBefore(expressLayers(app)!, req);
      const names = ran?.map((handle) => handle.name || '<anonymous>') ?? null;
      res.set('x-ran', JSON.stringify(names)).json(names);
    });
    app.use(function afterRoutes(_req: unknown, _res: unknown, next: () => void) {
      next();
    });
    return app;
  }
  const pass = (name: string) =>
    ({ [name]: (_req: unknown, _res: unknown, next: () => void) => next() })[name]!;

  test('app-wide middleware and middleware on a matching path ran; on another path, after the route, or for errors it did not', async () => {
    const app = appWith((app) => {
      app.use(pass('everywhere'));
      app.use('/page', pass('onPage'));
      app.use('/other', pass('onOther'));
      app.use((_error: unknown, _req: unknown, _res: unknown, next: () => void) => next());
    });
    await request(app).get('/page').expect(200, ['everywhere', 'onPage']);
    await request(app).get('/page?x=1').expect(200, ['everywhere', 'onPage']);
  });

  test("route-level middleware of an earlier route counts for its method only (HEAD runs GET's)", async () => {
    const app = appWith((app) => {
      app.get('/page', pass('getOnly'));
      app.post('/page', pass('postOnly'));
      app.all('/page', pass('allMethods'));
    });
    await request(app).get('/page').expect(200, ['getOnly', 'allMethods']);
    const head = await request(app).head('/page').expect(200);
    expect(JSON.parse(String(head.headers['x-ran']))).toEqual(['getOnly', 'allMethods']);
  });

  test('a request whose route is not in the stack gets no answer (the caller assumes the worst)', () => {
    const app = express();
    expect(
      expressMiddlewareBefore(expressLayers(app) ?? [], { route: {}, url: '/x' } as never),
    ).toBeUndefined();
    expect(expressMiddlewareBefore([], { url: '/x' } as never)).toBeUndefined();
  });
});

describe('when the framework cannot be read', () => {
  const inspector = (type: string, instance: object) =>
    new MiddlewareInspector(resolveCachePageOptions(), {
      httpAdapter: { getType: () => type, getInstance: () => instance },
    } as unknown as HttpAdapterHost);

  test('an Express app without a router, or a request without a route: unknown (the interceptor path)', () => {
    expect(inspector('express', {}).inspect({ url: '/page', route: {} }).kind).toBe('unknown');
    expect(inspector('express', express()).inspect({ url: '/page' }).kind).toBe('unknown');
  });

  test('a Fastify request without a route context: unknown (the interceptor path)', () => {
    expect(inspector('fastify', {}).inspect({ raw: { url: '/page', headers: {} } }).kind).toBe('unknown');
  });
});
