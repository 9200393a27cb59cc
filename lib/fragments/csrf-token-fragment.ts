/** The name of the built-in fragment that holds the visitor's CSRF token. */
export const CSRF_TOKEN_FRAGMENT = 'csrf-token';

/**
 * The built-in `pageFragment('csrf-token')`: the visitor's token from the CSRF library the app
 * installed, `req.csrfToken()` (csrf-sync, csurf, and csrf-csrf with its `getTokenFromRequest`
 * setup) or `reply.generateCsrf()` (`@fastify/csrf-protection`); empty when neither is there.
 * An app's own `@PageFragment('csrf-token')` replaces it.
 */
export function csrfToken(request: unknown, response: unknown): string {
  const fromRequest = (request as { csrfToken?: () => unknown } | undefined)?.csrfToken;
  if (typeof fromRequest === 'function') return String(fromRequest.call(request));
  const fromReply = (response as { generateCsrf?: () => unknown } | undefined)?.generateCsrf;
  if (typeof fromReply === 'function') return String(fromReply.call(response));
  return '';
}
