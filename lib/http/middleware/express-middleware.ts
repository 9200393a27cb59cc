import type { IncomingMessage } from 'node:http';

/** The parts of an Express 5 router layer (the `router` package) read here. */
interface ExpressLayer {
  readonly handle: Function;
  readonly route?: ExpressRoute;
  /** The layer matches every path (`use()` without a path). */
  readonly slash?: boolean;
  /** The layer's path matchers: pure functions of the path (router 2.x). */
  readonly matchers?: ReadonlyArray<(path: string) => unknown>;
  match(path: string): unknown;
}

interface ExpressRoute {
  readonly methods?: Readonly<Record<string, boolean>>;
  readonly stack: ReadonlyArray<{ readonly handle: Function; readonly method?: string }>;
  _handlesMethod(method: string): boolean;
}

interface ExpressApp {
  readonly router?: { readonly stack: readonly ExpressLayer[] };
}

/** The layers of an Express app's router, or `undefined` when `app` is none. */
export function expressLayers(app: unknown): readonly ExpressLayer[] | undefined {
  const stack = (app as ExpressApp | undefined)?.router?.stack;
  return Array.isArray(stack) ? stack : undefined;
}

/**
 * The middleware functions Express ran for `request` before the route now handling it, read off
 * the app's router the way the router matched them: every non-route layer whose path matches, and
 * the handlers of earlier routes for this path and method (Nest binds `MiddlewareConsumer`
 * middleware for one method or an exact path as routes). Error handlers are left out: they only
 * run on an error, which no stored page had. `undefined` when the route is not found in the
 * stack (then nothing can be said, and the caller must assume the worst).
 */
export function expressMiddlewareBefore(
  layers: readonly ExpressLayer[],
  request: IncomingMessage & { route?: unknown; originalUrl?: string },
): Function[] | undefined {
  const route = request.route;
  if (!route) return undefined;
  const path = pathnameOf(request.originalUrl ?? request.url ?? '/');
  const method = request.method ?? 'GET';
  const ran: Function[] = [];
  for (const layer of layers) {
    if (layer.route === route) return ran;
    if (!layerMatches(layer, path)) continue;
    if (!layer.route) {
      if (layer.handle.length < 4) ran.push(layer.handle);
      continue;
    }
    if (!layer.route._handlesMethod(method) && method !== 'HEAD') continue;
    // As the route dispatches: a HEAD request runs its GET handlers unless it has HEAD ones.
    let wanted = method.toLowerCase();
    if (wanted === 'head' && !layer.route.methods?.head) wanted = 'get';
    for (const inner of layer.route.stack) {
      const forMethod = inner.method === undefined || inner.method === wanted;
      if (forMethod && inner.handle.length < 4) ran.push(inner.handle);
    }
  }
  return undefined;
}

/**
 * Whether the router would run `layer` for `path`. The matchers are called rather than
 * `layer.match()`, which in router 2.2 (Express 5 under Nest 11) stores the match on the layer,
 * shared by every request. A path the router cannot decode counts as a match: assume the worst.
 */
function layerMatches(layer: ExpressLayer, path: string): boolean {
  try {
    if (layer.slash) return true;
    if (Array.isArray(layer.matchers)) return layer.matchers.some((matcher) => Boolean(matcher(path)));
    return Boolean(layer.match(path));
  } catch {
    return true;
  }
}

function pathnameOf(url: string): string {
  const end = url.search(/[?#]/);
  return end === -1 ? url : url.slice(0, end);
}
