import type { ServerResponse } from 'node:http';
import { isHtml, withBackForwardCheck } from './back-forward-script.js';
import { thenMaybe } from '../utils/maybe-promise.js';
import { weakEtag } from './etag.js';
import { fillHeld, mayHoldMarkers, withPlaceholders, type FragmentVisitor } from './fragment-hold.js';
import { rawRequest, type HttpRequest } from './http-exchange.js';
import {
  holdResponse,
  type HeldResponse,
  type HeldResponseChange,
  type ResponseHold,
} from './response-hold.js';
import { isNotModified, takeValidators, type Validators } from './revalidation.js';

/**
 * Holds a miss's response when something must change before it goes out: takes the request's
 * validators off it for the render, so that the page is rendered (and stored) in full, fills
 * its personal fragments for this visitor (`visitor`, when the app uses fragments), and with
 * `reloadOnBack` adds the Back/Forward check. `undefined` when nothing needs holding.
 */
export function holdMiss(
  request: HttpRequest,
  raw: ServerResponse,
  reloadOnBack: boolean,
  visitor: FragmentVisitor | undefined,
): ResponseHold | undefined {
  const validators = takeValidators(rawRequest(request).headers ?? {});
  if (!validators && !reloadOnBack && !visitor) return undefined;
  const change = (held: HeldResponse) => {
    const placed = visitor?.placeholders ? withPlaceholders(held) : undefined;
    if (placed) {
      const rewritten = rewriteMiss(placed, validators, reloadOnBack);
      const headers = { etag: placed.headers.etag as string, 'content-encoding': undefined };
      return { body: placed.body, ...rewritten, headers: { ...headers, ...rewritten?.headers } };
    }
    const filled = visitor && fillHeld(held, visitor, validators);
    if (filled === undefined) return rewriteMiss(held, validators, reloadOnBack);
    return thenMaybe(filled, (change) => change ?? rewriteMiss(held, validators, reloadOnBack));
  };
  return holdResponse(raw, change, validators || reloadOnBack ? undefined : mayHoldMarkers);
}

/**
 * What a held miss sends: `304` when the client's validators match the rendered page (which is
 * stored in full all the same), the HTML page with the Back/Forward check, or it as it is.
 */
export function rewriteMiss(
  held: HeldResponse,
  validators: Validators | undefined,
  reloadOnBack: boolean,
): HeldResponseChange | undefined {
  if (held.status !== 200) return undefined;
  const etag = typeof held.headers.etag === 'string' ? held.headers.etag : weakEtag(held.body);
  if (validators && isNotModified(validators, held.headers, etag)) return { status: 304, headers: { etag } };
  const contentType = String(held.headers['content-type'] ?? '');
  const encoded =
    held.headers['content-encoding'] !== undefined && held.headers['content-encoding'] !== 'identity';
  if (reloadOnBack && isHtml(contentType) && !encoded) {
    return { body: withBackForwardCheck(held.body, etag), headers: { etag } };
  }
  return undefined;
}
