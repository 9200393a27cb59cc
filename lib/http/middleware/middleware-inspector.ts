import { Inject, Injectable, Optional } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage } from 'node:http';
import {
  LIBRARY_SKIPPABLE_MIDDLEWARE,
  RESOLVED_CACHE_PAGE_OPTIONS,
} from '../../cache-page.internal-constants.js';
import type { ResolvedCachePageOptions } from '../../cache-page.options.js';
import { expressLayers, expressMiddlewareBefore } from './express-middleware.js';
import {
  fastifyHooksBefore,
  middieMiddlewareCount,
  middieMiddlewares,
  type FastifyHook,
} from './fastify-hooks.js';
import {
  classifyExpressMiddleware,
  classifyFastifyHook,
  frameworkSourceOf,
  type MiddlewareKind,
  type MiddlewareVerdict,
} from './known-middleware.js';
import { countUsesOf, skippableUses } from './skippable-classes.js';

/** What ran before a route for one request, and what skipping it all on a hit would mean. */
export interface MiddlewareFindings {
  /** The worst kind among them (`safe` when nothing ran). */
  readonly kind: MiddlewareKind;
  /** The names of those that are not safe to skip, for the log. */
  readonly blockers: readonly string[];
}

/** The app's middleware by kind, for the startup log. */
export interface MiddlewareSummary {
  safe: string[];
  conditional: string[];
  unknown: string[];
  /** Middleware Nest hands the router behind wrappers (MiddlewareConsumer, app.use() on Fastify). */
  counted: boolean;
}

const UNKNOWN_ROUTE: MiddlewareFindings = {
  kind: 'unknown',
  blockers: ['(the route was not found in the router)'],
};
const NEST_MIDDLEWARE = 'MiddlewareConsumer middleware';
const MIDDIE_MIDDLEWARE = 'app.use() / MiddlewareConsumer middleware';

/**
 * Looks at the middleware (Express) and request hooks (Fastify) the framework ran for a request
 * before its route, so the fast path skips only what is safe to skip (`known-middleware.ts`).
 * Called on a miss, when the render's page is about to be stored: what ran for that request is
 * what would run for every later request of the same page key (the key holds the path as sent
 * and the host, all that the routers match middleware on).
 */
@Injectable()
export class MiddlewareInspector {
  private readonly skippableNames: ReadonlySet<string>;
  private frameworkSource: string | undefined;

  constructor(
    @Inject(RESOLVED_CACHE_PAGE_OPTIONS) options: ResolvedCachePageOptions,
    private readonly adapterHost: HttpAdapterHost,
    @Optional() @Inject(LIBRARY_SKIPPABLE_MIDDLEWARE) libraryClasses: readonly Function[] = [],
  ) {
    this.skippableNames = new Set(options.skippableMiddleware.filter((item) => typeof item === 'string'));
    countUsesOf([
      ...options.skippableMiddleware.filter((item) => typeof item === 'function'),
      ...libraryClasses,
    ]);
  }

  /** What ran before the route of `request` (the platform's request, as `@Req()` gives it). */
  inspect(request: object): MiddlewareFindings {
    const adapter = this.adapterHost.httpAdapter;
    const instance = adapter?.getInstance() as object | undefined;
    const raw = ((request as { raw?: IncomingMessage }).raw ?? request) as IncomingMessage;
    const source = (this.frameworkSource ??= frameworkSourceOf(adapter));
    if (adapter?.getType() === 'fastify') return this.inspectFastify(request, raw, instance, source);
    const layers = expressLayers(instance);
    const ran = layers && expressMiddlewareBefore(layers, raw);
    if (!ran) return UNKNOWN_ROUTE;
    return this.combine(
      ran.map((handle) => classifyExpressMiddleware(handle, this.skippableNames, source)),
      raw,
    );
  }

  /** Every middleware and hook the app has, named by kind, for the startup log. */
  summary(): MiddlewareSummary {
    const adapter = this.adapterHost.httpAdapter;
    const instance = adapter?.getInstance() as object | undefined;
    const source = (this.frameworkSource ??= frameworkSourceOf(adapter));
    const verdicts: MiddlewareVerdict[] = [];
    if (adapter?.getType() === 'fastify') {
      const hooks = fastifyRootHooks(instance);
      for (const hook of hooks) {
        verdicts.push(...this.classifyHook({ hook, original: hook, routeLevel: false }, instance, source));
      }
    } else {
      for (const layer of expressLayers(instance) ?? []) {
        if (layer.route || layer.handle.length >= 4) continue;
        verdicts.push(classifyExpressMiddleware(layer.handle, this.skippableNames, source));
      }
    }
    const summary: MiddlewareSummary = { safe: [], conditional: [], unknown: [], counted: false };
    for (const { name, kind } of verdicts) {
      if (name === 'handler' || name === MIDDIE_MIDDLEWARE) summary.counted = true;
      else if (!summary[kind].includes(name)) summary[kind].push(name);
    }
    return summary;
  }

  /**
   * The list that grows when middleware is added after startup (Express's router stack,
   * middie's middleware), for the fast path to watch its length.
   */
  watchedList(): readonly unknown[] | undefined {
    const instance = this.adapterHost.httpAdapter?.getInstance() as object | undefined;
    if (this.adapterHost.httpAdapter?.getType() === 'fastify') return middieMiddlewares(instance);
    return expressLayers(instance);
  }

  private inspectFastify(
    request: object,
    raw: IncomingMessage,
    instance: object | undefined,
    source: string,
  ): MiddlewareFindings {
    const hooks = fastifyHooksBefore(request, instance);
    if (!hooks) return UNKNOWN_ROUTE;
    const verdicts = hooks.flatMap((hook) => this.classifyHook(hook, instance, source));
    if ((this.adapterHost.httpAdapter as { onRequestHook?: unknown }).onRequestHook) {
      verdicts.push({ name: 'setOnRequestHook()', kind: 'unknown' });
    }
    return this.combine(verdicts, raw);
  }

  private classifyHook(
    { hook, original, routeLevel }: FastifyHook,
    instance: object | undefined,
    source: string,
  ): MiddlewareVerdict[] {
    if (hook.name.replace(/^bound /, '') === 'runMiddie') {
      // Middie runs `app.use()` and MiddlewareConsumer middleware, which Nest hands it wrapped
      // (so they cannot be told apart), each behind a path check of its own: all count.
      return Array.from({ length: middieMiddlewareCount(instance) }, () => ({
        name: MIDDIE_MIDDLEWARE,
        kind: 'unknown' as const,
      }));
    }
    const compress = (instance as { hasPlugin?(name: string): boolean } | undefined)?.hasPlugin?.(
      '@fastify/compress',
    );
    return [
      classifyFastifyHook(hook, this.skippableNames, source, {
        original,
        routeLevel,
        compress: compress === true,
      }),
    ];
  }

  /**
   * The findings of one request. Unknown ones are forgiven only when the skippable classes' calls
   * on this request account for each of them (see `skippable-classes.ts`).
   */
  private combine(verdicts: readonly MiddlewareVerdict[], raw: IncomingMessage): MiddlewareFindings {
    let unknown = verdicts.filter(({ kind }) => kind === 'unknown');
    if (unknown.length > 0 && skippableUses(raw) >= unknown.length) unknown = [];
    const conditional = verdicts.filter(({ kind }) => kind === 'conditional');
    const blockers = [...unknown, ...conditional].map(({ name }) =>
      name === 'handler' ? NEST_MIDDLEWARE : name,
    );
    const kind = unknown.length > 0 ? 'unknown' : conditional.length > 0 ? 'conditional' : 'safe';
    return { kind, blockers: [...new Set(blockers)] };
  }
}

/** The root instance's request hooks (originals), for the startup summary. */
function fastifyRootHooks(instance: object | undefined): Function[] {
  if (!instance) return [];
  const symbol = Object.getOwnPropertySymbols(instance).find((key) => key.description === 'fastify.hooks');
  const hooks = symbol && (instance as Record<symbol, Record<string, Function[]>>)[symbol];
  if (!hooks) return [];
  return ['onRequest', 'preParsing', 'preValidation', 'preHandler'].flatMap((name) => hooks[name] ?? []);
}
