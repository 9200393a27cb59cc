import type { OutgoingHttpHeaders } from 'node:http';
import { promisify } from 'node:util';
import { brotliDecompress, gunzip, inflate } from 'node:zlib';
import { digestOf, type PageBody } from '../store/page-body.js';
import type { FastPage, PageDraft, StoredHeader } from '../store/page-entry.js';
import { isHtml, withBackForwardCheck } from './back-forward-script.js';
import { weakEtag } from './etag.js';
import { withClientPlaceholders } from '../fragments/client-placeholders.js';
import type { SentTemplate } from './fragment-send.js';
import { splitFragments, type FragmentTemplate } from '../fragments/fragment-template.js';
import type { PageVariance } from './page-variance.js';
import { varyNames } from './page-variance.js';
import { onlyRefreshes, type SessionCookies } from './refreshed-cookies.js';
import type { CapturedResponse } from './response-capture.js';

/** Headers that describe one transmission, not the page, and are never replayed. */
const TRANSMISSION_HEADERS = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-length',
  'content-encoding',
  'date',
  'etag',
  'age',
  'x-cache',
]);

const TEXTUAL_CONTENT_TYPE =
  /^\s*(?:text\/|application\/(?:json|xml|javascript|ecmascript|x-javascript|[\w.-]+\+(?:json|xml))|image\/svg\+xml)/i;

const NONE: ReadonlySet<string> = new Set();

const PRIVATE_CACHE_CONTROL = /(?:^|,)\s*(?:private|no-store)\s*(?:[=,]|$)/i;

/** Encodings a compression plugin may have applied to the captured bytes, and how to undo them. */
const DECODERS: Record<string, (bytes: Buffer) => Promise<Buffer>> = {
  gzip: promisify(gunzip),
  'x-gzip': promisify(gunzip),
  deflate: promisify(inflate),
  br: promisify(brotliDecompress),
};

/** Why a captured response was not stored (`stats()` counts them by it). */
export type NotStoredReason =
  'status' | 'set-cookie' | 'private' | 'stream' | 'not-text' | 'vary' | 'personal' | 'encoding';

/** A captured response as the store takes it. */
export interface RenderedPage {
  readonly draft: PageDraft;
  readonly body: PageBody;
}

/** What the cache knew of the response before the route ran, and the route's options. */
export interface DraftContext {
  readonly cacheableStatuses: ReadonlySet<number>;
  /** Headers present before the route ran (middleware, `@Header()`, the platform). */
  readonly preexisting: ReadonlySet<string>;
  readonly ttl: number;
  /** Add the Back/Forward check to HTML pages (`reloadOnBack`). */
  readonly reloadOnBack: boolean;
  /** Lower-case names of the headers the cache sets for edges (`edge`): never stored with a page. */
  readonly edgeHeaders?: ReadonlySet<string>;
  /** The page's hits may be answered before the framework: for whom, and the headers to send then. */
  readonly fast: FastPage | undefined;
  /** The route pattern that rendered it (`/posts/:slug`), for `stats()`. */
  readonly route: string | undefined;
  /** The request's session cookies: session middleware sending one back unchanged is no `Set-Cookie` of the render. */
  readonly sessionCookies: SessionCookies;
  /** `@CachePage({ fragments: 'client' })`: places hold placeholders the browser fills. */
  readonly clientFragments: boolean;
  /** The page as the render sent it, when its fragments were filled as it was sent. */
  readonly sent: SentTemplate | undefined;
  /** The render read per-visitor state (the session, cookies, a credential header). */
  readonly readPersonal: boolean;
  /** How the page varies, given the `Vary` names the response carries. */
  variance(vary: readonly string[]): PageVariance;
}

/**
 * Turns a captured response into a page for the store, or the reason it must not be cached: a status outside `cacheableStatuses`, `Set-Cookie` (also when a hook adds it as the
 * headers go out, but not session middleware renewing the session cookie the visitor sent, which
 * is left out), `Cache-Control: private`/`no-store`, `Vary: *`, an event stream, a body that
 * is not text, or a personal page for a visitor with an identity. A body a compression plugin
 * encoded (`@fastify/compress`) is decoded: pages are stored once, as identity, and each client
 * gets the encoding it accepts. Headers present before the route ran are left out, since they
 * are set again on every request, hit or miss.
 */
export async function toRenderedPage(
  captured: CapturedResponse,
  context: DraftContext,
): Promise<RenderedPage | NotStoredReason> {
  const sent = captured.sentHeaders;
  if (!context.cacheableStatuses.has(captured.status)) return 'status';
  const filledAsSent = context.sent;
  // Cookies added after a page's fragments were filled (session middleware saving the session a
  // CSRF token started) are theirs, unless the render itself read the session.
  const rendersOwn = filledAsSent && !context.readPersonal;
  const renderCookies = rendersOwn ? [filledAsSent.cookies] : [captured.headers['set-cookie']];
  if (!onlyRefreshes(renderCookies, context.sessionCookies)) return 'set-cookie';
  const lateCookie = !rendersOwn && !onlyRefreshes([sent['set-cookie']], context.sessionCookies);
  const cacheControl = filledAsSent ? filledAsSent.cacheControl : captured.headers['cache-control'];
  if (PRIVATE_CACHE_CONTROL.test(headerText(cacheControl))) {
    return lateCookie ? 'set-cookie' : 'private';
  }
  const contentType = headerText(captured.headers['content-type']);
  if (contentType.toLowerCase().startsWith('text/event-stream')) return 'stream';
  if (captured.body.length > 0 && !TEXTUAL_CONTENT_TYPE.test(contentType)) return 'not-text';

  // Whoever set them (the route, `@Header()`, middleware such as CORS), `Vary` names are honoured.
  const vary = varyNames(sent.vary);
  const variance = context.variance(vary);
  if (!variance.storable) return vary.includes('*') ? 'vary' : 'personal';
  const identity = filledAsSent ? filledAsSent.template.bytes : await identityBytes(captured);
  if (!identity) return 'encoding';
  const split = filledAsSent ? filledAsSent.template : splitFragments(identity);
  const template = context.clientFragments ? undefined : split;
  const page = split && context.clientFragments ? withClientPlaceholders(split) : identity;
  if (lateCookie && !(template && !context.readPersonal)) return 'set-cookie';
  // Filling the fragments made the response `private`: what the route sent before that counts.
  if (!filledAsSent && !template && PRIVATE_CACHE_CONTROL.test(headerText(sent['cache-control']))) {
    return 'private';
  }
  if (template) return withFragments(captured, context, variance, template);
  // The entity tag is the page's as the app rendered it, which is also what Express sent.
  const etag = weakEtag(page);
  const bytes = context.reloadOnBack && isHtml(contentType) ? withBackForwardCheck(page, etag) : page;
  return {
    draft: {
      status: captured.status,
      headers: replayedHeaders(captured.headers, context.preexisting, context.edgeHeaders),
      etag,
      ttl: context.ttl,
      varied: variance.varied,
      fast: context.fast,
      route: context.route,
    },
    body: { digest: digestOf(bytes), bytes },
  };
}

/**
 * A page with personal fragments: stored without its markers, with their places; never answered
 * before the framework (the fragments' methods may need what middleware provides); `private`
 * added to its `Cache-Control`, since no shared cache may keep one visitor's copy. The
 * Back/Forward check is left out: its tag would be the page's, never a visitor's.
 */
function withFragments(
  captured: CapturedResponse,
  context: DraftContext,
  variance: PageVariance,
  template: FragmentTemplate,
): RenderedPage {
  const headers = replayedHeaders(captured.headers, context.preexisting, context.edgeHeaders).filter(
    ([name]) => name !== 'cache-control',
  );
  headers.push(['cache-control', withPrivate(headerText(captured.headers['cache-control']))]);
  return {
    draft: {
      status: captured.status,
      headers,
      etag: weakEtag(template.bytes),
      ttl: context.ttl,
      varied: variance.varied,
      route: context.route,
      fragments: template.slots,
    },
    body: { digest: digestOf(template.bytes), bytes: template.bytes },
  };
}

/** A `Cache-Control` value with `private` in it. */
export function withPrivate(value: string): string {
  if (/(?:^|,)\s*private\s*(?:[=,]|$)/i.test(value)) return value;
  return value.trim() === '' ? 'private' : `private, ${value.trim()}`;
}

/** The body without the encoding a plugin applied before this capture saw it, or `undefined` if unknown. */
async function identityBytes({ headers, body }: CapturedResponse): Promise<Buffer | undefined> {
  const encoding = headerText(headers['content-encoding']).trim().toLowerCase();
  if (encoding === '' || encoding === 'identity') return body;
  const decode = DECODERS[encoding];
  if (!decode) return undefined;
  try {
    return await decode(body);
  } catch {
    return undefined;
  }
}

/** The headers a response already carries that a hit may send again (not `Set-Cookie`, not transmission ones). */
export function replayableHeaders(response: { getHeaders?: () => Record<string, unknown> }): StoredHeader[] {
  const headers: StoredHeader[] = [];
  for (const [name, value] of Object.entries(headersOf(response))) {
    const lower = name.toLowerCase();
    if (value === undefined || TRANSMISSION_HEADERS.has(lower) || lower === 'set-cookie') continue;
    headers.push([lower, Array.isArray(value) ? value.map(String) : String(value)]);
  }
  return headers;
}

/** Lower-case names of the headers a response already carries. */
export function headerNames(response: { getHeaders?: () => Record<string, unknown> }): Set<string> {
  return new Set(Object.keys(headersOf(response)).map((name) => name.toLowerCase()));
}

function headersOf(response: { getHeaders?: () => Record<string, unknown> }): Record<string, unknown> {
  return (typeof response.getHeaders === 'function' ? response.getHeaders() : undefined) ?? {};
}

function replayedHeaders(
  headers: OutgoingHttpHeaders,
  preexisting: ReadonlySet<string>,
  edgeHeaders: ReadonlySet<string> = NONE,
): StoredHeader[] {
  const replayed: StoredHeader[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || TRANSMISSION_HEADERS.has(name) || preexisting.has(name)) continue;
    if (edgeHeaders.has(name)) continue;
    // A session cookie the middleware renewed is the visitor's own: it sends it again on hits itself.
    if (name === 'set-cookie') continue;
    replayed.push([name, Array.isArray(value) ? value.map(String) : String(value)]);
  }
  return replayed;
}

const headerText = (value: OutgoingHttpHeaders[string]): string =>
  value === undefined ? '' : Array.isArray(value) ? value.join(',') : String(value);
