import {
  invalidVarnishModeMessage,
  invalidVarnishUrlMessage,
  varnishPurgeRefusedMessage,
  varnishUnreachableMessage,
} from '../cache-page.messages.js';
import { EdgePurgeError, type EdgePurgeOptions, type EdgePurger } from './edge-purger.js';
import { keyBatches } from './key-batches.js';

/** How `VarnishPurger` reaches Varnish. @publicApi */
export interface VarnishPurgerOptions {
  /** Varnish's HTTP address as the app reaches it, e.g. `'http://127.0.0.1:6081'`. */
  readonly url: string;
  /**
   * `'xkey'` (default): `PURGE` requests with an `xkey-purge` header (`xkey-softpurge` for a soft
   * purge), which the xkey vmod answers by removing every object carrying one of the keys at once.
   * `'ban'`: `BAN` requests with an `x-cache-page-ban` header, which `cache-page.vcl` turns into a
   * ban on the keys stored with each object (a hard purge even when a soft one is asked for).
   */
  readonly mode?: 'xkey' | 'ban';
}

// Varnish's default http_req_hdr_len and http_resp_hdr_len are 8 KiB for a whole header line
// (name, ": ", value); the margin leaves room for the name and a proxy's rewriting.
const VARNISH_HEADER_VALUE_BYTES = 8_192 - 1_024;

/**
 * Keeps a Varnish in front of the app in step with the page store: pages carry their surrogate
 * keys in `xkey` and their edge lifetime in `Surrogate-Control`, and each purge is sent to Varnish
 * as `PURGE` (xkey vmod) or `BAN` requests, split so that each header fits Varnish's default
 * limits. Varnish must run the package's `varnish/cache-page.vcl` (see its header comment).
 *
 * @example
 * ```ts
 * CachePageModule.forRoot({
 *   edge: { purgers: [new VarnishPurger({ url: 'http://127.0.0.1:6081' })] },
 * });
 * ```
 *
 * @publicApi
 */
export class VarnishPurger implements EdgePurger {
  readonly name: string;
  readonly keyHeader = 'xkey';
  readonly keySeparator = ' ';
  readonly maxKeyHeaderBytes = VARNISH_HEADER_VALUE_BYTES;
  readonly lifetimeHeader = 'Surrogate-Control';
  private readonly url: string;
  private readonly mode: 'xkey' | 'ban';

  constructor(options: VarnishPurgerOptions) {
    const url: unknown = options?.url;
    if (typeof url !== 'string' || !URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol))
      throw new Error(invalidVarnishUrlMessage(url));
    const mode: unknown = options.mode ?? 'xkey';
    if (mode !== 'xkey' && mode !== 'ban') throw new Error(invalidVarnishModeMessage(mode));
    this.url = url;
    this.mode = mode;
    this.name = `Varnish at ${url}`;
  }

  /** Sends the keys in as many requests as the header limit needs, one after the other. */
  async purge(keys: readonly string[], { soft, signal }: EdgePurgeOptions): Promise<void> {
    const method = this.mode === 'ban' ? 'BAN' : 'PURGE';
    const header = this.mode === 'ban' ? 'x-cache-page-ban' : soft ? 'xkey-softpurge' : 'xkey-purge';
    const batches = keyBatches([...new Set(keys)], VARNISH_HEADER_VALUE_BYTES, ' ');
    for (const [index, batch] of batches.entries()) {
      const remaining = () => batches.slice(index).flat();
      let response: Response;
      try {
        response = await fetch(this.url, { method, headers: { [header]: batch.join(' ') }, signal });
        await response.arrayBuffer();
      } catch (error) {
        const reason = signal.aborted ? 'the purge was aborted' : describe(error);
        throw new EdgePurgeError(
          varnishUnreachableMessage(this.name, method, reason, remaining().length),
          remaining(),
          undefined,
          { cause: error },
        );
      }
      if (!response.ok) {
        const status = `${response.status} ${response.statusText}`.trim();
        throw new EdgePurgeError(
          varnishPurgeRefusedMessage(this.name, method, status, remaining().length),
          remaining(),
        );
      }
    }
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}
