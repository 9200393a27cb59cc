import type { ServerResponse } from 'node:http';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import { hasMarker } from '../fragments/fragment-marker.js';
import { withClientPlaceholders } from '../fragments/client-placeholders.js';
import { fillPage } from '../fragments/fragment-response.js';
import { splitFragments } from '../fragments/fragment-template.js';
import type { PageFragments } from '../fragments/page-fragments.js';
import { MIN_COMPRESSED_BYTES } from '../store/page-body.js';
import { thenMaybe, type MaybePromise } from '../utils/maybe-promise.js';
import { negotiateGzip } from './content-encoding.js';
import { weakEtag } from './etag.js';
import { withPrivate } from './page-draft.js';
import { varyNames } from './page-variance.js';
import {
  holdResponse,
  type HeldResponse,
  type HeldResponseChange,
  type ResponseHold,
} from './response-hold.js';
import { isNotModified, type Validators } from './revalidation.js';

/** Who a response is filled for: the request and response the fragments' methods are given. */
export interface FragmentVisitor {
  readonly fragments: PageFragments;
  readonly request: unknown;
  readonly response: unknown;
  readonly acceptEncoding: unknown;
  /** `@CachePage({ fragments: 'client' })`: placeholders for the browser, no values. */
  readonly placeholders?: boolean;
}

const DECODERS: Record<string, (bytes: Buffer) => Buffer> = {
  gzip: gunzipSync,
  'x-gzip': gunzipSync,
  deflate: inflateSync,
  br: brotliDecompressSync,
};

/**
 * Fills the fragments of a response the cache does not serve (an ignored path, a personal page,
 * a HEAD miss…): no marker ever leaves the server. The response is held only while its first
 * chunk could hold one (any encoded chunk, or one with a marker): streams go out as they come.
 */
export function holdForFragments(raw: ServerResponse, visitor: FragmentVisitor): ResponseHold {
  return holdResponse(raw, (held) => fillHeld(held, visitor, undefined), mayHoldMarkers);
}

/** Whether a response's first chunk may carry a marker (encoded bodies are looked into at the end). */
export function mayHoldMarkers(chunk: Buffer, headers: Record<string, unknown>): boolean {
  if (/^\s*text\/event-stream/i.test(String(headers['content-type'] ?? ''))) return false;
  const encoding = String(headers['content-encoding'] ?? '')
    .trim()
    .toLowerCase();
  return (encoding !== '' && encoding !== 'identity') || hasMarker(chunk);
}

/**
 * What a held response with fragments sends instead: its body with this visitor's values, gzip
 * when the client takes it, its tag with a digest of the values, `private`, and `304` when the
 * client's validators match that tag. `undefined` when the body has no marker.
 */
export function fillHeld(
  held: HeldResponse,
  visitor: FragmentVisitor,
  validators: Validators | undefined,
): MaybePromise<HeldResponseChange | undefined> {
  const identity = identityOf(held);
  const template = identity && splitFragments(identity);
  if (!template) return undefined;
  const values = visitor.fragments.valuesFor(template.slots, visitor.request, visitor.response);
  return thenMaybe(values, (filledValues) => {
    const gzip = negotiateGzip(visitor.acceptEncoding, template.bytes.length);
    const page = fillPage(template.bytes, template.slots, weakEtag(template.bytes), filledValues, gzip);
    const headers: Record<string, string | undefined> = {
      etag: page.etag,
      'cache-control': withPrivate(String(held.headers['cache-control'] ?? '')),
      'content-encoding': page.encoding,
    };
    if (template.bytes.length >= MIN_COMPRESSED_BYTES) headers.vary = withAcceptEncoding(held.headers.vary);
    if (held.status === 200 && validators && isNotModified(validators, held.headers, page.etag)) {
      return { status: 304, headers };
    }
    return { body: page.bytes, headers };
  });
}

/**
 * A held response of a `fragments: 'client'` page as everyone gets it: identity, a placeholder
 * in each place, its own tag. `undefined` when the body has no marker.
 */
export function withPlaceholders(held: HeldResponse): HeldResponse | undefined {
  const identity = identityOf(held);
  const template = identity && splitFragments(identity);
  if (!template) return undefined;
  const body = withClientPlaceholders(template);
  const headers = { ...held.headers, etag: weakEtag(body) };
  delete headers['content-encoding'];
  return { status: held.status, headers, body };
}

/** The held body as identity bytes, or `undefined` when its encoding cannot be undone. */
function identityOf(held: HeldResponse): Buffer | undefined {
  const encoding = String(held.headers['content-encoding'] ?? '')
    .trim()
    .toLowerCase();
  if (encoding === '' || encoding === 'identity') return held.body;
  try {
    return DECODERS[encoding]?.(held.body);
  } catch {
    return undefined;
  }
}

function withAcceptEncoding(vary: unknown): string {
  const names = varyNames(vary as string | string[] | undefined);
  if (names.includes('*') || names.includes('accept-encoding')) return String(vary);
  return [...(vary === undefined || vary === '' ? [] : [String(vary)]), 'Accept-Encoding'].join(', ');
}
