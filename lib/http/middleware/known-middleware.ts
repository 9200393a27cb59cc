/**
 * What skipping a piece of middleware on a cached GET means:
 * - `safe`: it only sets headers the stored page carries anyway, parses a body a GET has not,
 *   serves files the route never sees, or gives the request an EntityManager a hit does not use
 *   (helmet, CORS, compression, cookie and body parsers, static files, Nest's own, MikroORM's
 *   request context: `orm/mikro-orm-middleware.loader.ts`);
 * - `conditional`: harmless for a visitor without cookies, but for one with a session it keeps
 *   the session alive (`touch()`) or loads the user (express-session, passport's `initialize`,
 *   @fastify/session): such requests take the interceptor path;
 * - `unknown`: anything else (an API-key check, a rate limiter, a logger): it runs on every request.
 */
export type MiddlewareKind = 'safe' | 'conditional' | 'unknown';

interface KnownMiddleware {
  readonly name: string;
  /** Text of the function's source that tells the package's function from one that shares its name. */
  readonly marker: string;
  readonly kind: Exclude<MiddlewareKind, 'unknown'>;
}

/** Express middleware, by the name and source of the function the package returns. */
const EXPRESS: readonly KnownMiddleware[] = [
  { name: 'helmetMiddleware', marker: 'internalNext', kind: 'safe' },
  { name: 'corsMiddleware', marker: 'optionsCallback', kind: 'safe' },
  { name: 'compression', marker: 'res.flush', kind: 'safe' },
  { name: 'cookieParser', marker: 'req.secret', kind: 'safe' },
  { name: 'jsonParser', marker: 'read(req, res, next', kind: 'safe' },
  { name: 'urlencodedParser', marker: 'read(req, res, next', kind: 'safe' },
  { name: 'textParser', marker: 'read(req, res, next', kind: 'safe' },
  { name: 'rawParser', marker: 'read(req, res, next', kind: 'safe' },
  { name: 'serveStatic', marker: 'fallthrough', kind: 'safe' },
  { name: 'session', marker: 'req.sessionStore', kind: 'conditional' },
  { name: 'initialize', marker: 'IncomingMessageExt', kind: 'conditional' },
];

/**
 * Fastify request hooks, by name: Fastify hands them on bound, so their source is not there to
 * check; the names are the plugins' own and specific enough.
 */
const FASTIFY: ReadonlyMap<string, KnownMiddleware['kind']> = new Map([
  ['helmetConfigureReply', 'safe'],
  ['helmetApplyHeaders', 'safe'],
  ['handleCors', 'safe'],
  ['fastifyCookieHandler', 'safe'],
  ['handleSession', 'conditional'],
]);

/**
 * Anonymous Fastify hooks of plugins, by their whole source (whitespace and semicolons left out),
 * so a hook of the app's that merely starts the same way is not taken for them.
 */
const FASTIFY_ANONYMOUS: ReadonlyArray<{ readonly name: string; readonly source: string }> = [
  // @fastify/view (Nest's setViewEngine()): a fresh `reply.locals` for each request.
  { name: '@fastify/view', source: '(_req,reply,done)=>{reply.locals={}done()}' },
];

const compact = (source: string): string => source.replace(/[\s;]+/g, '');

/**
 * Hooks @fastify/compress adds to each route (decompressing request bodies, choosing the
 * response's encoding): their names are generic, so they count only on a route that holds them
 * as its own hooks in an app that registered the plugin.
 */
const FASTIFY_COMPRESS_ROUTE_HOOKS = new Set(['onRequest', 'preParsing']);

/** A piece of middleware as the fast path sees it: a name for the log and what skipping it means. */
export interface MiddlewareVerdict {
  readonly name: string;
  readonly kind: MiddlewareKind;
}

/** What skipping the Express middleware function `handle` means (`skippable`: the app's own list). */
export function classifyExpressMiddleware(
  handle: Function,
  skippable: ReadonlySet<string>,
  frameworkSource: string,
): MiddlewareVerdict {
  const name = handle.name || '<anonymous>';
  if (skippable.has(handle.name)) return { name, kind: 'safe' };
  const source = Function.prototype.toString.call(handle);
  if (source.length > 8 && frameworkSource.includes(source)) return { name: 'Nest', kind: 'safe' };
  const known = EXPRESS.find((entry) => entry.name === handle.name && source.includes(entry.marker));
  return { name, kind: known?.kind ?? 'unknown' };
}

/** Where a Fastify hook comes from, as far as it matters to what it is. */
export interface FastifyHookOrigin {
  /** The function `addHook()` was given, when it is known (the route holds it bound). */
  readonly original: Function | undefined;
  /** The route's own hook, added by a plugin's `onRoute` hook. */
  readonly routeLevel: boolean;
  /** The app registered @fastify/compress. */
  readonly compress: boolean;
}

/** What skipping the Fastify hook `hook` (as a route holds it: bound) means. */
export function classifyFastifyHook(
  hook: Function,
  skippable: ReadonlySet<string>,
  frameworkSource: string,
  { original, routeLevel, compress }: FastifyHookOrigin,
): MiddlewareVerdict {
  const bare = hook.name.replace(/^bound /, '');
  const name = bare || '<anonymous hook>';
  if (bare !== '' && skippable.has(bare)) return { name, kind: 'safe' };
  if (routeLevel && compress && FASTIFY_COMPRESS_ROUTE_HOOKS.has(bare)) {
    return { name: '@fastify/compress', kind: 'safe' };
  }
  if (original) {
    const source = Function.prototype.toString.call(original);
    if (frameworkSource.includes(source)) return { name: 'Nest', kind: 'safe' };
    const anonymous = FASTIFY_ANONYMOUS.find((entry) => entry.source === compact(source));
    if (anonymous) return { name: anonymous.name, kind: 'safe' };
  }
  return { name, kind: FASTIFY.get(bare) ?? 'unknown' };
}

/** The source of a framework adapter's class and its ancestors: its own hooks and middleware are in it. */
export function frameworkSourceOf(adapter: object | undefined): string {
  let source = '';
  for (
    let type = adapter?.constructor;
    typeof type === 'function' && type !== Function.prototype;
    type = Object.getPrototypeOf(type)
  ) {
    source += Function.prototype.toString.call(type);
  }
  return source;
}
