import { afterEach, expect, test } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { BlogInstance } from '../faults/fixtures/blog-instance.js';
import { compiledLibrary } from '../support/compiled-library.js';
import { canStartRedis, freePort, RedisServer } from '../support/redis-server.js';
import { describeIfAvailable, isReachable, POSTGRES_URL } from '../support/services.js';
import { availability, startVarnish, type VarnishServer } from '../support/varnish-server.js';
import { percentiles, staleReads, type Read } from './soak-reads.js';

/*
 * Two real app instances (Express and Fastify) on one PostgreSQL schema and one redis-server,
 * behind a real varnishd running the shipped VCL that takes them in turn (both instances' hits
 * reach Varnish, and both purge it). On one SQLite file, the two processes' reads time out on
 * its lock under this load. Instance A writes versions 1..N
 * of a post, one after the other; each write's answer comes once Varnish acknowledged its purge
 * (`waitForPurge`). Readers ask Varnish for the post and the home page all along. No read sent
 * after a write's answer may show an older version.
 */
const missing =
  availability() ??
  ((await canStartRedis()) ? undefined : 'redis-server not on PATH') ??
  ((await isReachable(POSTGRES_URL)) ? undefined : `PostgreSQL not reachable at ${POSTGRES_URL}`);
/** `SOAK_WRITES=2000 npm run soak:edge` runs longer. */
const WRITES = Number(process.env.SOAK_WRITES ?? 300);
const READERS = 4;
/** Between writes, so that Varnish keeps the pages again (a miss, then an app hit it stores). */
const PAUSE_MS = 100;
const soakLog = (label: string, ...details: unknown[]) => {
  if (process.env.SOAK_WRITES !== undefined) console.log(label, ...details);
};

let redis: RedisServer | undefined;
let varnish: VarnishServer | undefined;
let instances: BlogInstance[] = [];

afterEach(async () => {
  await Promise.all(instances.map((instance) => instance.kill()));
  instances = [];
  await varnish?.stop();
  await redis?.stop();
  [varnish, redis] = [undefined, undefined];
});

/** The version a page shows: `v<n>` in its text, 0 for the seeded title. */
const versionOf = (text: string): number => {
  if (/\bFirst title\b/.test(text)) return 0;
  const match = /\bv(\d+)\b/.exec(text);
  if (!match) throw new Error(`no version in ${JSON.stringify(text)}`);
  return Number(match[1]);
};

async function readUntil(url: string, path: string, done: () => boolean, reads: Read[]): Promise<void> {
  while (!done()) {
    const sentAt = performance.now();
    const response = await fetch(`${url}${path}`);
    const text = await response.text();
    if (response.status !== 200) throw new Error(`GET ${path} through Varnish: ${response.status} ${text}`);
    const fromVarnish = /^\d+ \d+$/.test(response.headers.get('x-varnish') ?? '');
    reads.push({ path, sentAt, version: versionOf(text), fromVarnish });
  }
}

describeIfAvailable(
  'varnishd with the xkey vmod, redis-server and PostgreSQL',
  missing,
  'soak: two instances behind Varnish, a writer waiting for its purges',
  () => {
    test(
      `${WRITES} writes: no read sent after a write's answer shows an older version`,
      async () => {
        redis = await RedisServer.start();
        const ports = [await freePort(), await freePort()];
        varnish = await startVarnish({ backend: ports.map((port) => ({ host: '127.0.0.1', port })) });
        const env = {
          CACHE_PAGE_LIB: await compiledLibrary(),
          REDIS_URL: redis.url,
          DB_KIND: 'postgresql',
          DB_URL: POSTGRES_URL,
          DB_SCHEMA: `cache_page_edge_soak_${randomBytes(4).toString('hex')}`,
          KEY_PREFIX: `edge-soak-${randomBytes(4).toString('hex')}:`,
          VARNISH_URL: varnish.url,
          EDGE_TIMINGS: '1',
        };
        const writer = await BlogInstance.start({
          ...env,
          ADAPTER: 'express',
          CREATE_SCHEMA: '1',
          PORT: String(ports[0]),
        });
        instances.push(writer);
        instances.push(await BlogInstance.start({ ...env, ADAPTER: 'fastify', PORT: String(ports[1]) }));

        const reads: Read[] = [];
        const answeredAt: number[] = [];
        let writing = true;
        const readers = Array.from({ length: READERS }, (_, index) =>
          readUntil(varnish!.url, index % 2 === 0 ? '/posts/hello' : '/', () => !writing, reads),
        );
        try {
          for (let version = 1; version <= WRITES; version++) {
            const written = await writer.write('hello', `v${version}`, 'flush');
            expect(written).toMatchObject({ status: 201, text: 'written' });
            answeredAt[version] = performance.now();
            await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
          }
        } finally {
          writing = false;
        }
        await Promise.all(readers);

        const stale = staleReads(reads, answeredAt);
        const windows = writer.output
          .filter((line) => line.startsWith('edge-window '))
          .map((line) => Number(line.split(' ')[2]));
        const fromVarnish = reads.filter((read) => read.fromVarnish).length;
        const counters = varnish.counters();
        const report = {
          reads: reads.length,
          fromVarnish,
          stale: stale.length,
          firstStale: stale.slice(0, 5),
          commitToPurgedMs: percentiles(windows),
          backendRequests: [counters['VBE.boot.app0.req'], counters['VBE.boot.app1.req']],
        };
        soakLog('edge soak', report);

        expect({ stale: stale.length, firstStale: stale.slice(0, 5) }).toEqual({ stale: 0, firstStale: [] });
        // Every write was purged within purgeTimeout: its answer meant Varnish had forgotten.
        expect(windows).toHaveLength(WRITES);
        expect(writer.output.join('\n')).not.toMatch(/did not acknowledge a purge|purging .* failed/);
        // Varnish really kept the pages between writes, from both instances, and the readers saw
        // the writes (a Varnish that never cached, or readers that never read, would prove nothing).
        expect(fromVarnish / reads.length).toBeGreaterThan(0.3);
        expect(report.backendRequests.every((count) => (count ?? 0) > WRITES / 2)).toBe(true);
        expect(new Set(reads.map((read) => read.version)).size).toBeGreaterThan(WRITES / 2);
      },
      120_000 + WRITES * 1_000,
    );
  },
);
