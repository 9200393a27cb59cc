import { MIN_COMPRESSED_BYTES, type BodyEncoding } from '../store/page-body.js';

/** Distinct `Accept-Encoding` values remembered; clients send few (each browser one). */
const REMEMBERED = 256;
/** Longer values are parsed each time, so what is remembered stays a few KiB (browsers send ~25 characters). */
const REMEMBERED_LENGTH = 128;
/** The encoding chosen per `Accept-Encoding` value; `null`: identity. */
const chosen = new Map<string, BodyEncoding | null>();

/**
 * The encoding to send a cached body in, from the request's `Accept-Encoding` (RFC 9110 §12.5.3):
 * Brotli, then gzip, when the client accepts them (`q` > 0) and the body is large enough to gain;
 * otherwise identity (`undefined`).
 */
export function negotiateEncoding(acceptEncoding: unknown, bodyLength: number): BodyEncoding | undefined {
  if (typeof acceptEncoding !== 'string' || acceptEncoding === '' || bodyLength < MIN_COMPRESSED_BYTES) {
    return undefined;
  }
  // Parsed once per distinct value: on a hit, parsing the header was the largest cost of serving
  // a compressed copy instead of the identity body.
  const known = chosen.get(acceptEncoding);
  if (known !== undefined) return known ?? undefined;
  const encoding = preferredEncoding(acceptEncoding);
  if (acceptEncoding.length > REMEMBERED_LENGTH) return encoding;
  if (chosen.size >= REMEMBERED) chosen.clear();
  chosen.set(acceptEncoding, encoding ?? null);
  return encoding;
}

function preferredEncoding(acceptEncoding: string): BodyEncoding | undefined {
  const weights = new Map<string, number>();
  for (const part of acceptEncoding.split(',')) {
    const [name, ...params] = part.split(';').map((piece) => piece.trim().toLowerCase());
    const q = params.find((param) => param.startsWith('q='));
    if (name) weights.set(name, q ? Number(q.slice(2)) : 1);
  }
  const accepts = (encoding: string) => (weights.get(encoding) ?? weights.get('*') ?? 0) > 0;
  if (accepts('br')) return 'br';
  if (accepts('gzip') || (weights.get('x-gzip') ?? 0) > 0) return 'gzip';
  return undefined;
}
