import type { PageEntry, RenderEpochs } from '../store/page-entry.js';

interface Flight {
  readonly epochs: RenderEpochs;
  readonly result: Promise<PageEntry | undefined>;
}

/** A render registered by `begin()`; `finish()` hands its page (or nothing) to the waiters. */
export interface FlightHandle {
  finish(entry: PageEntry | undefined): void;
}

/**
 * Single-flight for page renders in this process: concurrent misses of one key wait for the
 * render already running instead of running the handler again. A waiter joins only a render
 * that began under the epochs the waiter itself just read, so a render that began before an
 * invalidation is never handed to a request that arrived after it.
 */
export class InFlightRenders {
  private readonly flights = new Map<string, Flight>();

  /** The page of the render running for `key` under exactly these epochs, if there is one. */
  join(key: string, pathEpoch: string | undefined, globalEpoch: string | undefined) {
    const flight = this.flights.get(key);
    if (!flight || flight.epochs[0] !== pathEpoch || flight.epochs[1] !== globalEpoch) return undefined;
    return flight.result;
  }

  /** Registers a render of `key` under `epochs`, replacing an older one for the same key. */
  begin(key: string, epochs: RenderEpochs): FlightHandle {
    let finish!: (entry: PageEntry | undefined) => void;
    const flight: Flight = { epochs, result: new Promise((resolve) => (finish = resolve)) };
    this.flights.set(key, flight);
    return {
      finish: (entry) => {
        if (this.flights.get(key) === flight) this.flights.delete(key);
        finish(entry);
      },
    };
  }
}
