import { RequestMethod } from '@nestjs/common';
import {
  invalidRouteParamMessage,
  missingRouteParamMessage,
  notGetRouteMessage,
  unknownControllerMessage,
  unknownRouteMessage,
  unknownRouteParamMessage,
  unsupportedRoutePatternMessage,
} from '../cache-page.messages.js';
import {
  buildRoutePath,
  parseRoutePattern,
  ParamValueError,
  type RoutePattern,
  type RouteSyntax,
} from './route-pattern.js';

/** One handler of one controller, with every path the app serves it at, in Nest's order. */
export interface RouteRecord {
  readonly controller: Function;
  readonly method: string;
  readonly requestMethod: RequestMethod;
  /** Served patterns: prefix, version, `RouterModule` path, controller and method path. */
  readonly patterns: readonly string[];
}

/** What a route's patterns are read as, and how a pattern the parser refuses may be rewritten. */
export interface RouteSyntaxOptions {
  readonly syntax: RouteSyntax;
  /** Express's own rewriting of legacy patterns (`/files/*` → `/files/{*path}`), when it has one. */
  readonly normalize?: (pattern: string) => string;
}

/** An error of pagePath() and its kin; its message names the route and its pattern. */
export class PagePathError extends Error {
  override readonly name = 'PagePathError';
}

/**
 * The GET routes of one initialised app, by controller class and handler name, and the paths
 * built from them. Patterns are parsed on first use (and at startup for `pageRoute()` handles).
 */
export class RouteTable {
  private readonly routes = new Map<Function, Map<string, RouteRecord>>();
  private readonly patterns = new Map<string, RoutePattern | Error>();

  constructor(
    records: Iterable<RouteRecord>,
    private readonly options: RouteSyntaxOptions,
  ) {
    for (const record of records) {
      const byMethod = this.routes.get(record.controller) ?? new Map<string, RouteRecord>();
      const known = byMethod.get(record.method);
      byMethod.set(
        record.method,
        known ? { ...known, patterns: [...new Set([...known.patterns, ...record.patterns])] } : record,
      );
      this.routes.set(record.controller, byMethod);
    }
  }

  has(controller: unknown): boolean {
    return typeof controller === 'function' && this.routes.has(controller);
  }

  /**
   * Every served path of the route, params filled (the first is the one `pagePath()` gives).
   * `call` names the function called (`pagePath`), for the messages.
   *
   * @throws PagePathError naming the route and its pattern
   */
  paths(
    controller: Function,
    method: string,
    params: object | undefined,
    call: string,
    first = false,
  ): string[] {
    const record = this.record(controller, method);
    const patterns = record.patterns
      .slice(0, first ? 1 : undefined)
      .map((source) => this.pattern(record, source));
    if (params !== undefined && isPlainObject(params)) {
      const known = new Set(patterns.flatMap((pattern) => [...pattern.params.keys()]));
      const unknown = Object.keys(params).filter((key) => !known.has(key));
      if (unknown.length > 0) {
        throw new PagePathError(unknownRouteParamMessage(label(record), unknown, [...known]));
      }
    }
    const read = (name: string): unknown =>
      params === undefined || params === null ? undefined : (params as Record<string, unknown>)[name];
    const built = patterns.map((pattern, index) => {
      try {
        return buildRoutePath(pattern, read);
      } catch (error) {
        if (!(error instanceof ParamValueError)) throw error;
        const route = label(record, record.patterns[index]);
        throw new PagePathError(
          error.problem === 'missing'
            ? missingRouteParamMessage(
                route,
                error.param,
                `${call}(${controller.name}, '${method}', { ${error.param}: … })`,
              )
            : invalidRouteParamMessage(route, error.param, error.message),
        );
      }
    });
    return [...new Set(built)];
  }

  /** Throws what a call would throw for an unknown, non-GET or unbuildable route. */
  check(controller: Function, method: string): void {
    const record = this.record(controller, method);
    for (const source of record.patterns) this.pattern(record, source);
  }

  private record(controller: Function, method: string): RouteRecord {
    const byMethod = this.routes.get(controller);
    if (!byMethod) {
      throw new PagePathError(unknownControllerMessage(`${controller.name}.${method}`, controller.name));
    }
    const record = byMethod.get(method);
    if (!record) {
      const getRoutes = [...byMethod.values()]
        .filter(isGet)
        .map((known) => `${known.method} [GET ${known.patterns[0]}]`);
      throw new PagePathError(
        unknownRouteMessage(`${controller.name}.${method}`, controller.name, getRoutes),
      );
    }
    if (!isGet(record)) throw new PagePathError(notGetRouteMessage(label(record)));
    return record;
  }

  private pattern(record: RouteRecord, source: string): RoutePattern {
    let parsed = this.patterns.get(source);
    if (parsed === undefined) {
      parsed = this.parse(source);
      this.patterns.set(source, parsed);
    }
    if (parsed instanceof Error) {
      throw new PagePathError(unsupportedRoutePatternMessage(label(record, source), parsed.message));
    }
    return parsed;
  }

  private parse(source: string): RoutePattern | Error {
    try {
      return parseRoutePattern(source, this.options.syntax);
    } catch (error) {
      const normalized = this.normalize(source);
      if (normalized !== undefined && normalized !== source) return this.parse(normalized);
      return error instanceof Error ? error : new Error(String(error));
    }
  }

  private normalize(source: string): string | undefined {
    try {
      return this.options.normalize?.(source);
    } catch {
      return undefined;
    }
  }
}

const isGet = (record: RouteRecord) =>
  record.requestMethod === RequestMethod.GET || record.requestMethod === RequestMethod.ALL;

/** `PostsController.show [GET /posts/:slug]` */
function label(record: RouteRecord, pattern = record.patterns[0]): string {
  const method = RequestMethod[record.requestMethod] ?? String(record.requestMethod);
  return `${record.controller.name}.${record.method} [${method} ${pattern}]`;
}

/** An object literal (or `Object.create(null)`), whose every key must be a parameter. */
function isPlainObject(value: object): boolean {
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
