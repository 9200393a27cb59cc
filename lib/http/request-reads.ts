/**
 * What a render's reads of its request mean, for `render-observation.ts`: the headers no page
 * depends on, and the headers, cookies and properties that carry a visitor's identity.
 */

/**
 * Headers every render may read without its page depending on them: the cache keys them
 * (host and forwarded origin), handles them itself (conditional requests, encodings), or they
 * describe the transmission.
 */
export const UNOBSERVED_HEADERS: ReadonlySet<string> = new Set([
  'host',
  'x-forwarded-host',
  'x-forwarded-proto',
  'x-forwarded-port',
  'x-forwarded-for',
  'forwarded',
  'x-real-ip',
  'accept-encoding',
  'if-none-match',
  'if-modified-since',
  'if-match',
  'if-unmodified-since',
  'if-range',
  'range',
  'cache-control',
  'pragma',
  'connection',
  'keep-alive',
  'content-length',
  'content-type',
  'transfer-encoding',
  'te',
  'upgrade',
  'via',
]);

/** Request headers that carry a visitor's identity: reading one makes the page personal. */
export const CREDENTIAL_HEADER =
  /^(?:cookie|authorization|proxy-authorization)$|auth|token|key|secret|session|csrf|xsrf/i;
/** Cookie names that carry a visitor's identity. */
export const CREDENTIAL_COOKIE = /sess|sid|auth|token|csrf|xsrf|jwt|login|user|remember|identity/i;

/**
 * Request properties that hold per-visitor state, as the usual middleware sets them:
 * express-session and @fastify/session (`session`, `sessionID`, `sessionId`), passport
 * (`user`, `isAuthenticated()`…), csrf-sync/csurf (`csrfToken()`), @fastify/secure-session.
 */
export const PERSONAL_REQUEST_PROPERTIES: readonly string[] = [
  'session',
  'sessionID',
  'sessionId',
  'sessionStore',
  'user',
  'isAuthenticated',
  'isUnauthenticated',
  'login',
  'logIn',
  'logout',
  'logOut',
  'csrfToken',
];
/** Reply properties that hand out per-visitor state (@fastify/csrf-protection). */
export const PERSONAL_RESPONSE_PROPERTIES: readonly string[] = ['generateCsrf'];
