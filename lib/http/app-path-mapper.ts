import { Injectable, Logger, VersioningType, type OnApplicationBootstrap } from '@nestjs/common';
import { ApplicationConfig, DiscoveryService, ModulesContainer } from '@nestjs/core';
import {
  LOGGER_CONTEXT,
  NEST_MODULE_PATH_METADATA,
  NEST_VERSION_METADATA,
} from '../cache-page.internal-constants.js';
import { pathMappingMessage } from '../cache-page.messages.js';
import { PageStore } from '../store/page-store.js';

/**
 * Tells the page store how the app serves paths beyond its controllers, once the app is set up
 * (`setGlobalPrefix()`, `enableVersioning()` and `RouterModule` are known by then): the global
 * prefix, the URI version segments the controllers declare, and the `RouterModule` paths. A path
 * given to `invalidate()` or `dependentPaths()` then reaches its page whether it is written with
 * them (`/api/v1/posts/hello`) or without (`/posts/hello`). Says so at startup when it applies.
 */
@Injectable()
export class AppPathMapper implements OnApplicationBootstrap {
  constructor(
    private readonly store: PageStore,
    private readonly config: ApplicationConfig,
    private readonly discovery: DiscoveryService,
    private readonly modules: ModulesContainer,
  ) {}

  onApplicationBootstrap(): void {
    const globalPrefix = this.config.getGlobalPrefix() || undefined;
    const versions = this.versionSegments();
    const modulePaths = this.modulePaths();
    this.store.paths.configure(globalPrefix && `/${globalPrefix.replace(/^\/+/, '')}`, versions, modulePaths);
    if (globalPrefix || versions.length > 0 || modulePaths.length > 0) {
      new Logger(LOGGER_CONTEXT).log(pathMappingMessage(this.store.paths.summary()));
    }
  }

  /** `v1`, `v2`… for URI versioning: every version a controller or route declares, and the default. */
  private versionSegments(): string[] {
    const versioning = this.config.getVersioning();
    if (versioning?.type !== VersioningType.URI) return [];
    const prefix = versioning.prefix === false ? '' : (versioning.prefix ?? 'v');
    const versions = new Set<string>();
    const add = (version: unknown) => {
      for (const value of Array.isArray(version) ? version : [version]) {
        if (typeof value === 'string' && value !== '') versions.add(`${prefix}${value}`);
      }
    };
    add(versioning.defaultVersion);
    for (const wrapper of this.discovery.getControllers()) {
      const controller = wrapper.metatype as Function | undefined;
      if (!controller?.prototype) continue;
      add(Reflect.getMetadata(NEST_VERSION_METADATA, controller));
      for (const name of Object.getOwnPropertyNames(controller.prototype)) {
        const method = (controller.prototype as Record<string, unknown>)[name];
        if (typeof method === 'function') add(Reflect.getMetadata(NEST_VERSION_METADATA, method));
      }
    }
    return [...versions];
  }

  /** The paths `RouterModule.register()` gave modules (stored on each module class, per app). */
  private modulePaths(): string[] {
    const keys = [NEST_MODULE_PATH_METADATA + this.modules.applicationId, NEST_MODULE_PATH_METADATA];
    const paths = new Set<string>();
    for (const module of this.modules.values()) {
      for (const key of keys) {
        const path: unknown = module.metatype && Reflect.getMetadata(key, module.metatype);
        if (typeof path === 'string' && path !== '' && path !== '/')
          paths.add(path.startsWith('/') ? path : `/${path}`);
      }
    }
    return [...paths];
  }
}
