import type { EdgePurgeOptions, EdgePurger } from '../edge-purger.js';
import { BatchFailure, purgeInBatches } from './batched-purge.js';
import { postJson, providerText, transportProblem } from './cdn-api-request.js';
import { readApiUrl, readId, readToken } from './purger-options.js';

/** Options of `FastlyPurger`. */
export interface FastlyPurgerOptions {
  /** The ID of the Fastly service that caches the pages (Fastly console, the service's page). */
  readonly serviceId: string;
  /** A Fastly API token with the `purge_select` scope on that service. Never logged. */
  readonly token: string;
  /** Where Fastly's API is; default `https://api.fastly.com`. For a proxy or a test server. */
  readonly apiUrl?: string;
}

const FASTLY_API = 'https://api.fastly.com';
/** Fastly's batch surrogate-key purge takes up to 256 keys per request. */
const MAX_KEYS_PER_REQUEST = 256;
/** Surrogate-key purges are not rate-limited by Fastly; a few at once keep a large purge short. */
const CONCURRENCY = 4;
const PURGER = 'FastlyPurger';

/**
 * Keeps a Fastly service in step with the page cache: pages carry their surrogate keys in
 * `Surrogate-Key` and their edge lifetime in `Surrogate-Control` (which Fastly removes before the
 * visitor), and keys are purged with Fastly's batch purge
 * (`POST /service/{serviceId}/purge`, `{"surrogate_keys": [...]}`, up to 256 keys per request),
 * soft (`Fastly-Soft-Purge: 1`, objects marked stale) where the route allows a stale page.
 *
 * The token needs the `purge_select` scope; it is sent only in the `Fastly-Key` header and never
 * appears in a log or an error.
 *
 * @example
 * ```ts
 * CachePageModule.forRoot({
 *   edge: {
 *     purgers: [
 *       new FastlyPurger({
 *         serviceId: process.env.FASTLY_SERVICE_ID!,
 *         token: process.env.FASTLY_API_TOKEN!,
 *       }),
 *     ],
 *   },
 * });
 * ```
 *
 * @publicApi
 */
export class FastlyPurger implements EdgePurger {
  readonly name: string;
  readonly keyHeader = 'Surrogate-Key';
  readonly keySeparator = ' ';
  /** Fastly reads `Surrogate-Key` up to 16,384 bytes and ignores keys beyond. */
  readonly maxKeyHeaderBytes = 16_384;
  readonly lifetimeHeader = 'Surrogate-Control';

  private readonly serviceId: string;
  /** A private field, so the token never shows in JSON.stringify() or util.inspect() of the purger. */
  readonly #token: string;
  private readonly apiUrl: string;
  private readonly purgeUrl: string;

  constructor(options: FastlyPurgerOptions) {
    const given = (options ?? {}) as Partial<FastlyPurgerOptions>;
    this.serviceId = readId(
      PURGER,
      'serviceId',
      given.serviceId,
      `Pass the ID shown on the service's page in the Fastly console, e.g. ` +
        `new FastlyPurger({ serviceId: process.env.FASTLY_SERVICE_ID!, token: process.env.FASTLY_API_TOKEN! }).`,
    );
    this.#token = readToken(
      PURGER,
      given.token,
      `Pass a Fastly API token with the purge_select scope (Fastly console, Account, API tokens), ` +
        `e.g. token: process.env.FASTLY_API_TOKEN!, and check that the variable is set and trimmed.`,
    );
    this.apiUrl = readApiUrl(PURGER, given.apiUrl, FASTLY_API);
    this.purgeUrl = `${this.apiUrl}/service/${this.serviceId}/purge`;
    this.name = `Fastly service ${this.serviceId}` + (this.apiUrl === FASTLY_API ? '' : ` at ${this.apiUrl}`);
  }

  purge(keys: readonly string[], { soft, signal }: EdgePurgeOptions): Promise<void> {
    return purgeInBatches(keys, {
      name: this.name,
      maxKeysPerRequest: MAX_KEYS_PER_REQUEST,
      concurrency: CONCURRENCY,
      signal,
      send: (batch) => this.send(batch, soft, signal),
    });
  }

  private async send(batch: readonly string[], soft: boolean, signal: AbortSignal): Promise<void> {
    const headers: Record<string, string> = { 'Fastly-Key': this.#token };
    if (soft) headers['Fastly-Soft-Purge'] = '1';
    let answer;
    try {
      answer = await postJson(this.purgeUrl, headers, { surrogate_keys: batch }, signal);
    } catch (error) {
      throw new BatchFailure(transportProblem(error, signal, this.apiUrl), batch, undefined, {
        cause: error,
      });
    }
    const { status, json, retryAfterMs } = answer;
    if (status >= 200 && status < 300) {
      // Fastly answers each key with its purge ID; a key it does not name was not purged.
      if (json === null || typeof json !== 'object' || Array.isArray(json)) {
        throw new BatchFailure(
          `Fastly answered HTTP ${status} without its JSON object of purge IDs. ` +
            `If "apiUrl" points at a proxy, check that it passes Fastly's answer on unchanged.`,
          batch,
        );
      }
      const missing = batch.filter((key) => !Object.hasOwn(json, key));
      if (missing.length > 0) {
        throw new BatchFailure(
          `Fastly's answer named no purge ID for ${missing.length} of ${batch.length} key(s); they are purged again.`,
          missing,
        );
      }
      return;
    }
    throw new BatchFailure(this.describeRefusal(status, json), batch, retryAfterMs);
  }

  private describeRefusal(status: number, json: unknown): string {
    const body = json as { msg?: unknown; detail?: unknown } | undefined;
    const said = [body?.msg, body?.detail].filter((part) => typeof part === 'string' && part !== '');
    const text = said.length > 0 ? ` (${providerText(said.join(': '), this.#token)})` : '';
    return `Fastly answered HTTP ${status}${text}. ${fastlyFix(status, this.serviceId)}`;
  }
}

function fastlyFix(status: number, serviceId: string): string {
  if (status === 401 || status === 403)
    return `Check the token: it must be a Fastly API token with the purge_select scope on service ${serviceId}.`;
  if (status === 404)
    return `Check "serviceId" (${serviceId}): it is the service's ID, not its name or domain.`;
  if (status === 429) return `Fastly asked to slow down; the keys are purged again after its Retry-After.`;
  if (status >= 500) return `Fastly's API failed; the keys are purged again.`;
  return `Fastly refused the request; if "apiUrl" points at a proxy, check that it forwards requests unchanged.`;
}
