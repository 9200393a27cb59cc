/** How often the coarse clock reads the time, ms. */
const TICK_MS = 100;

let now = Date.now();
let ticking: NodeJS.Timeout | undefined;

/**
 * The time to within `TICK_MS`, for bookkeeping on every hit (when a page was last served)
 * where reading the clock per request would cost more than the rest of it. Starts ticking on
 * first use; the timer never keeps the process alive.
 */
export function coarseNow(): number {
  if (!ticking) {
    now = Date.now();
    ticking = setInterval(() => (now = Date.now()), TICK_MS);
    ticking.unref();
  }
  return now;
}
