/** Where a request counts the calls of middleware classes the app named as safe to skip. */
const SKIPPABLE_USES = Symbol.for('nestjs-cache-page:skippable-uses');
const COUNTED = Symbol.for('nestjs-cache-page:counted-use');

type Counted = Record<symbol, number | undefined>;

/**
 * Makes each class's `use()` count its calls on the request. Nest binds a middleware's `use`
 * when `app.init()` registers it, after the module's providers are created: wrapping the class's
 * prototype here is what Nest then binds. Nest hands middleware to the router behind functions
 * of its own, so the class behind a router layer cannot be told; the count can: each layer calls
 * at most one `use()` per request, so a request for which these calls are at least as many as
 * the Nest layers that ran went through no other middleware of Nest's.
 */
export function countUsesOf(classes: readonly Function[]): void {
  for (const type of classes) {
    const prototype = type.prototype as Record<string | symbol, unknown> | undefined;
    const use = prototype?.use;
    if (typeof use !== 'function' || (use as unknown as Counted)[COUNTED]) continue;
    const counted = function (this: unknown, request: unknown, ...rest: unknown[]) {
      const raw = (request as { raw?: unknown } | null)?.raw ?? request;
      if (raw && typeof raw === 'object')
        (raw as Counted)[SKIPPABLE_USES] = ((raw as Counted)[SKIPPABLE_USES] ?? 0) + 1;
      return (use as Function).call(this, request, ...rest);
    };
    Object.defineProperty(counted, 'name', { value: use.name });
    (counted as unknown as Counted)[COUNTED] = 1;
    prototype!.use = counted;
  }
}

/** How many calls of skippable classes' `use()` `request` (Node's) went through. */
export const skippableUses = (request: object): number => (request as Counted)[SKIPPABLE_USES] ?? 0;
