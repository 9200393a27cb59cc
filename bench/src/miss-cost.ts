import { SERVERS, startServer, type ChildServer } from './child-server.js';
import { PageClient } from './page-client.js';
import type { SampleMode } from './sample-server.js';

/** The sample's post page: two queries (the post with its author and tags, its comments) and a template. */
export const MISS_PAGE = '/posts/caching-whole-pages';

/** Sequential misses of one mode. */
export interface MissCost {
  readonly mode: SampleMode;
  readonly requests: number;
  readonly medianMs: number;
  readonly p99Ms: number;
  readonly meanMs: number;
  /** Measured responses whose `X-Cache` was not `MISS` (cached modes only; should be 0). */
  readonly notMiss: number;
  /** Responses that were not 200. */
  readonly failed: number;
}

/** How many requests, and how they take turns between the servers. */
export interface MissCostOptions {
  readonly modes: readonly SampleMode[];
  readonly warmup: number;
  readonly requests: number;
  /** Requests a server gets before the next server's turn. */
  readonly block: number;
}

/**
 * What a miss costs in each mode: every request names a new query-string variant of the post page
 * (`?miss=<n>`), so each is a render and, in the cached modes, a store (and in `page-cache-auto`,
 * the capture of what the render read). The servers (one per mode, each on its own fresh
 * database) run side by side and take turns, `block` requests each, so a slow moment of the
 * machine lands on every mode; `warmup` requests per server first are not counted.
 */
export async function missCost(options: MissCostOptions): Promise<MissCost[]> {
  const servers: ChildServer[] = [];
  try {
    for (const mode of options.modes)
      servers.push(
        await startServer({ BENCH_MODE: mode, BENCH_ADAPTER: 'express', BENCH_DB_FILE: '' }, SERVERS.sample),
      );
    const tallies = options.modes.map((mode, index) => new MissTally(mode, servers[index].baseUrl));
    for (const tally of tallies) await tally.send(options.warmup, false);
    for (let sent = 0; sent < options.requests; sent += options.block)
      for (const tally of tallies) await tally.send(Math.min(options.block, options.requests - sent), true);
    for (const tally of tallies) tally.close();
    return tallies.map((tally) => tally.result());
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
  }
}

/** The requests sent to one server and what they took. */
class MissTally {
  private readonly client: PageClient;
  private readonly times: number[] = [];
  private next = 0;
  private notMiss = 0;
  private failed = 0;

  constructor(
    private readonly mode: SampleMode,
    baseUrl: string,
  ) {
    this.client = new PageClient(baseUrl);
  }

  async send(count: number, counted: boolean): Promise<void> {
    for (let i = 0; i < count; i++) {
      const response = await this.client.get(`${MISS_PAGE}?miss=${this.next++}`);
      if (!counted) continue;
      this.times.push(response.ms);
      if (response.status !== 200) this.failed++;
      if (this.mode !== 'floor' && response.cache !== 'MISS') this.notMiss++;
    }
  }

  close(): void {
    this.client.close();
  }

  result(): MissCost {
    const sorted = [...this.times].sort((a, b) => a - b);
    return {
      mode: this.mode,
      requests: sorted.length,
      medianMs: percentile(sorted, 0.5),
      p99Ms: percentile(sorted, 0.99),
      meanMs: sorted.reduce((sum, ms) => sum + ms, 0) / sorted.length,
      notMiss: this.notMiss,
      failed: this.failed,
    };
  }
}

/** The value below which a share `p` of the sorted values lie (nearest rank). */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}
