/** The request hooks that run before a Fastify route's handler, in order. */
const HOOKS_BEFORE_HANDLER = ['onRequest', 'preParsing', 'preValidation', 'preHandler'] as const;

/** Hooks as a Fastify route holds them (bound), each with its original where it is known. */
export interface FastifyHook {
  readonly hook: Function;
  readonly original: Function | undefined;
  /** Added to this route only (by a plugin's `onRoute` hook, such as @fastify/compress's). */
  readonly routeLevel: boolean;
}

type HookLists = Partial<Record<(typeof HOOKS_BEFORE_HANDLER)[number], Function[] | null>>;

/**
 * The hooks Fastify ran for `request` before its route's handler. A route holds its instance's
 * hooks (bound, in order) followed by its own; the instance's are matched with their originals,
 * whose source tells Nest's own hooks from the app's. `undefined` when the request carries no
 * route context (then nothing can be said, and the caller must assume the worst).
 */
export function fastifyHooksBefore(request: object, instance: object | undefined): FastifyHook[] | undefined {
  const context = symbolValue<HookLists>(request, 'fastify.context');
  if (!context) return undefined;
  const originals = instance ? symbolValue<HookLists>(instance, 'fastify.hooks') : undefined;
  const hooks: FastifyHook[] = [];
  for (const name of HOOKS_BEFORE_HANDLER) {
    const bound = context[name] ?? [];
    const own = originals?.[name] ?? [];
    const aligned =
      own.length <= bound.length && own.every((hook, i) => bound[i]!.name === `bound ${hook.name}`);
    bound.forEach((hook, i) =>
      hooks.push({ hook, original: aligned ? own[i] : undefined, routeLevel: aligned && i >= own.length }),
    );
  }
  return hooks;
}

/** How many middleware functions `@fastify/middie` holds (`app.use()` and `MiddlewareConsumer`). */
export const middieMiddlewareCount = (instance: object | undefined): number =>
  middieMiddlewares(instance)?.length ?? 0;

/** The list `@fastify/middie` keeps its middleware in, `undefined` without middie. */
export function middieMiddlewares(instance: object | undefined): readonly unknown[] | undefined {
  const middlewares = instance ? symbolValue<unknown[]>(instance, 'fastify-middie-middlewares') : undefined;
  return Array.isArray(middlewares) ? middlewares : undefined;
}

/** The value of an own property keyed by a (private) symbol with this description. */
function symbolValue<T>(target: object, description: string): T | undefined {
  const symbol = Object.getOwnPropertySymbols(target).find((key) => key.description === description);
  return symbol === undefined ? undefined : ((target as Record<symbol, T>)[symbol] ?? undefined);
}
