import { abortedProblem } from './batched-purge.js';
import { parseRetryAfter } from './retry-after.js';

/** What a CDN's purge API answered. */
export interface ApiAnswer {
  readonly status: number;
  /** `Retry-After` of a `429` or `503`, ms. */
  readonly retryAfterMs?: number;
  /** The body parsed as JSON, or `undefined` when it is not JSON. */
  readonly json: unknown;
}

/**
 * Sends one JSON `POST` to a CDN's API with Node's `fetch` and reads the status, `Retry-After`
 * and the JSON answer. Rejects as `fetch` does (unreachable, aborted); `transportProblem()`
 * turns that into a text.
 */
export async function postJson(
  url: string,
  headers: Readonly<Record<string, string>>,
  body: unknown,
  signal: AbortSignal,
): Promise<ApiAnswer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { Accept: 'application/json', 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
    signal,
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const retryAfterMs =
    response.status === 429 || response.status === 503
      ? parseRetryAfter(response.headers.get('retry-after'))
      : undefined;
  return { status: response.status, retryAfterMs, json };
}

/** Why a request got no answer, and the fix. */
export function transportProblem(error: unknown, signal: AbortSignal, origin: string): string {
  if (signal.aborted) return abortedProblem;
  // Duck-typed: fetch's errors may come from another realm (a VM context), where instanceof fails.
  const failure =
    typeof error === 'object' && error !== null ? (error as { message?: unknown; cause?: unknown }) : {};
  const cause =
    typeof failure.cause === 'object' && failure.cause !== null
      ? (failure.cause as { code?: unknown; message?: unknown })
      : {};
  const detail =
    typeof cause.code === 'string'
      ? cause.code
      : typeof cause.message === 'string'
        ? cause.message
        : typeof failure.message === 'string'
          ? failure.message
          : String(error);
  return `could not reach ${origin} (${detail}). Check the network (DNS, firewall, proxy) and the purger's "apiUrl".`;
}

/** A provider's error text for a message: one line, short, with the token (if it was echoed) blanked. */
export function providerText(text: string, token: string): string {
  const line = text.replaceAll(token, '[token]').replace(/\s+/g, ' ').trim();
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}
