import type { ModulesContainer } from '@nestjs/core';

/** The modules of `@mikro-orm/nestjs` that bind its request-context middleware. */
const MIKRO_ORM_NESTJS_MODULES = new Set(['MikroOrmCoreModule', 'MikroOrmMiddlewareModule']);

/**
 * The request-context middleware of `@mikro-orm/nestjs` (`MikroOrmMiddleware`,
 * `MultipleMikroOrmMiddleware`), which `MikroOrmModule` binds to every route unless
 * `registerRequestContext: false`. It only gives each request its own EntityManager fork
 * (`RequestContext.create()`): a fast hit, which runs no query, may skip it. Loaded only when
 * the app has imported `MikroOrmModule` (an app without MikroORM never loads `@mikro-orm/*`);
 * `[]` otherwise, or when the package cannot be loaded.
 */
export async function loadMikroOrmMiddleware(modules: ModulesContainer): Promise<Function[]> {
  const imported = [...modules.values()].some((module) =>
    MIKRO_ORM_NESTJS_MODULES.has(module.metatype?.name),
  );
  if (!imported) return [];
  // A variable, so that neither TypeScript nor a bundler treats the optional package as required.
  const name = '@mikro-orm/nestjs';
  try {
    const nestjs = (await import(name)) as Record<string, unknown>;
    return [nestjs.MikroOrmMiddleware, nestjs.MultipleMikroOrmMiddleware].filter(
      (type): type is Function => typeof type === 'function',
    );
  } catch {
    return [];
  }
}
