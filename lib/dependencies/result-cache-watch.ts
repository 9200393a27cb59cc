import { captureScopes } from './render-capture.js';

/**
 * A read answered by MikroORM's result cache (`cache: ms`) returns rows as old as the cache
 * entry, which no epoch vouches for: the page of a render that got one is not stored. Wraps the
 * `get` of the ORM's result cache adapter (one per configuration) once.
 */
export function watchResultCache(config: object): void {
  let adapter: { get?: unknown } | undefined;
  try {
    adapter = (config as { getResultCacheAdapter(): { get?: unknown } }).getResultCacheAdapter();
  } catch {
    return;
  }
  const original = adapter?.get;
  if (!adapter || typeof original !== 'function' || (original as { cachePage?: true }).cachePage) return;
  const get = async function (this: unknown, ...args: unknown[]): Promise<unknown> {
    const value: unknown = await (original as (...args: unknown[]) => unknown).apply(this, args);
    const render = captureScopes.getStore()?.render;
    if (render && value !== undefined && value !== null) render.deps.untrackable = 'result-cache';
    return value;
  };
  (adapter as Record<string, unknown>).get = Object.assign(get, { cachePage: true as const });
}
