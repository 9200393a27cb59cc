/** How one purge is sent. */
export interface EdgePurgeOptions {
  /**
   * Mark the objects stale instead of removing them, where the edge can (Fastly, Varnish xkey),
   * for routes that allow a stale page while the edge refetches. Edges that cannot ignore it.
   */
  readonly soft: boolean;
  /** Aborted when the purge must give up (the module's per-attempt deadline). */
  readonly signal: AbortSignal;
}

/**
 * An edge cache (Varnish, a CDN) the module keeps in step with its store: how a page tells it
 * which surrogate keys the page carries and how long to keep it, and how keys are purged.
 *
 * Surrogate keys are short lower-case hex strings (`[0-9a-f]+`): the same on every instance of
 * an app, one per dependency key of a page (its path, every page, the data it read), so one purge
 * of a key forgets every variant of the pages under it. The module adds them to each
 * edge-cacheable response, retries failed purges with backoff and never lets one purger's failure
 * delay another.
 *
 * @publicApi
 */
export interface EdgePurger {
  /** Names the edge in logs and errors, e.g. `'Varnish at http://127.0.0.1:6081'`. */
  readonly name: string;
  /** The response header the edge reads a page's surrogate keys from (`'xkey'`, `'Surrogate-Key'`, `'Cache-Tag'`). */
  readonly keyHeader: string;
  /** What separates keys in that header. */
  readonly keySeparator: ' ' | ',';
  /**
   * The longest value of that header the edge reads in full, in bytes. A page whose keys would
   * not fit is sent without an edge lifetime (never with some of its keys dropped).
   */
  readonly maxKeyHeaderBytes: number;
  /** The response header that gives the edge, and only the edge, its lifetime: `'Surrogate-Control'` or `'Cloudflare-CDN-Cache-Control'`. */
  readonly lifetimeHeader: string;
  /**
   * Purges every object carrying any of `keys`, splitting them into as many requests as the
   * edge's limits need. Resolves once the edge acknowledged every key; otherwise rejects with an
   * `EdgePurgeError` naming the keys still to purge (the module retries those).
   */
  purge(keys: readonly string[], options: EdgePurgeOptions): Promise<void>;
}

/**
 * A purge the edge did not acknowledge (unreachable, timed out, refused, rate-limited).
 *
 * @publicApi
 */
export class EdgePurgeError extends Error {
  override readonly name = 'EdgePurgeError';

  constructor(
    message: string,
    /** The keys the edge has not acknowledged yet. */
    readonly remaining: readonly string[],
    /** How long the edge asked to wait before the next attempt (`Retry-After`), ms. */
    readonly retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
