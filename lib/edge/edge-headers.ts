import { Logger } from '@nestjs/common';
import { surrogateKeysTooLongMessage } from '../cache-page.messages.js';
import { LOGGER_CONTEXT } from '../cache-page.internal-constants.js';
import type { ResolvedEdgeOptions } from '../options/edge-options.js';
import type { EdgePurger } from './edge-purger.js';

/** Response headers as `[name, value]` pairs. */
export type EdgeHeaderList = ReadonlyArray<readonly [name: string, value: string]>;

/** Lists built per distinct key list before the memo starts over. */
const MEMO_SIZE = 5_000;

/**
 * What the cache tells edges on the responses it answers. A hit of a page an edge may keep gets,
 * per purger, the page's surrogate keys in the edge's header and the edge's lifetime
 * (`max-age`); anything else the cache answers (a miss, whose render may have overlapped an
 * invalidation; a personal page) gets `no-store` in each lifetime header, so no edge keeps it.
 * A page whose keys do not fit an edge's header limit gets `no-store` there too: a key dropped
 * silently would be a page never purged.
 */
export class EdgeHeaders {
  /** Lower-case names of the headers the cache sets for edges (never stored with a page). */
  readonly names: ReadonlySet<string>;
  /** The headers of a response no edge may keep. */
  readonly uncacheable: EdgeHeaderList;
  private readonly maxAge: string;
  private readonly byKeys = new Map<string, EdgeHeaderList>();
  private readonly warned = new Set<EdgePurger>();
  private readonly logger = new Logger(LOGGER_CONTEXT);

  constructor(private readonly options: ResolvedEdgeOptions) {
    const lifetimes = [...new Set(options.purgers.map((purger) => purger.lifetimeHeader))];
    this.uncacheable = lifetimes.map((name) => [name, 'no-store'] as const);
    this.maxAge = `max-age=${Math.floor(options.ttl / 1_000)}`;
    this.names = new Set(
      options.purgers
        .flatMap((purger) => [purger.lifetimeHeader, purger.keyHeader])
        .map((name) => name.toLowerCase()),
    );
  }

  /** The headers of a hit: `surrogateKeys` as the entry stores them, `undefined` when no edge may keep it. */
  forHit(surrogateKeys: string | undefined): EdgeHeaderList {
    if (surrogateKeys === undefined) return this.uncacheable;
    let headers = this.byKeys.get(surrogateKeys);
    if (!headers) {
      headers = this.build(surrogateKeys);
      if (this.byKeys.size >= MEMO_SIZE) this.byKeys.clear();
      this.byKeys.set(surrogateKeys, headers);
    }
    return headers;
  }

  private build(surrogateKeys: string): EdgeHeaderList {
    const lifetimes = new Map<string, string>();
    const keys: Array<readonly [string, string]> = [];
    const count = surrogateKeys.split(' ').length;
    for (const purger of this.options.purgers) {
      const value =
        purger.keySeparator === ' ' ? surrogateKeys : surrogateKeys.replaceAll(' ', purger.keySeparator);
      if (Buffer.byteLength(value) > purger.maxKeyHeaderBytes) {
        this.warnOnce(purger, count, Buffer.byteLength(value));
        lifetimes.set(purger.lifetimeHeader, 'no-store');
        continue;
      }
      if (lifetimes.get(purger.lifetimeHeader) !== 'no-store')
        lifetimes.set(purger.lifetimeHeader, this.maxAge);
      keys.push([purger.keyHeader, value]);
    }
    return [...lifetimes, ...keys];
  }

  private warnOnce(purger: EdgePurger, count: number, bytes: number): void {
    if (this.warned.has(purger)) return;
    this.warned.add(purger);
    this.logger.warn(surrogateKeysTooLongMessage(purger.name, count, bytes, purger.maxKeyHeaderBytes));
  }
}
