import type { Adapter, Mode, Store } from './server.js';

/**
 * One app configuration, started once per repeat, and the routes measured on it. `bench` is the
 * benchmark's own app (server.js); `sample` is the sample blog (sample-server.js), whose
 * "floor" is the blog without any cache.
 */
export interface ServerScenario {
  readonly app: 'bench' | 'sample';
  readonly adapter: Adapter;
  readonly mode: Mode;
  readonly store: Store;
  readonly routes: readonly RouteId[];
}

export type RouteId = 'body-1k' | 'body-20k' | 'body-200k' | 'page' | 'sample-post' | 'sample-api';

export const ROUTE_LABELS: Record<RouteId, string> = {
  'body-1k': 'JSON string 1 KB',
  'body-20k': 'JSON string 20 KB',
  'body-200k': 'JSON string 200 KB',
  page: '@Render page 20 KB (handlebars)',
  'sample-post': 'sample: post page (queries + @Render)',
  'sample-api': 'sample: GET /api/posts (queries + JSON)',
};

export const ROUTE_PATHS: Record<RouteId, string> = {
  'body-1k': '/body-1k',
  'body-20k': '/body-20k',
  'body-200k': '/body-200k',
  page: '/page',
  'sample-post': '/posts/caching-whole-pages',
  'sample-api': '/api/posts',
};

export const VARIANT_LABELS: Record<string, string> = {
  'floor/memory': 'floor (no cache)',
  'noop-interceptor/memory': 'floor + a no-op interceptor',
  'nest-cache/memory': "Nest's CacheInterceptor, hit",
  'page-cache/memory': 'nestjs-cache-page hit, memory',
  'page-cache/redis': 'nestjs-cache-page hit, Redis',
};

const ALL_BODIES: RouteId[] = ['body-1k', 'body-20k', 'body-200k', 'page'];

/** Every server to start, for both adapters; Redis rows only when Redis is reachable. */
export function serverScenarios(withRedis: boolean): ServerScenario[] {
  const scenarios: ServerScenario[] = [];
  const sampleRoutes: RouteId[] = ['sample-post', 'sample-api'];
  for (const adapter of ['express', 'fastify'] as const) {
    const bench = { app: 'bench', adapter, store: 'memory' } as const;
    scenarios.push({ ...bench, mode: 'floor', routes: ALL_BODIES });
    scenarios.push({ ...bench, mode: 'noop-interceptor', routes: ['body-1k', 'page'] });
    scenarios.push({ ...bench, mode: 'nest-cache', routes: ['body-1k', 'page'] });
    scenarios.push({ ...bench, mode: 'page-cache', routes: ALL_BODIES });
    if (withRedis)
      scenarios.push({ ...bench, mode: 'page-cache', store: 'redis', routes: ['body-1k', 'page'] });
    const sample = { app: 'sample', adapter, store: 'memory', routes: sampleRoutes } as const;
    scenarios.push({ ...sample, mode: 'floor' });
    scenarios.push({ ...sample, mode: 'nest-cache' });
    scenarios.push({ ...sample, mode: 'page-cache' });
    if (withRedis) scenarios.push({ ...sample, mode: 'page-cache', store: 'redis' });
  }
  return scenarios;
}
