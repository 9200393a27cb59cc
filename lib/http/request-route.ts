/**
 * The route pattern the router matched for a request (`/api/posts/:slug`, prefix included):
 * Express's `req.route.path`, Fastify's `request.routeOptions.url`; `undefined` before routing.
 */
export function routePatternOf(request: object): string | undefined {
  const express = (request as { route?: { path?: unknown } }).route?.path;
  if (typeof express === 'string') return express;
  const fastify = (request as { routeOptions?: { url?: unknown } }).routeOptions?.url;
  return typeof fastify === 'string' ? fastify : undefined;
}
