import { RequestMethod, VERSION_NEUTRAL, VersioningType, type VersioningOptions } from '@nestjs/common';
import type { ApplicationConfig } from '@nestjs/core';

/** What Nest's `RoutePathFactory.create()` reads (`RoutePathMetadata`, the same in Nest 11 and 12). */
type VersionValue = string | symbol | Array<string | symbol>;

export interface RoutePathMetadata {
  ctrlPath?: string;
  methodPath?: string;
  modulePath?: string;
  globalPrefix?: string;
  controllerVersion?: VersionValue;
  methodVersion?: VersionValue;
  versioningOptions?: VersioningOptions;
}

/** Builds the served paths of one controller path × handler path, for every URI version. */
export interface RoutePathBuilder {
  create(metadata: RoutePathMetadata, requestMethod?: RequestMethod): string[];
}

/** Which rules built the paths: Nest's own factory, or this module's copy of them. */
export type RoutePathRules = 'nest' | 'own';

/**
 * Nest's own `RoutePathFactory` (an internal class, imported by its file path), constructed
 * with the app's config: the served paths then follow the running Nest's rules exactly, which
 * changed between minors (exclusions under URI versions). When the file cannot be loaded, a copy
 * of its rules (Nest 12.5's) stands in.
 */
export async function loadRoutePathBuilder(
  config: ApplicationConfig,
): Promise<{ builder: RoutePathBuilder; rules: RoutePathRules }> {
  try {
    type FactoryModule = { RoutePathFactory?: new (config: ApplicationConfig) => RoutePathBuilder };
    const nest = (await import('@nestjs/core/router/route-path-factory.js')) as FactoryModule & {
      default?: FactoryModule;
    };
    // Named, or on the CommonJS module.exports of Nest 11 when the lexer missed it.
    const RoutePathFactory = nest.RoutePathFactory ?? nest.default?.RoutePathFactory;
    if (typeof RoutePathFactory === 'function') {
      return { builder: new RoutePathFactory(config), rules: 'nest' };
    }
  } catch {
    // Not there (a layout of @nestjs/core this module does not know): the copy below.
  }
  return { builder: new OwnRoutePathBuilder(config), rules: 'own' };
}

interface ExcludedRoute {
  readonly requestMethod: RequestMethod;
  readonly pathRegex: RegExp;
}

/** Nest 12.5's `RoutePathFactory.create()` rules, without its bookkeeping for the 404 handler. */
export class OwnRoutePathBuilder implements RoutePathBuilder {
  constructor(private readonly config: ApplicationConfig) {}

  create(metadata: RoutePathMetadata, requestMethod?: RequestMethod): string[] {
    const version = metadata.methodVersion || metadata.controllerVersion;
    const uri =
      metadata.versioningOptions?.type === VersioningType.URI ? metadata.versioningOptions : undefined;
    const versioned: { prefix: string }[] =
      version && uri
        ? (Array.isArray(version) ? version : [version]).map((value: string | symbol) => ({
            prefix: value === VERSION_NEUTRAL ? '' : `/${versionPrefix(uri)}${String(value)}`,
          }))
        : [{ prefix: '' }];
    return versioned
      .flatMap(({ prefix }) => {
        let paths = appendToAll([prefix], metadata.modulePath);
        paths = appendToAll(paths, metadata.ctrlPath);
        paths = appendToAll(paths, metadata.methodPath);
        if (!metadata.globalPrefix) return paths;
        return paths.map((path) =>
          this.isExcluded(path.slice(prefix.length), requestMethod)
            ? path
            : stripEndSlash(metadata.globalPrefix!) + path,
        );
      })
      .map((path) => addLeadingSlash(path || '/'))
      .map((path) => (path !== '/' ? stripEndSlash(path) : path));
  }

  private isExcluded(path: string, requestMethod: RequestMethod | undefined): boolean {
    if (requestMethod === undefined) return false;
    const excluded = (this.config.getGlobalPrefixOptions().exclude ?? []) as unknown as ExcludedRoute[];
    return excluded.some(
      (route) =>
        (route.requestMethod === RequestMethod.ALL || route.requestMethod === requestMethod) &&
        route.pathRegex instanceof RegExp &&
        route.pathRegex.test(addLeadingSlash(path)),
    );
  }
}

function versionPrefix(options: VersioningOptions): string {
  if (options.type === VersioningType.URI && options.prefix !== undefined) {
    return options.prefix === false ? '' : options.prefix;
  }
  return 'v';
}

function appendToAll(paths: string[], fragment: string | string[] | undefined): string[] {
  if (!fragment) return paths;
  const fragments = Array.isArray(fragment) ? fragment : [fragment];
  return paths.flatMap((path) => fragments.map((next) => stripEndSlash(path) + addLeadingSlash(next)));
}

/** Nest's `addLeadingSlash` (`{/` starts an optional group, which needs none). */
export const addLeadingSlash = (path: string | undefined): string =>
  path ? (path.startsWith('/') || path.startsWith('{/') ? path : `/${path}`) : '';

const stripEndSlash = (path: string): string => (path.endsWith('/') ? path.slice(0, -1) : path);
