import type { PageLookup } from '../store/page-store.js';
import { rawRequest, type HttpRequest } from './http-exchange.js';

/** Where the fast path leaves the lookup of a request it did not answer, on Node's request. */
export const HANDED_LOOKUP = Symbol.for('nestjs-cache-page:handed-lookup');

/** The lookup a fast path miss made, handed to the interceptor so the store is not read twice. */
export interface HandedLookup {
  readonly entry: string;
  readonly lookup: PageLookup | undefined;
}

/** The lookup the fast path handed on with this request, if it made it for the page `entry`. */
export function handedLookup(request: HttpRequest, entry: string): HandedLookup | undefined {
  const handed = (rawRequest(request) as Record<symbol, HandedLookup | undefined>)[HANDED_LOOKUP];
  return handed?.entry === entry ? handed : undefined;
}
