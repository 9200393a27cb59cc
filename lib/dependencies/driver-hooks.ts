import { captureScopes, type RenderCapture } from './render-capture.js';

type Method = (...args: unknown[]) => unknown;

/** What listens to one MikroORM driver's (or connection's) calls: one per app and ORM. */
export interface DriverListener {
  /**
   * One call of `method` with `args`, to run by calling `next` (the original, or the next
   * listener); `render` is the render it is part of, if any.
   */
  around(
    method: string,
    args: unknown[],
    next: () => Promise<unknown>,
    render: RenderCapture | undefined,
  ): Promise<unknown>;
  /** A synchronous call (`stream()`), seen before it runs. */
  before(method: string, args: unknown[], render: RenderCapture): void;
}

/** Listeners by the object whose methods were wrapped: each object is wrapped once. */
const listeners = new WeakMap<object, Set<DriverListener>>();

/**
 * Wraps `methods` of `target` (an instance's own properties: MikroORM's classes and other
 * instances are untouched) once, and adds `listener` to the listeners of its calls. Several
 * apps on one MikroORM instance (tests, an app closed and created again) each get every call.
 * Calls made inside a wrapped call (the driver calling itself, the unit of work's statements)
 * go straight to the original: each is seen once, where it entered. Returns the detach function.
 */
export function listenTo(
  target: object,
  methods: readonly string[],
  syncMethods: readonly string[],
  listener: DriverListener,
): () => void {
  let set = listeners.get(target);
  if (!set) {
    const created = new Set<DriverListener>();
    set = created;
    listeners.set(target, created);
    for (const name of methods) wrapAsync(target, name, created);
    for (const name of syncMethods) wrapSync(target, name, created);
  }
  set.add(listener);
  return () => set.delete(listener);
}

function wrapAsync(target: object, name: string, set: ReadonlySet<DriverListener>): void {
  const original = (target as Record<string, unknown>)[name];
  if (typeof original !== 'function') return;
  (target as Record<string, unknown>)[name] = function (this: unknown, ...args: unknown[]): unknown {
    const scope = captureScopes.getStore();
    if (scope?.inDriver || set.size === 0) return (original as Method).apply(this, args);
    const render = scope?.render;
    let next = () =>
      captureScopes.run(
        { render, inDriver: true },
        () => (original as Method).apply(this, args) as Promise<unknown>,
      );
    for (const listener of set) {
      const inner = next;
      next = () => listener.around(name, args, inner, render);
    }
    return next();
  };
}

function wrapSync(target: object, name: string, set: ReadonlySet<DriverListener>): void {
  const original = (target as Record<string, unknown>)[name];
  if (typeof original !== 'function') return;
  (target as Record<string, unknown>)[name] = function (this: unknown, ...args: unknown[]): unknown {
    const scope = captureScopes.getStore();
    if (scope?.render && !scope.inDriver)
      for (const listener of set) listener.before(name, args, scope.render);
    return (original as Method).apply(this, args);
  };
}
