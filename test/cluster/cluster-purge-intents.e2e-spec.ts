import { afterAll, afterEach, beforeAll, expect, test } from '@jest/globals';
import KeyvRedis from '@keyv/redis';
import { createCache } from 'cache-manager';
import { Keyv } from 'keyv';
import { RedisClusterBackend } from '../../lib/store/backends/redis-cluster-backend.js';
import { findRedisCluster } from '../../lib/store/backends/redis-cluster-client.js';
import { RedisCluster } from '../support/redis-cluster.js';
import { canStartRedis } from '../support/redis-server.js';
import { describeWithService } from '../support/services.js';
import { uniquePrefix } from '../support/stores.js';

/*
 * Purge intents and writer heartbeats of the Redis Cluster backend, on a cluster of the suite's
 * own (three masters) through @keyv/redis cluster clients at their default settings: the intents
 * hash and the liveness keys its scripts check share bucket 0's slot, an intent is claimed only
 * once its writer stopped showing it is alive, and each heartbeat reason ends on its own.
 */
const redisStarts = await canStartRedis();
const BUCKETS = 16;
/** The writer's liveness (3 s) and slack. */
const LAPSES_WITHIN_MS = 6_000;

let cluster: RedisCluster | undefined;
let opened: Array<{ backend: RedisClusterBackend; keyv: KeyvRedis<unknown> }> = [];

/** A cluster backend as `createPageStore` builds it, over a client of its own (one per instance). */
function instance(keyPrefix: string): RedisClusterBackend {
  const keyv = new KeyvRedis({ rootNodes: cluster!.rootNodes });
  const found = findRedisCluster(createCache({ stores: [new Keyv({ store: keyv })] }));
  if (!found) throw new Error('findRedisCluster did not find the cluster client');
  const backend = new RedisClusterBackend(found, keyPrefix);
  opened.push({ backend, keyv });
  return backend;
}

/** Runs a command on the node serving `key`. */
async function at(key: string, ...args: string[]): Promise<string> {
  return (await cluster!.nodeOf(key)).cli(...args);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Which buckets hold `writer`'s liveness key now. */
async function aliveIn(keyPrefix: string, writer: string): Promise<number[]> {
  const buckets: number[] = [];
  for (let bucket = 0; bucket < BUCKETS; bucket++) {
    const key = `${keyPrefix}{b${bucket}}writer:${writer}`;
    if ((await at(key, 'EXISTS', key)) === '1') buckets.push(bucket);
  }
  return buckets;
}

/** Deletes `writer`'s liveness keys in every bucket. */
async function forget(keyPrefix: string, writer: string): Promise<void> {
  for (let bucket = 0; bucket < BUCKETS; bucket++) {
    const key = `${keyPrefix}{b${bucket}}writer:${writer}`;
    await at(key, 'DEL', key);
  }
}

/** Polls until `check` holds, for up to `withinMs`. */
async function until(what: string, check: () => Promise<boolean>, withinMs = LAPSES_WITHIN_MS) {
  const deadline = Date.now() + withinMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${withinMs} ms`);
    await sleep(100);
  }
}

describeWithService(
  'redis-server',
  'redis-server on PATH',
  redisStarts,
  'purge intents on a Redis Cluster',
  () => {
    beforeAll(async () => {
      cluster = await RedisCluster.start(3);
    }, 60_000);

    afterEach(async () => {
      for (const { backend, keyv } of opened) {
        backend.dispose();
        await keyv.disconnect();
      }
      opened = [];
    });

    afterAll(async () => {
      await cluster?.stop();
    });

    test('an intent is kept in bucket 0, and claimed by another instance once its writer is dead', async () => {
      const keyPrefix = uniquePrefix('cluster-intents');
      const [a, b] = [instance(keyPrefix), instance(keyPrefix)];
      const hash = `${keyPrefix}{b0}edge-intents`;

      const recordedAt = Date.now();
      await a.purgeIntents.record({ id: 'i1', keys: ['k1', 'k2'] }, 'writer-a');
      expect(JSON.parse(await at(hash, 'HGET', hash, 'i1'))).toEqual({ w: 'writer-a', k: ['k1', 'k2'] });
      expect(await aliveIn(keyPrefix, 'writer-a')).toEqual([0]); // recorded with its liveness, atomically
      expect(await b.purgeIntents.claim('writer-b')).toEqual([]);

      // writer-a never beats (a process killed right after recording): its liveness (3 s from the
      // recording) lapses, and only then may another instance claim the intent.
      let claimed: readonly unknown[] = [];
      await until('the intent was claimed', async () => {
        claimed = await b.purgeIntents.claim('writer-b');
        return claimed.length > 0;
      });
      expect(Date.now() - recordedAt).toBeGreaterThan(2_500);
      expect(claimed).toEqual([{ id: 'i1', keys: ['k1', 'k2'] }]);
      expect(JSON.parse(await at(hash, 'HGET', hash, 'i1'))).toEqual({ w: 'writer-b', k: ['k1', 'k2'] });
      expect(await a.purgeIntents.claim('writer-a')).toEqual([]); // writer-b is alive: claiming marked it

      await b.purgeIntents.clear(['i1']);
      expect(await at(hash, 'HLEN', hash)).toBe('0');
    }, 30_000);

    test("a writer beating for its intents is never claimed from, and beats in bucket 0's slot alone", async () => {
      const keyPrefix = uniquePrefix('cluster-intents');
      const [a, b] = [instance(keyPrefix), instance(keyPrefix)];
      a.heartbeat('writer-a', true, 'intents');
      await a.purgeIntents.record({ id: 'i1', keys: ['k1'] }, 'writer-a');
      await sleep(LAPSES_WITHIN_MS);
      expect(await b.purgeIntents.claim('writer-b')).toEqual([]);
      expect(await aliveIn(keyPrefix, 'writer-a')).toEqual([0]);
    }, 30_000);

    test('ending one heartbeat reason keeps the beat the other still needs', async () => {
      const keyPrefix = uniquePrefix('cluster-intents');
      const a = instance(keyPrefix);
      const everyBucket = [...Array(BUCKETS).keys()];
      const beatsIn = (buckets: number[]) =>
        until(`writer-a alive in ${buckets.length} buckets`, async () => {
          await forget(keyPrefix, 'writer-a');
          await sleep(1_500); // a beat each second
          return JSON.stringify(await aliveIn(keyPrefix, 'writer-a')) === JSON.stringify(buckets);
        });

      a.heartbeat('writer-a', true, 'leases');
      a.heartbeat('writer-a', true, 'intents');
      await beatsIn(everyBucket);
      a.heartbeat('writer-a', false, 'intents'); // the intents were purged; a lease is still open
      await beatsIn(everyBucket);
      a.heartbeat('writer-a', true, 'intents');
      a.heartbeat('writer-a', false, 'leases'); // the leases were settled; an intent is still held
      await beatsIn([0]);
      a.heartbeat('writer-a', false, 'intents');
      await beatsIn([]);
    }, 60_000);
  },
);
