import { createClient } from '@keyv/redis';
import autocannon from 'autocannon';
import { startServer } from './child-server.js';
import {
  commandCounts,
  commandsBetween,
  deleteKeys,
  netOutputBytes,
  type RedisClient,
} from './redis-stats.js';
import type { Adapter, Mode } from './server.js';

/** What Redis did per hit on the 20 KB page: commands by name, and bytes it sent. */
export interface RedisPerHit {
  readonly adapter: Adapter;
  readonly mode: Mode;
  readonly commands: Record<string, number>;
  readonly bytesOut: number;
  readonly pageBytes: number;
}

const HITS = 2_000;

/** 2,000 hits on one cached page, counted with INFO commandstats and INFO stats. */
export async function redisPerHit(redisUrl: string, adapter: Adapter, mode: Mode): Promise<RedisPerHit> {
  const keyPrefix = `bench-hits:${process.pid}:`;
  const server = await startServer({
    BENCH_MODE: mode,
    BENCH_ADAPTER: adapter,
    BENCH_STORE: 'redis',
    BENCH_REDIS_URL: redisUrl,
    BENCH_KEY_PREFIX: keyPrefix,
  });
  const client = createClient({ url: redisUrl });
  await client.connect();
  const stats = client as unknown as RedisClient;
  try {
    const url = `${server.baseUrl}/page`;
    const pageBytes = (await (await fetch(url)).arrayBuffer()).byteLength;
    await (await fetch(url)).arrayBuffer();
    const bytesBefore = await netOutputBytes(stats);
    const before = await commandCounts(stats);
    await autocannon({ url, connections: 10, amount: HITS });
    const after = await commandCounts(stats);
    const bytesAfter = await netOutputBytes(stats);
    const infoReplies = before.replyBytes + after.replyBytes + bytesBefore.replyBytes;
    return {
      adapter,
      mode,
      commands: Object.fromEntries(
        Object.entries(commandsBetween(before.counts, after.counts)).map(([name, calls]) => [
          name,
          calls / HITS,
        ]),
      ),
      bytesOut: (bytesAfter.total - bytesBefore.total - infoReplies) / HITS,
      pageBytes,
    };
  } finally {
    await server.stop();
    await deleteKeys(stats, keyPrefix);
    await client.quit();
  }
}

/** The per-hit table. */
export function redisPerHitTable(results: readonly RedisPerHit[]): string {
  return [
    '| adapter | path | Redis commands per hit | bytes from Redis per hit | page bytes |',
    '|---|---|---|---:|---:|',
    ...results.map(
      (r) =>
        `| ${r.adapter} | ${r.mode === 'page-cache' ? 'fast path (defaults)' : 'interceptor path (fastPath: false)'} | ` +
        `${Object.entries(r.commands)
          .filter(([, calls]) => calls >= 0.005)
          .map(([name, calls]) => `${name.toUpperCase()} × ${calls.toFixed(2)}`)
          .join(
            ', ',
          )} | ${Math.round(r.bytesOut).toLocaleString('en')} | ${r.pageBytes.toLocaleString('en')} |`,
    ),
  ].join('\n');
}
