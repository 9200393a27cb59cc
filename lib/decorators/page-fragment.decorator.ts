import { SetMetadata } from '@nestjs/common';
import { PAGE_FRAGMENT_METADATA } from '../cache-page.constants.js';
import { invalidFragmentFallbackMessage, invalidFragmentNameMessage } from '../cache-page.messages.js';
import { FRAGMENT_NAME } from '../fragments/fragment-marker.js';

/** Options of `@PageFragment()`. */
export interface PageFragmentOptions {
  /**
   * What the page shows in the fragment's place when the method throws, returns something that
   * is not text, or does not answer within `fragmentTimeout` (HTML, sent as it is).
   * @default ''
   */
  fallback?: string;
}

/**
 * Makes a provider's method the source of the personal fragment `name`: called for every
 * response of a cached page that has `pageFragment(name)` in it (hit or miss, HEAD and `304`
 * included), with the request as `@Req()` gives it (Express's `req`, Fastify's `request`) and
 * the response (`res`, `reply`). It returns text (escaped for HTML), `{ html }` (sent as it is),
 * or a promise of either. What it reads does not make the page personal: the page is stored
 * once, for everyone, and only the fragment differs.
 *
 * For example:
 * `@PageFragment('greeting') greet(req: Request) { return req.session.user ? \`Hi, ${req.session.user}\` : ''; }`
 *
 * @publicApi
 */
export const PageFragment = (name: string, options: PageFragmentOptions = {}): MethodDecorator => {
  if (typeof name !== 'string' || !FRAGMENT_NAME.test(name)) {
    throw new TypeError(invalidFragmentNameMessage('@PageFragment', name));
  }
  if (options.fallback !== undefined && typeof options.fallback !== 'string') {
    throw new TypeError(invalidFragmentFallbackMessage(name, options.fallback));
  }
  return SetMetadata(PAGE_FRAGMENT_METADATA, { name, fallback: options.fallback ?? '' });
};
