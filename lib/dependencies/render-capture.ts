import { AsyncLocalStorage } from 'node:async_hooks';
import { RenderDependencies } from './render-dependencies.js';

/** One render being captured: what it read, and the entity managers that served it. */
export class RenderCapture {
  readonly deps = new RenderDependencies();

  /** `captures`: the app's listeners on its ORMs; only they record this render's reads. */
  constructor(readonly captures: ReadonlySet<object>) {}

  /** Entity managers the render read through: their identity maps hold what it may have shown. */
  readonly entityManagers = new Set<object>();
}

/** Where a call runs: inside a captured render or not, and inside a driver call already seen. */
export interface CaptureScope {
  readonly render: RenderCapture | undefined;
  /** Inside a driver method that records what it does: the SQL it runs is not read again. */
  readonly inDriver: boolean;
}

/** The scope of every call, carried across awaits. */
export const captureScopes = new AsyncLocalStorage<CaptureScope>();

/** Runs `call` as part of `render`: its MikroORM reads become the render's dependencies. */
export function runCaptured<T>(render: RenderCapture, call: () => T): T {
  return captureScopes.run({ render, inDriver: false }, call);
}

/** Runs `call` outside any captured render: what it reads is no page's dependency. */
export function outsideCapture<T>(call: () => T): T {
  return captureScopes.exit(call);
}
