import type { EdgePurgeOptions, EdgePurger } from '../edge-purger.js';
import { BatchFailure, purgeInBatches } from './batched-purge.js';
import { postJson, providerText, transportProblem } from './cdn-api-request.js';
import { readApiUrl, readId, readToken } from './purger-options.js';

/** Options of `CloudflarePurger`. */
export interface CloudflarePurgerOptions {
  /** The zone's ID (32 hex characters, on the zone's Overview page), not its domain name. */
  readonly zoneId: string;
  /** A Cloudflare API token with the Zone, Cache Purge, Purge permission on that zone. Never logged. */
  readonly token: string;
  /** Where Cloudflare's API is; default `https://api.cloudflare.com`. For a proxy or a test server. */
  readonly apiUrl?: string;
}

const CLOUDFLARE_API = 'https://api.cloudflare.com';
/** Cloudflare takes up to 100 tags per purge request, on every plan. */
const MAX_TAGS_PER_REQUEST = 100;
/** Purge requests are rate-limited per account (Free: 5 a minute), so one at a time. */
const CONCURRENCY = 1;
const PURGER = 'CloudflarePurger';

/**
 * Keeps a Cloudflare zone in step with the page cache: pages carry their surrogate keys in
 * `Cache-Tag` (comma-separated, as Cloudflare reads it; removed before the visitor) and their edge
 * lifetime in `Cloudflare-CDN-Cache-Control` (read by Cloudflare only, never passed on), and keys
 * are purged by tag (`POST /client/v4/zones/{zoneId}/purge_cache`, `{"tags": [...]}`, up to 100
 * tags per request, one request at a time). Cloudflare has no soft purge by tag, so `soft` is
 * ignored. A `429` (the plan's purge rate limit) is retried after its `Retry-After`.
 *
 * The token needs the Zone, Cache Purge, Purge permission; it is sent only in the
 * `Authorization` header and never appears in a log or an error.
 *
 * @example
 * ```ts
 * CachePageModule.forRoot({
 *   edge: {
 *     purgers: [
 *       new CloudflarePurger({
 *         zoneId: process.env.CLOUDFLARE_ZONE_ID!,
 *         token: process.env.CLOUDFLARE_API_TOKEN!,
 *       }),
 *     ],
 *   },
 * });
 * ```
 *
 * @publicApi
 */
export class CloudflarePurger implements EdgePurger {
  readonly name: string;
  readonly keyHeader = 'Cache-Tag';
  readonly keySeparator = ',';
  /** Cloudflare reads `Cache-Tag` up to 16 KB in all (counted conservatively as 16,000 bytes). */
  readonly maxKeyHeaderBytes = 16_000;
  readonly lifetimeHeader = 'Cloudflare-CDN-Cache-Control';

  private readonly zoneId: string;
  /** A private field, so the token never shows in JSON.stringify() or util.inspect() of the purger. */
  readonly #token: string;
  private readonly apiUrl: string;
  private readonly purgeUrl: string;

  constructor(options: CloudflarePurgerOptions) {
    const given = (options ?? {}) as Partial<CloudflarePurgerOptions>;
    this.zoneId = readId(
      PURGER,
      'zoneId',
      given.zoneId,
      `Pass the Zone ID shown on the zone's Overview page in the Cloudflare dashboard, e.g. ` +
        `new CloudflarePurger({ zoneId: process.env.CLOUDFLARE_ZONE_ID!, token: process.env.CLOUDFLARE_API_TOKEN! }).`,
    );
    this.#token = readToken(
      PURGER,
      given.token,
      `Pass a Cloudflare API token with the Zone, Cache Purge, Purge permission (My Profile, API Tokens), ` +
        `e.g. token: process.env.CLOUDFLARE_API_TOKEN!, and check that the variable is set and trimmed.`,
    );
    this.apiUrl = readApiUrl(PURGER, given.apiUrl, CLOUDFLARE_API);
    this.purgeUrl = `${this.apiUrl}/client/v4/zones/${this.zoneId}/purge_cache`;
    this.name =
      `Cloudflare zone ${this.zoneId}` + (this.apiUrl === CLOUDFLARE_API ? '' : ` at ${this.apiUrl}`);
  }

  purge(keys: readonly string[], { signal }: EdgePurgeOptions): Promise<void> {
    return purgeInBatches(keys, {
      name: this.name,
      maxKeysPerRequest: MAX_TAGS_PER_REQUEST,
      concurrency: CONCURRENCY,
      signal,
      send: (batch) => this.send(batch, signal),
    });
  }

  private async send(batch: readonly string[], signal: AbortSignal): Promise<void> {
    let answer;
    try {
      answer = await postJson(
        this.purgeUrl,
        { Authorization: `Bearer ${this.#token}` },
        { tags: batch },
        signal,
      );
    } catch (error) {
      throw new BatchFailure(transportProblem(error, signal, this.apiUrl), batch, undefined, {
        cause: error,
      });
    }
    const { status, json, retryAfterMs } = answer;
    const body = json as { success?: unknown; errors?: unknown } | undefined;
    if (status >= 200 && status < 300 && body?.success === true) return;
    throw new BatchFailure(this.describeRefusal(status, body), batch, retryAfterMs);
  }

  private describeRefusal(status: number, body: { success?: unknown; errors?: unknown } | undefined): string {
    const errors = Array.isArray(body?.errors)
      ? (body.errors as Array<{ code?: unknown; message?: unknown }>)
      : [];
    const said = errors
      .map((error) =>
        [error?.code, error?.message].filter((part) => part !== undefined && part !== '').join(' '),
      )
      .filter((text) => text !== '')
      .join('; ');
    const what =
      status >= 200 && status < 300
        ? body?.success === false
          ? `Cloudflare answered HTTP ${status} with success: false`
          : `Cloudflare answered HTTP ${status} without its JSON result`
        : `Cloudflare answered HTTP ${status}`;
    const codes = errors.map((error) => error?.code);
    return `${what}${said === '' ? '' : ` (${providerText(said, this.#token)})`}. ${cloudflareFix(status, codes, this.zoneId)}`;
  }
}

function cloudflareFix(status: number, codes: readonly unknown[], zoneId: string): string {
  // 10000: "Authentication error"; 9109: "Unauthorized to access requested resource".
  if (status === 401 || status === 403 || codes.includes(10000) || codes.includes(9109))
    return (
      `Check the token: it must be an API token (not the Global API Key) with the ` +
      `Zone, Cache Purge, Purge permission on zone ${zoneId}.`
    );
  // 7003: "Could not route to /zones/…, perhaps your object identifier is invalid?"
  if (status === 404 || codes.includes(7003))
    return `Check "zoneId" (${zoneId}): it is the zone's 32-character ID, not its domain name.`;
  if (status === 429)
    return `Cloudflare's purge rate limit for the account's plan was reached (Free: 5 requests a minute); the keys are purged again after its Retry-After.`;
  if (status >= 500) return `Cloudflare's API failed; the keys are purged again.`;
  if (status >= 200 && status < 300)
    return `If "apiUrl" points at a proxy, check that it passes Cloudflare's answer on unchanged.`;
  return `Cloudflare refused the request; if "apiUrl" points at a proxy, check that it forwards requests unchanged.`;
}
