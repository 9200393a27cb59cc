import { changedSince } from './epoch-token.js';
import type { CachedPage } from './page-reader.js';

/** A page one change behind its epochs, which a route with a grace may still serve. */
export interface StalePage {
  readonly page: CachedPage;
  /** When the change that made it stale was made (ms since the epoch, the writer's clock). */
  readonly since: number;
}

/**
 * When the page stored under `stored` epochs stopped being current, given the `current` ones:
 * each epoch either unchanged or replaced exactly once (its token says so), the earliest such
 * change; `undefined` if any epoch changed more than once, without a record, or none changed.
 */
export function staleSince(stored: readonly string[], current: readonly unknown[]): number | undefined {
  let since: number | undefined;
  for (let i = 0; i < stored.length; i++) {
    const now = current[i];
    if (now === stored[i]) continue;
    const at = typeof now === 'string' ? changedSince(stored[i]!, now) : undefined;
    if (at === undefined) return undefined;
    since = since === undefined ? at : Math.min(since, at);
  }
  return since;
}
