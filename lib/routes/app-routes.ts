import { Injectable, type OnModuleDestroy, type OnModuleInit, type RequestMethod } from '@nestjs/common';
import { ApplicationConfig, HttpAdapterHost, MetadataScanner, ModulesContainer } from '@nestjs/core';
import {
  NEST_METHOD_METADATA,
  NEST_MODULE_PATH_METADATA,
  NEST_PATH_METADATA,
  NEST_VERSION_METADATA,
} from '../cache-page.internal-constants.js';
import { pageRoutesFailedMessage, routesNotReadyMessage } from '../cache-page.messages.js';
import { checkDeclaredRoutes, routeRegistry } from './page-route.js';
import {
  addLeadingSlash,
  loadRoutePathBuilder,
  type RoutePathBuilder,
  type RoutePathRules,
} from './route-path-factory.js';
import { PagePathError, RouteTable, type RouteRecord, type RouteSyntaxOptions } from './route-table.js';

/**
 * The app's routes, for `pagePath()`, `pageRoute()` and `CachePageService.invalidateRoute()`:
 * read from Nest's route metadata while the app initialises (its global prefix, versioning and
 * `RouterModule` paths are set by then), with the path rules of Nest's own `RoutePathFactory`.
 * The table joins the process-wide registry `pagePath()` reads, after every `pageRoute()` handle
 * naming one of its controllers was checked, and leaves it when the app closes.
 */
@Injectable()
export class AppRoutes implements OnModuleInit, OnModuleDestroy {
  private table: RouteTable | undefined;
  /** Whose rules built the paths (reported by tests). */
  rules: RoutePathRules | undefined;

  constructor(
    private readonly config: ApplicationConfig,
    private readonly modules: ModulesContainer,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  async onModuleInit(): Promise<void> {
    const { builder, rules } = await loadRoutePathBuilder(this.config);
    const table = new RouteTable(this.records(builder), this.syntax());
    const problems = await checkDeclaredRoutes(table);
    if (problems.length > 0) throw new PagePathError(pageRoutesFailedMessage(problems));
    this.rules = rules;
    this.table = table;
    routeRegistry().tables.push(table);
  }

  onModuleDestroy(): void {
    const { tables } = routeRegistry();
    const index = this.table ? tables.indexOf(this.table) : -1;
    if (index !== -1) tables.splice(index, 1);
  }

  /** This app's routes. */
  get routes(): RouteTable {
    if (!this.table) throw new PagePathError(routesNotReadyMessage('CachePageService.invalidateRoute()'));
    return this.table;
  }

  /** Every handler of every controller, as `RoutesResolver` and `RouterExplorer` register them. */
  private *records(builder: RoutePathBuilder): Iterable<RouteRecord> {
    const globalPrefix = addLeadingSlash(this.config.getGlobalPrefix());
    const versioningOptions = this.config.getVersioning();
    const scanner = new MetadataScanner();
    for (const module of this.modules.values()) {
      const modulePath = (Reflect.getMetadata(
        NEST_MODULE_PATH_METADATA + this.modules.applicationId,
        module.metatype,
      ) ?? Reflect.getMetadata(NEST_MODULE_PATH_METADATA, module.metatype)) as string | undefined;
      for (const { metatype } of module.controllers.values()) {
        const controller = metatype as Function | null;
        if (!controller) continue;
        const ctrlPath = Reflect.getMetadata(NEST_PATH_METADATA, controller) as string | string[] | undefined;
        if (ctrlPath === undefined) continue;
        const controllerVersion = versioningOptions
          ? (Reflect.getMetadata(NEST_VERSION_METADATA, controller) ?? versioningOptions.defaultVersion)
          : undefined;
        const prototype = controller.prototype as Record<string, Function>;
        for (const method of scanner.getAllMethodNames(prototype)) {
          const handler = prototype[method]!;
          const methodPath = Reflect.getMetadata(NEST_PATH_METADATA, handler) as
            string | string[] | undefined;
          if (methodPath === undefined) continue;
          const requestMethod = Reflect.getMetadata(NEST_METHOD_METADATA, handler) as RequestMethod;
          const methodVersion = Reflect.getMetadata(NEST_VERSION_METADATA, handler);
          const patterns = toArray(ctrlPath).flatMap((controllerPath) =>
            toArray(methodPath).flatMap((handlerPath) =>
              builder.create(
                {
                  ctrlPath: addLeadingSlash(controllerPath),
                  methodPath: addLeadingSlash(handlerPath),
                  modulePath,
                  globalPrefix,
                  controllerVersion,
                  methodVersion,
                  versioningOptions,
                },
                requestMethod,
              ),
            ),
          );
          yield { controller, method, requestMethod, patterns };
        }
      }
    }
  }

  /** Express reads path-to-regexp 8 patterns; Fastify, find-my-way's. */
  private syntax(): RouteSyntaxOptions {
    const adapter = this.adapterHost.httpAdapter as
      { getType?: () => string; normalizePath?: (path: string) => string } | undefined;
    if (adapter?.getType?.() === 'fastify') return { syntax: 'find-my-way' };
    const normalize = adapter?.normalizePath?.bind(adapter);
    return { syntax: 'path-to-regexp', normalize };
  }
}

const toArray = (value: string | string[]): string[] => (Array.isArray(value) ? value : [value]);
