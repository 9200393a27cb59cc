import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { request } from 'node:http';

/** The header that marks a warm-up request; its value is this process's secret. */
export const WARM_HEADER = 'x-cache-page-warm';
const SECRET = randomBytes(12).toString('hex');

/** Whether a request is this process's own warm-up request (not a visitor). */
export function isWarmRequest(headers: IncomingHttpHeaders | undefined): boolean {
  return headers?.[WARM_HEADER] === SECRET;
}

/** Where the app listens, as a loopback client reaches it. */
export interface AppAddress {
  readonly host: string;
  readonly port: number;
}

/** What a warm-up request got back. */
export interface WarmAnswer {
  readonly status: number;
  /** `X-Cache`, if the cache answered. */
  readonly cache: string | undefined;
}

/**
 * Requests `url` from the app at `address` as a visitor of `origin` (`https://example.com`, or
 * `''` when pages are not keyed by host) would, without cookies or credentials, so the app's
 * middleware, guards and the cache see an ordinary anonymous request; the body is read and dropped.
 */
export function requestPage(
  address: AppAddress,
  origin: string,
  url: string,
  method: 'GET' | 'HEAD' = 'GET',
  timeoutMs = 30_000,
): Promise<WarmAnswer> {
  const { host, protocol } = origin
    ? new URL(origin)
    : { host: `${address.host}:${address.port}`, protocol: 'http:' };
  const headers: Record<string, string> = {
    host,
    accept: '*/*',
    'accept-encoding': 'gzip',
    [WARM_HEADER]: SECRET,
  };
  if (protocol === 'https:') headers['x-forwarded-proto'] = 'https';
  return new Promise((resolve, reject) => {
    const outgoing = request(
      { host: address.host, port: address.port, path: url, method, headers, timeout: timeoutMs },
      (response) => {
        response.resume();
        response.on('end', () => {
          const cache = response.headers['x-cache'];
          resolve({ status: response.statusCode ?? 0, cache: typeof cache === 'string' ? cache : undefined });
        });
        response.on('error', reject);
      },
    );
    outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    outgoing.on('error', reject);
    outgoing.end();
  });
}
