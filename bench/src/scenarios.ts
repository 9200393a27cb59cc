import type { SampleMode } from './sample-server.js';
import type { Adapter, Mode, Store } from './server.js';

/** A server a row is measured against; rows with equal servers share one process per round. */
export type ServerSpec =
  /** `hit`: with the headers of an Express fast-path hit instead of the two a page needs. */
  | { readonly kind: 'raw'; readonly headers?: 'hit' }
  /** Varnish with its built-in configuration in front of the Nest Express floor. */
  | { readonly kind: 'varnish' }
  | {
      readonly kind: 'nest';
      /** `bench` is the benchmark's own app (server.js); `sample` is the sample blog (sample-server.js). */
      readonly app: 'bench' | 'sample';
      readonly adapter: Adapter;
      readonly mode: Mode | SampleMode;
      readonly store: Store;
    };

/** One measured line: a server, a path, and the `Accept-Encoding` the load sends. */
export interface Row {
  readonly id: string;
  readonly table: 'page' | 'sample';
  readonly adapter?: Adapter;
  readonly label: string;
  readonly server: ServerSpec;
  readonly path: string;
  readonly encoding?: 'gzip' | 'br';
  /** More request headers the load sends (the fragment rows' cookie). */
  readonly headers?: Readonly<Record<string, string>>;
  /** The row measures hits: the handler runs for the first request only. */
  readonly hits: boolean;
}

/** The 20 KB HTML page of the benchmark app, and the same page behind a guard. */
const PAGE = '/page';
const GUARDED_PAGE = '/guarded/page';
/** The cookie the fragment rows send: a visitor's name and the items in their basket. */
export const VISITOR_COOKIE = 'visitor=Ada; basket=3';

/** The same page with one and with three personal fragments (`fragments.controller.ts`). */
const FRAGMENT_PAGES = [
  { count: 1, path: '/fragments/1', what: 'a greeting (sync, a cookie)' },
  {
    count: 3,
    path: '/fragments/3',
    what: 'a greeting and a basket (sync, cookies) and recent pages (async)',
  },
] as const;

/**
 * The sample's pages the sample rows measure. The post page and the API are declared as shipped
 * (`dependentPaths()`), like the home page, which in `page-cache-auto` has the most dependency
 * keys of the sample (53, `npm run bench:dependencies`); the tag page runs in automatic-dependencies
 * mode as shipped.
 */
const SAMPLE_ROUTES = [
  { route: 'post', path: '/posts/caching-whole-pages', page: 'post page (queries + @Render)' },
  { route: 'api', path: '/api/posts', page: 'GET /api/posts (queries + JSON)' },
  { route: 'tag', path: '/tags/caching', page: "tag page (queries + @Render; 'auto' as shipped)" },
  { route: 'home', path: '/', page: 'home page (every post; queries + @Render)' },
] as const;

export const serverKey = (server: ServerSpec): string => JSON.stringify(server);

/** The environment of raw-server.js for a raw server spec. */
/** The request headers of a row's load: its `Accept-Encoding` and any others it names. */
export const rowHeaders = (row: Row): Record<string, string> => ({
  ...(row.encoding ? { 'accept-encoding': row.encoding } : {}),
  ...row.headers,
});

export const rawEnv = (spec: ServerSpec & { kind: 'raw' }): Record<string, string> =>
  spec.headers ? { BENCH_RAW_HEADERS: spec.headers } : {};

/** Every row of one round, in the order they are measured and printed. */
export function benchRows(options: { withRedis: boolean; withVarnish: boolean }): Row[] {
  const rows: Row[] = [
    {
      id: 'raw',
      table: 'page',
      label: 'raw `node:http`, the page from memory',
      server: { kind: 'raw' },
      path: PAGE,
      hits: true,
    },
    {
      id: 'raw-hit-headers',
      table: 'page',
      label: "raw `node:http`, with an Express fast hit's 6 headers",
      server: { kind: 'raw', headers: 'hit' },
      path: PAGE,
      hits: true,
    },
  ];
  if (options.withVarnish)
    rows.push({
      id: 'varnish',
      table: 'page',
      adapter: 'express',
      label: 'Varnish 7 (built-in config) in front of the floor, hit',
      server: { kind: 'varnish' },
      path: PAGE,
      hits: true,
    });
  for (const adapter of ['express', 'fastify'] as const) {
    const nest = (mode: Mode, store: Store = 'memory'): ServerSpec => ({
      kind: 'nest',
      app: 'bench',
      adapter,
      mode,
      store,
    });
    const row = (
      id: string,
      label: string,
      server: ServerSpec,
      path: string,
      extra: Partial<Row> = {},
    ): Row => ({
      id: `${adapter}:${id}`,
      table: 'page',
      adapter,
      label,
      server,
      path,
      hits: true,
      ...extra,
    });
    rows.push(
      row('fast', 'hit, defaults (fast path), memory', nest('page-cache'), PAGE),
      row(
        'fast-edge',
        'hit, defaults (fast path), memory, edge (Varnish keys)',
        nest('page-cache-edge'),
        PAGE,
      ),
      row(
        'fast-grace',
        'hit, defaults (fast path), memory, grace and warm-up on',
        nest('page-cache-grace'),
        PAGE,
      ),
      row(
        'scaffolded',
        'scaffolded app (helmet, compression, CORS, cookies, session), defaults, hit without a cookie',
        nest('scaffolded'),
        PAGE,
      ),
      row(
        'scaffolded-interceptor',
        'scaffolded app, fastPath: false, hit without a cookie',
        nest('scaffolded-interceptor'),
        PAGE,
      ),
      row('floor', 'floor: the route renders, no cache', nest('floor'), PAGE, { hits: false }),
      row('floor-guard', 'floor, route with a guard', nest('floor'), GUARDED_PAGE, { hits: false }),
      row('nest-cache', "Nest's CacheInterceptor, hit", nest('nest-cache'), PAGE),
      row(
        'interceptor',
        'hit, fastPath: false (interceptor path), memory',
        nest('page-cache-interceptor'),
        PAGE,
      ),
      row(
        'interceptor-guard',
        'hit, route with a guard (interceptor path), defaults',
        nest('page-cache'),
        GUARDED_PAGE,
      ),
      row('interceptor-br', 'hit, fastPath: false, br', nest('page-cache-interceptor'), PAGE, {
        encoding: 'br',
      }),
      row('fast-gzip', 'hit, defaults (fast path), memory, gzip', nest('page-cache'), PAGE, {
        encoding: 'gzip',
      }),
      row('fast-br', 'hit, defaults (fast path), memory, br', nest('page-cache'), PAGE, { encoding: 'br' }),
      row('interceptor-gzip', 'hit, fastPath: false, gzip', nest('page-cache-interceptor'), PAGE, {
        encoding: 'gzip',
      }),
    );
    // Pages with fragments are answered by the interceptor (never the fast path); gzip is built
    // per response from pieces deflated once, and a client that accepts only br gets identity.
    for (const { count, path, what } of FRAGMENT_PAGES)
      for (const encoding of [undefined, 'gzip', 'br'] as const)
        rows.push(
          row(
            `fragments-${count}${encoding ? `-${encoding}` : ''}`,
            `hit with ${count} personal fragment${count > 1 ? 's' : ''}: ${what}, defaults, ` +
              `Accept-Encoding: ${encoding ?? 'none'}`,
            nest('page-cache-fragments'),
            path,
            { encoding, headers: { cookie: VISITOR_COOKIE } },
          ),
        );
    if (options.withRedis)
      rows.push(
        row('fast-redis', 'hit, defaults (fast path), Redis', nest('page-cache', 'redis'), PAGE),
        row(
          'interceptor-redis',
          'hit, fastPath: false, Redis',
          nest('page-cache-interceptor', 'redis'),
          PAGE,
        ),
        row('fast-redis-br', 'hit, defaults (fast path), Redis, br', nest('page-cache', 'redis'), PAGE, {
          encoding: 'br',
        }),
      );
  }
  for (const adapter of ['express', 'fastify'] as const) {
    const sample = (mode: SampleMode, store: Store = 'memory'): ServerSpec => ({
      kind: 'nest',
      app: 'sample',
      adapter,
      mode,
      store,
    });
    const variants: Array<[string, string, ServerSpec, boolean]> = [
      ['page-cache', 'nestjs-cache-page hit, defaults (fast path), memory', sample('page-cache'), true],
      [
        'page-cache-auto',
        "nestjs-cache-page hit, defaults, dependencies: 'auto' for every page, memory",
        sample('page-cache-auto'),
        true,
      ],
      [
        'page-cache-interceptor',
        'nestjs-cache-page hit, fastPath: false, memory',
        sample('page-cache-interceptor'),
        true,
      ],
      ['floor', 'uncached', sample('floor'), false],
      ['nest-cache', "Nest's CacheInterceptor, hit", sample('nest-cache'), true],
    ];
    if (options.withRedis)
      variants.push([
        'page-cache-redis',
        'nestjs-cache-page hit, defaults, Redis',
        sample('page-cache', 'redis'),
        true,
      ]);
    for (const { route, path, page } of SAMPLE_ROUTES)
      for (const [id, label, server, hits] of variants)
        rows.push({
          id: `${adapter}:sample-${route}:${id}`,
          table: 'sample',
          adapter,
          label: `${page}: ${label}`,
          server,
          path,
          hits,
        });
  }
  return rows;
}
