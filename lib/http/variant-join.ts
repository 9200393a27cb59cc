import type { CachedPage, PageLookup } from '../store/page-store.js';
import { variesAsRequested, type RequestInputs } from '../store/page-variants.js';
import type { InFlightRenders } from './in-flight-renders.js';

/**
 * The page of the render already running for a missed lookup (same key, same epochs), once it is
 * done; `undefined` when none is running. The promise gives `undefined` when that render stored
 * nothing, or rendered another variant than the one this request asks for.
 */
export function joinRender(
  renders: InFlightRenders,
  lookup: PageLookup,
  inputs: RequestInputs,
): Promise<CachedPage | undefined> | undefined {
  const running = renders.join(lookup.storageKey, lookup.pathEpoch, lookup.globalEpoch);
  // A render for another variant (another language, say) is no answer for this request.
  return running?.then((page) => (page && variesAsRequested(page.entry, inputs) ? page : undefined));
}
