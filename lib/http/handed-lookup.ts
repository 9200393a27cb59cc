import type { PageLookup } from '../store/page-store.js';

/** Where the fast path leaves the lookup of a request it did not answer, on Node's request. */
export const HANDED_LOOKUP = Symbol.for('nestjs-cache-page:handed-lookup');

/** The lookup a fast path miss made, handed to the interceptor so the store is not read twice. */
export interface HandedLookup {
  readonly entry: string;
  readonly lookup: PageLookup | undefined;
}
