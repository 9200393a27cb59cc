import type { OutgoingHttpHeaders } from 'node:http';
import { rawRequest, type HttpRequest } from './http-exchange.js';

/** Cookies a request sent that carry its session's id: each name with the values it was sent with. */
export type SessionCookies = ReadonlyMap<string, ReadonlySet<string>>;

/** What express-session (`req.sessionID`) and @fastify/session (`request.session.sessionId`) put on a request. */
interface SessionCarrier {
  sessionID?: unknown;
  session?: { sessionId?: unknown; id?: unknown } | null;
}

/**
 * The cookies of `request` (its `Cookie` header, each value as sent, still encoded) that carry
 * the id of its session as the session middleware holds it now: express-session's
 * `req.sessionID` (its cookie is `s:<id>.<signature>`, sent url-encoded), @fastify/session's
 * `session.sessionId` (`<id>.<signature>`). Read once the response went out: a session the render
 * regenerated has a new id, which no cookie of the request carries.
 */
export function sessionCookiesOf(request: HttpRequest): SessionCookies {
  const ids = sessionIds(request as SessionCarrier);
  const held = new Map<string, Set<string>>();
  if (ids.length === 0) return held;
  const header = rawRequest(request).headers?.cookie as string | string[] | undefined;
  const text = Array.isArray(header) ? header.join('; ') : (header ?? '');
  for (const pair of text.split(';')) {
    const cookie = nameAndValue(pair);
    if (!cookie || !ids.some((id) => decoded(cookie.value).includes(id))) continue;
    held.set(cookie.name, (held.get(cookie.name) ?? new Set()).add(cookie.value));
  }
  return held;
}

/**
 * Whether every `Set-Cookie` in `headers` (each a string, an array of them, or absent) only sends
 * back a session cookie the request sent: the same name and the same value as sent, only its
 * attributes (`Expires`, `Max-Age`) renewed, as session middleware does on every response when
 * its sessions roll (@fastify/session's default, express-session's `rolling: true`), hit or miss.
 * Such a cookie is not the render's doing. Any other (a new session id, another value, another
 * cookie, a deletion) is, and keeps the page out of the cache. True when there is none.
 */
export function onlyRefreshes(
  headers: ReadonlyArray<OutgoingHttpHeaders[string]>,
  held: SessionCookies,
): boolean {
  return headers.every((header) => setCookieValues(header).every((value) => refreshes(value, held)));
}

function refreshes(setCookie: string, held: SessionCookies): boolean {
  const [pair = '', ...attributes] = setCookie.split(';');
  const cookie = nameAndValue(pair);
  return cookie !== undefined && held.get(cookie.name)?.has(cookie.value) === true && !deletes(attributes);
}

/** `Max-Age` of zero or less, or an `Expires` already past: the browser drops the cookie. */
function deletes(attributes: readonly string[]): boolean {
  return attributes.some((attribute) => {
    const cookie = nameAndValue(attribute);
    if (!cookie) return false;
    const name = cookie.name.toLowerCase();
    if (name === 'max-age') return !(Number(cookie.value) > 0);
    if (name === 'expires') return !(Date.parse(cookie.value) > Date.now());
    return false;
  });
}

/** Session middleware's ids are long random strings; a short one could be found in any value. */
const MIN_SESSION_ID_LENGTH = 16;

function sessionIds(request: SessionCarrier): string[] {
  const candidates = [request.sessionID, request.session?.sessionId, request.session?.id];
  return candidates.filter(
    (id): id is string => typeof id === 'string' && id.length >= MIN_SESSION_ID_LENGTH,
  );
}

function nameAndValue(pair: string): { name: string; value: string } | undefined {
  const equals = pair.indexOf('=');
  if (equals <= 0) return undefined;
  const name = pair.slice(0, equals).trim();
  return name === '' ? undefined : { name, value: pair.slice(equals + 1).trim() };
}

function setCookieValues(header: OutgoingHttpHeaders[string]): string[] {
  if (header === undefined) return [];
  return Array.isArray(header) ? header.map(String) : [String(header)];
}

function decoded(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
