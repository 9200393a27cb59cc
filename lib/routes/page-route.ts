import {
  pageRouteTargetMessage,
  routesNotReadyMessage,
  unknownControllerMessage,
} from '../cache-page.messages.js';
import { PagePathError, type RouteTable } from './route-table.js';

/**
 * A controller class, as `pagePath()` takes it. Any constructor: controllers take their
 * dependencies as constructor parameters.
 *
 * @publicApi
 */
export type ControllerClass<C = object> = abstract new (...args: never[]) => C;

/**
 * The names of a controller's methods, so `pagePath(PostsController, 'shw')` fails to compile.
 * Whether the method is a GET route is checked when the call runs (decorators leave no trace in
 * the types).
 *
 * @publicApi
 */
export type RouteHandlerName<C> = {
  [K in keyof C & string]: C[K] extends (...args: never[]) => unknown ? K : never;
}[keyof C & string];

/**
 * A GET route declared once, at module scope, and checked when each app that serves its
 * controller initialises: `app.init()` rejects, naming the route, when the handler was renamed,
 * is no GET route any more, or has a pattern no path can be built for.
 *
 * @publicApi
 */
export interface PageRoute<C = object, M extends string = string> {
  /** The handler's name. */
  readonly method: M;
  /** The controller class (the thunk given to `pageRoute()`, called). */
  controller(): ControllerClass<C>;
  /** Same as `pagePath(Controller, method, params)`. */
  path(params?: object): string;
  /** Same as `pagePaths(Controller, method, params)`. */
  paths(params?: object): string[];
}

/** What a `pageRoute()` handle leaves for the startup check, and the class it resolved to. */
export interface DeclaredPageRoute {
  readonly method: string;
  readonly target: () => unknown;
  resolved?: Function;
}

interface RouteRegistry {
  /** The route tables of the initialised apps with the module, oldest first. */
  readonly tables: RouteTable[];
  readonly declared: Set<DeclaredPageRoute>;
}

// On globalThis under a registered symbol, so the ES module and the CommonJS build of the package
// (both may load in one process) share one registry.
const REGISTRY = Symbol.for('nestjs-cache-page:route-registry');

export function routeRegistry(): RouteRegistry {
  const holder = globalThis as { [REGISTRY]?: RouteRegistry };
  return (holder[REGISTRY] ??= { tables: [], declared: new Set() });
}

/**
 * The path a visitor requests for a GET route, as the app serves it: the global prefix (unless
 * the route is excluded from it), the URI version (the first one listed), the `RouterModule`
 * path, the controller's and the handler's path (the first of each array), params filled in and
 * percent-encoded as the router decodes them. Usable in `dependentPaths()`, handlers, templates
 * and `invalidate()`.
 *
 * Params are read by name from any object, so an entity fills its route's params from its own
 * properties (`this.slug`); a plain object literal may name only the route's params. A wildcard
 * takes an array of segments or a string split on `/`. The routes are those of the most recently
 * initialised app whose routes include the controller (apps are forgotten on `app.close()`).
 *
 * For example: `pagePath(PostsController, 'show', { slug: 'hello' })` → `'/posts/hello'`
 *
 * @throws Error (`CachePageModule: …`, naming `Controller.method` and its pattern) for an unknown
 *   route, a non-GET route, a missing or unknown param, or a call before an app initialised
 * @publicApi
 */
export function pagePath<C extends object, M extends RouteHandlerName<C>>(
  controller: ControllerClass<C>,
  method: M,
  params?: object,
): string {
  const table = tableFor(controller, method, `pagePath(${nameOf(controller)}, '${method}')`);
  return table.paths(controller, method, params, 'pagePath', true)[0]!;
}

/**
 * Every path the app serves a GET route at, params filled in: each URI version, each path of a
 * path array, each `RouterModule` that registers the controller. What `invalidateRoute()`
 * invalidates; `pagePath()` is the first of them.
 *
 * For example: `pagePaths(DocsController, 'show', { slug: 'intro' })` → `['/v1/docs/intro', '/v2/docs/intro']`
 *
 * @throws Error as `pagePath()` does
 * @publicApi
 */
export function pagePaths<C extends object, M extends RouteHandlerName<C>>(
  controller: ControllerClass<C>,
  method: M,
  params?: object,
): string[] {
  const table = tableFor(controller, method, `pagePaths(${nameOf(controller)}, '${method}')`);
  return table.paths(controller, method, params, 'pagePaths');
}

/**
 * Declares a GET route at module scope, for links and `dependentPaths()`. The controller is
 * given as a function, called only once every file has loaded. It may also load the controller
 * (`async () => (await import('./posts.controller.js')).PostsController`): an entity file can
 * then use the handle without importing the controller, whose services import the entity (a
 * cycle that fails at load time, as Nest's decorators read those classes when they are
 * defined); the function runs while the app initialises. Every handle is checked while each app
 * whose routes include the controller initialises: a renamed handler makes `app.init()` reject
 * with a message naming the route, instead of a page going stale unnoticed.
 *
 * For example: `export const postPage = pageRoute(() => PostsController, 'show');` then
 * `postPage.path(post)`
 *
 * @publicApi
 */
export function pageRoute<C extends object, M extends RouteHandlerName<C>>(
  controller: () => ControllerClass<C> | Promise<ControllerClass<C>>,
  method: M,
): PageRoute<C, M> {
  const declared: DeclaredPageRoute = { method, target: controller };
  routeRegistry().declared.add(declared);
  const resolve = (call: string): ControllerClass<C> => {
    if (declared.resolved) return declared.resolved as ControllerClass<C>;
    const target: unknown = controller();
    if (typeof target === 'function') return (declared.resolved = target) as ControllerClass<C>;
    if (target instanceof Promise) target.catch(() => undefined);
    throw new PagePathError(routesNotReadyMessage(call));
  };
  return {
    method,
    controller: () => resolve(`pageRoute(…, '${method}').controller()`),
    path: (params?: object) => pagePath(resolve(`pageRoute(…, '${method}').path()`), method, params),
    paths: (params?: object) => pagePaths(resolve(`pageRoute(…, '${method}').paths()`), method, params),
  };
}

/**
 * Resolves every declared handle (loading its controller when its function does) and checks
 * those whose controller this table serves; returns one problem each.
 */
export async function checkDeclaredRoutes(table: RouteTable): Promise<string[]> {
  const problems: string[] = [];
  for (const declared of routeRegistry().declared) {
    const { method, target } = declared;
    let controller: unknown;
    try {
      controller = await target();
    } catch (error) {
      controller = error;
    }
    if (typeof controller !== 'function') {
      problems.push(pageRouteTargetMessage(method, controller));
      continue;
    }
    declared.resolved = controller;
    if (!table.has(controller)) continue;
    try {
      table.check(controller, method);
    } catch (error) {
      problems.push(error instanceof Error ? error.message : String(error));
    }
  }
  return problems;
}

function tableFor(controller: unknown, method: string, call: string): RouteTable {
  const { tables } = routeRegistry();
  if (tables.length === 0) throw new PagePathError(routesNotReadyMessage(call));
  for (let index = tables.length - 1; index >= 0; index--) {
    if (tables[index]!.has(controller)) return tables[index]!;
  }
  const name = nameOf(controller);
  throw new PagePathError(unknownControllerMessage(`${name}.${method}`, name));
}

const nameOf = (controller: unknown): string =>
  typeof controller === 'function' ? controller.name : String(controller);
