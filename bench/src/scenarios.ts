import type { Adapter, Mode, Store } from './server.js';

/** One app configuration, started once per repeat, and the routes measured on it. */
export interface ServerScenario {
  readonly adapter: Adapter;
  readonly mode: Mode;
  readonly store: Store;
  readonly routes: readonly RouteId[];
}

export type RouteId = 'body-1k' | 'body-20k' | 'body-200k' | 'page';

export const ROUTE_LABELS: Record<RouteId, string> = {
  'body-1k': 'JSON string 1 KB',
  'body-20k': 'JSON string 20 KB',
  'body-200k': 'JSON string 200 KB',
  page: '@Render page 20 KB (handlebars)',
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
  for (const adapter of ['express', 'fastify'] as const) {
    scenarios.push({ adapter, mode: 'floor', store: 'memory', routes: ALL_BODIES });
    scenarios.push({
      adapter,
      mode: 'noop-interceptor',
      store: 'memory',
      routes: ['body-1k', 'body-20k', 'page'],
    });
    scenarios.push({ adapter, mode: 'nest-cache', store: 'memory', routes: ['body-1k', 'page'] });
    scenarios.push({ adapter, mode: 'page-cache', store: 'memory', routes: ALL_BODIES });
    if (withRedis)
      scenarios.push({ adapter, mode: 'page-cache', store: 'redis', routes: ['body-1k', 'page'] });
  }
  return scenarios;
}
