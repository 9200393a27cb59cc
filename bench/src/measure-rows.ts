import { SERVERS, startServer, type ChildServer } from './child-server.js';
import { measure, type LoadResult } from './load.js';
import { rawEnv, rowHeaders, serverKey, type Row, type ServerSpec } from './scenarios.js';
import { startVarnish } from './varnish.js';

/** One row measured in one round. */
export interface RowSample extends LoadResult {
  /** Handler calls while the row was measured (probes and load), when the server counts them. */
  readonly handlerCalls?: number;
  /** `X-Cache` and `Content-Encoding` of the second probe request, as the load's requests see it. */
  readonly answeredAs: string;
}

export type Samples = Map<string, RowSample[]>;

/**
 * Measures every row `rounds` times: in each round every server starts in its own process, its
 * rows are measured one after the other, and it stops, so rounds interleave the variants.
 */
export async function measureRows(
  rows: readonly Row[],
  rounds: number,
  env: { redisUrl: string; keyPrefix: string },
): Promise<Samples> {
  const samples: Samples = new Map();
  const groups = new Map<string, Row[]>();
  for (const row of rows)
    groups.set(serverKey(row.server), [...(groups.get(serverKey(row.server)) ?? []), row]);
  for (let round = 1; round <= rounds; round++) {
    for (const [index, group] of [...groups.values()].entries()) {
      // A prefix per server: one server's entries (stored with or without the fast path) are
      // never what another server's rows measure.
      const server = await start(group[0].server, { ...env, keyPrefix: `${env.keyPrefix}${index}:` });
      try {
        for (const row of group) {
          const sample = await measureRow(server, row);
          samples.set(row.id, [...(samples.get(row.id) ?? []), sample]);
          process.stderr.write(
            `  [${round}/${rounds}] ${row.id}: ${Math.round(sample.requestsPerSecond)} req/s (${sample.answeredAs})\n`,
          );
        }
      } finally {
        await server.stop();
      }
    }
  }
  return samples;
}

async function measureRow(server: ChildServer, row: Row): Promise<RowSample> {
  const { baseUrl } = server;
  const url = `${baseUrl}${row.path}`;
  const headers = rowHeaders(row);
  const before = await handlerCalls(baseUrl);
  await probe(url, headers);
  const answeredAs = await probe(url, headers);
  const load = await measure(url, headers, server.pid);
  const after = await handlerCalls(baseUrl);
  return {
    ...load,
    answeredAs,
    handlerCalls: before === undefined || after === undefined ? undefined : after - before,
  };
}

async function probe(url: string, headers: Record<string, string>): Promise<string> {
  const response = await fetch(url, { headers: { 'accept-encoding': 'identity', ...headers } });
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  const via =
    response.headers.get('x-cache') ??
    (response.headers.get('x-varnish')?.includes(' ') ? 'Varnish hit' : '–');
  return `${via}${response.headers.get('content-encoding') ? ` ${response.headers.get('content-encoding')}` : ''}`;
}

/** The benchmark app's handler count (POST /renders, which no cache keeps); undefined elsewhere. */
export async function handlerCalls(baseUrl: string): Promise<number | undefined> {
  const response = await fetch(`${baseUrl}/renders`, { method: 'POST' }).catch(() => undefined);
  if (!response?.ok || !response.headers.get('content-type')?.includes('json')) return undefined;
  return ((await response.json()) as { renders: number }).renders;
}

async function start(spec: ServerSpec, env: { redisUrl: string; keyPrefix: string }): Promise<ChildServer> {
  if (spec.kind === 'raw') return startServer(rawEnv(spec), SERVERS.raw);
  if (spec.kind === 'varnish') {
    const backend = await startServer({ BENCH_MODE: 'floor', BENCH_ADAPTER: 'express' });
    const varnish = await startVarnish(backend).catch(async (error: unknown) => {
      await backend.stop();
      throw error;
    });
    return { ...varnish, stop: () => varnish.stop().then(() => backend.stop()) };
  }
  return startServer(
    {
      BENCH_MODE: spec.mode,
      BENCH_ADAPTER: spec.adapter,
      BENCH_STORE: spec.store,
      BENCH_REDIS_URL: env.redisUrl,
      BENCH_KEY_PREFIX: env.keyPrefix,
    },
    SERVERS[spec.app],
  );
}
