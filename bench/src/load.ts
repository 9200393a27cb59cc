import autocannon from 'autocannon';

export interface LoadResult {
  readonly requestsPerSecond: number;
  readonly p99Ms: number;
  readonly errors: number;
  readonly non2xx: number;
}

/** Settings shared by every measurement, so scenarios are comparable. */
export const LOAD = { connections: 10, warmupSeconds: 1, durationSeconds: 2 } as const;

/** Warms a route up, then measures it under a fixed number of connections. */
export async function measure(url: string): Promise<LoadResult> {
  await run(url, LOAD.warmupSeconds);
  const result = await run(url, LOAD.durationSeconds);
  return {
    requestsPerSecond: result.requests.mean,
    p99Ms: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

function run(url: string, duration: number): Promise<autocannon.Result> {
  return autocannon({ url, connections: LOAD.connections, duration, pipelining: 1 });
}
