import type { CachedPage } from '../store/page-store.js';

interface Flight {
  pathEpoch: string | undefined;
  globalEpoch: string | undefined;
  readonly result: Promise<CachedPage | undefined>;
}

/** A render registered by `begin()`; `finish()` hands its page (or nothing) to the waiters. */
export interface FlightHandle {
  finish(page: CachedPage | undefined): void;
  /**
   * The render runs under these epochs (created for a first render): a lookup that reads them
   * may join it, as it would be served the page once stored.
   */
  runsUnder(pathEpoch: string, globalEpoch: string): void;
}

/**
 * Single-flight for page renders in this process: concurrent misses of one key wait for the
 * render already running instead of running the handler again. A waiter joins only a render
 * whose own lookup read the same epochs as the waiter's, so a render that began before an
 * invalidation is never handed to a request that arrived after it. A render registers right
 * after its lookup, before any further await, so that lookups finishing later find it.
 */
export class InFlightRenders {
  private readonly flights = new Map<string, Flight>();

  /** The page of the render running for `key` under exactly these epochs, if there is one. */
  join(key: string, pathEpoch: string | undefined, globalEpoch: string | undefined) {
    const flight = this.flights.get(key);
    if (!flight || flight.pathEpoch !== pathEpoch || flight.globalEpoch !== globalEpoch) return undefined;
    return flight.result;
  }

  /** Whether a render of `key` is running (under any epochs). */
  running(key: string): boolean {
    return this.flights.has(key);
  }

  /** Registers a render of `key` whose lookup read these epochs, replacing an older one. */
  begin(key: string, pathEpoch: string | undefined, globalEpoch: string | undefined): FlightHandle {
    let finish!: (page: CachedPage | undefined) => void;
    const flight: Flight = { pathEpoch, globalEpoch, result: new Promise((resolve) => (finish = resolve)) };
    this.flights.set(key, flight);
    return {
      runsUnder: (pathEpoch, globalEpoch) => {
        flight.pathEpoch = pathEpoch;
        flight.globalEpoch = globalEpoch;
      },
      finish: (page) => {
        if (this.flights.get(key) === flight) this.flights.delete(key);
        finish(page);
      },
    };
  }
}
