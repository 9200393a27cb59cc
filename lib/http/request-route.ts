/** Fastify's private `Symbol('fastify.context')` on each request, found on the first one. */
let routeContextKey: symbol | undefined;

/**
 * The route pattern the router matched for a request (`/api/posts/:slug`, prefix included):
 * Express's `req.route.path`, the URL of Fastify's route context; `undefined` before routing.
 */
export function routePatternOf(request: object): string | undefined {
  const express = (request as { route?: { path?: unknown } }).route?.path;
  if (typeof express === 'string') return express;
  // Fastify's public `request.routeOptions` builds a new object of a dozen fields on each read.
  routeContextKey ??= Object.getOwnPropertySymbols(request).find(
    (key) => key.description === 'fastify.context',
  );
  const context =
    routeContextKey && (request as Record<symbol, { config?: { url?: unknown } }>)[routeContextKey];
  const url = context?.config?.url ?? (request as { routeOptions?: { url?: unknown } }).routeOptions?.url;
  return typeof url === 'string' ? url : undefined;
}
