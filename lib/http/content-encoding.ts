import Negotiator from 'negotiator';
import { MIN_COMPRESSED_BYTES, type BodyEncoding } from '../store/page-body.js';

/** Distinct `Accept-Encoding` values remembered; clients send few (each browser one). */
const REMEMBERED = 256;
/** Longer values are parsed each time, so what is remembered stays a few KiB (browsers send ~25 characters). */
const REMEMBERED_LENGTH = 128;
/** The encoding chosen per `Accept-Encoding` value; `null`: identity. */
const chosen = new Map<string, BodyEncoding | null>();

/**
 * The encoding to send a cached body in, from the request's `Accept-Encoding` (RFC 9110 §12.5.3),
 * negotiated by `negotiator` as the `compression` middleware does: the one the client weighs
 * highest, Brotli before gzip when it weighs them alike, when the body is large enough to gain;
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

/** What is offered, best first when the client weighs them alike; `x-gzip` is gzip (RFC 9110 §8.4.1.3). */
const OFFERED = ['br', 'gzip', 'x-gzip'];

/** negotiator's `preferred` option (since 0.6.4), which `@types/negotiator` 0.6 does not know yet. */
type PreferringNegotiator = Negotiator & {
  encoding(available: readonly string[], options: { preferred: readonly string[] }): string | undefined;
};

function preferredEncoding(acceptEncoding: string): BodyEncoding | undefined {
  const negotiator = new Negotiator({ headers: { 'accept-encoding': acceptEncoding } });
  const encoding = (negotiator as PreferringNegotiator).encoding(OFFERED, { preferred: OFFERED });
  return encoding === 'x-gzip' ? 'gzip' : (encoding as BodyEncoding | undefined);
}

/** Whether gzip is acceptable, per `Accept-Encoding` value (pages with fragments are sent gzip or identity). */
const gzipAccepted = new Map<string, boolean>();

/**
 * Whether a body of `bodyLength` bytes is sent gzip-encoded to this client, whatever else it
 * prefers: pages with fragments are compressed per response, which gzip does cheaply from pieces
 * compressed once, and Brotli could not.
 */
export function negotiateGzip(acceptEncoding: unknown, bodyLength: number): boolean {
  if (typeof acceptEncoding !== 'string' || acceptEncoding === '' || bodyLength < MIN_COMPRESSED_BYTES) {
    return false;
  }
  const known = gzipAccepted.get(acceptEncoding);
  if (known !== undefined) return known;
  const negotiator = new Negotiator({ headers: { 'accept-encoding': acceptEncoding } });
  const accepted = negotiator.encodings(['gzip', 'x-gzip']).length > 0;
  if (acceptEncoding.length > REMEMBERED_LENGTH) return accepted;
  if (gzipAccepted.size >= REMEMBERED) gzipAccepted.clear();
  gzipAccepted.set(acceptEncoding, accepted);
  return accepted;
}
