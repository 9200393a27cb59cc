import { captureScopes, type RenderCapture } from './render-capture.js';

type Method = (...args: unknown[]) => Promise<unknown>;

/**
 * Replaces `target[name]` (an instance's own property, so other instances and MikroORM's classes
 * are untouched) by `around(original, args, render)`. Calls made by a wrapped method (MikroORM's
 * driver calling itself, the unit of work's statements) run as `inDriver` and go straight to the
 * original: each call is recorded once, where it entered.
 */
export function wrapMethod(
  target: object,
  name: string,
  around: (
    call: () => Promise<unknown>,
    args: unknown[],
    render: RenderCapture | undefined,
  ) => Promise<unknown>,
): void {
  const original = (target as Record<string, unknown>)[name];
  if (typeof original !== 'function') return;
  const wrapped = function (this: unknown, ...args: unknown[]): Promise<unknown> {
    const scope = captureScopes.getStore();
    if (scope?.inDriver) return (original as Method).apply(this, args);
    const render = scope?.render;
    const call = () =>
      captureScopes.run({ render, inDriver: true }, () => (original as Method).apply(this, args));
    return around(call, args, render);
  };
  (target as Record<string, unknown>)[name] = wrapped;
}
