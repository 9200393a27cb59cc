import { newEpochToken } from '../epoch-token.js';
import { ClusterKeyLayout, INTENTS_BUCKET } from './cluster-key-layout.js';
import type {
  BackendWrite,
  EpochLeases,
  EpochSeed,
  HeartbeatReason,
  InvalidationFeed,
  PageBackend,
  PurgeIntentLog,
  StoreServer,
} from './page-backend.js';
import { decode, encode, WRITER_LIVENESS_MS } from './redis-backend.js';
import type { FoundRedisCluster, RedisClusterCommandClient } from './redis-cluster-client.js';
import { EPOCH_SCRIPT } from './redis-epoch-script.js';
import { RedisInvalidationFeed } from './redis-invalidation-feed.js';
import { RedisPurgeIntents } from './redis-purge-intents.js';
import { WriterHeartbeats } from './writer-heartbeats.js';

const LOST_EVENTS = ['node-reconnecting', 'node-disconnect', 'disconnect'];
const READY_EVENTS = ['node-ready', 'connect'];
const ERROR_EVENTS = ['error', 'node-error'];

type EpochMode = 'create' | 'lease' | 'settle' | 'heal';

/**
 * Redis Cluster through the app's own node-redis cluster client, with the guarantees of
 * `RedisBackend`: one `MGET` per hit, atomic epoch scripts (leases), restore and fail-over
 * detection. Keys are laid out by `ClusterKeyLayout`: a page path's keys share its bucket's slot,
 * and the keys every page depends on are kept once per bucket, so a hit reads one slot and each
 * epoch script runs in one; renewing a shared key runs one script per bucket, in parallel.
 * Purge intents are one hash in bucket 0, checked against that bucket's writer liveness keys.
 */
export class RedisClusterBackend implements PageBackend, EpochLeases, StoreServer {
  readonly scope = 'shared';
  readonly extendsTtl = true;
  readonly storesBodies = true;
  readonly leases: EpochLeases = this;
  readonly server: StoreServer = this;
  readonly keyBuckets: number;
  readonly purgeIntents: PurgeIntentLog;
  readonly feed: InvalidationFeed;

  private readonly client: RedisClusterCommandClient;
  private readonly connectClient: () => Promise<void>;
  private readonly layout: ClusterKeyLayout;
  private connecting: Promise<void> | undefined;
  private discovering: Promise<void> | undefined;
  private opened = false;
  private disposed = false;
  private readonly heartbeats = new WriterHeartbeats((writer, reasons) => this.beat(writer, reasons));

  constructor(found: FoundRedisCluster, keyPrefix: string, buckets?: number) {
    this.client = found.client;
    this.connectClient = found.connect;
    this.layout = new ClusterKeyLayout(keyPrefix, buckets);
    this.keyBuckets = this.layout.buckets;
    this.feed = new RedisInvalidationFeed(
      (key, args) => this.command(key, args),
      (key) => this.layout.copyIn(key, INTENTS_BUCKET),
    );
    const intentsKey = this.layout.intentsKey;
    this.purgeIntents = new RedisPurgeIntents(
      (args) => this.command(intentsKey, args),
      intentsKey,
      this.layout.writerPrefix(INTENTS_BUCKET),
      WRITER_LIVENESS_MS,
    );
  }

  async read(keys: readonly string[], home?: string): Promise<unknown[]> {
    const bucket = this.layout.homeOf(keys, home);
    if (bucket === undefined && keys.length > 1 && !keys.every((key) => this.layout.isShared(key))) {
      // Single keys (bodies) of different slots: one GET each.
      return Promise.all(
        keys.map(async (key) => decode((await this.command(key, ['GET', key])) as string | null)),
      );
    }
    const physical = keys.map((key) => this.layout.copyIn(key, bucket ?? 0));
    const values = (await this.command(physical[0], ['MGET', ...physical])) as Array<string | null>;
    return values.map(decode);
  }

  async write(writes: readonly BackendWrite[]): Promise<void> {
    await Promise.all(
      writes.map(({ key, value, ttl }) =>
        this.command(
          key,
          ttl > 0 ? ['SET', key, encode(value), 'PX', String(ttl)] : ['SET', key, encode(value)],
        ),
      ),
    );
  }

  async remove(keys: readonly string[]): Promise<void> {
    await Promise.all(keys.map((key) => this.command(key, ['UNLINK', key])));
  }

  createEpochs(seeds: readonly EpochSeed[], home?: string): Promise<unknown[]> {
    const keys = seeds.map((seed) => seed.key);
    const bucket = this.layout.homeOf(keys, home) ?? 0;
    const ttl = Math.max(...seeds.map((seed) => seed.ttl));
    const tokens = seeds.map((seed) => seed.token);
    return this.epochScript(bucket, 'create', this.inBucket(keys, bucket), '', ttl, tokens);
  }

  async invalidateEpochs(
    keys: readonly string[],
    writer: string,
    ttl: number,
    stillHeld: ReadonlySet<string>,
    recordChange: boolean,
  ): Promise<boolean> {
    await Promise.all(
      this.layout.everyCopy(keys).map(({ bucket, physical, logical }) => {
        const flags = logical.map((key) => (stillHeld.has(key) ? '1' : '0'));
        return this.epochScript(bucket, 'settle', physical, writer, ttl, undefined, flags, recordChange);
      }),
    );
    return true;
  }

  async lease(keys: readonly string[], writer: string, ttl: number): Promise<void> {
    await Promise.all(
      this.layout
        .everyCopy(keys)
        .map(({ bucket, physical }) =>
          this.epochScript(bucket, 'lease', physical, writer, ttl, undefined, [], true),
        ),
    );
  }

  heal(keys: readonly string[], ttl: number): Promise<unknown[]> {
    const bucket = this.layout.homeOf(keys) ?? 0;
    return this.epochScript(bucket, 'heal', this.inBucket(keys, bucket), '', ttl);
  }

  heartbeat(writer: string, beating: boolean, reason: HeartbeatReason = 'leases'): void {
    this.heartbeats.set(writer, beating, reason);
  }

  async claim(key: string, ms: number): Promise<boolean> {
    return (await this.command(key, ['SET', key, '1', 'NX', 'PX', String(ms)])) === 'OK';
  }

  async touch(keys: readonly string[], ttl: number): Promise<void> {
    const bucket = this.layout.homeOf(keys) ?? 0;
    await Promise.all(
      this.inBucket(keys, bucket).map((key) => this.command(key, ['PEXPIRE', key, String(ttl)])),
    );
  }

  /**
   * The run ids of every master, by address: it changes when any master restarts (from an older
   * snapshot, say) or another node takes over its slots (a replica promoted).
   */
  /** `PING` to every master: a stall of any of them must show (the stall watch). */
  async ping(): Promise<unknown> {
    await this.ensureOpen();
    return Promise.all(
      this.client.masters.map(async (master) => (await this.client.nodeClient(master)).sendCommand(['PING'])),
    );
  }

  async runId(): Promise<string> {
    await this.ensureOpen();
    const ids = await Promise.all(
      this.client.masters.map(async (master) => {
        const node = await this.client.nodeClient(master);
        const info = String(await node.sendCommand(['INFO', 'server']));
        const runId = /^run_id:(\S+)/m.exec(info)?.[1];
        if (!runId) throw new Error(`Redis INFO of ${master.host}:${master.port} did not report a run_id`);
        return `${master.host}:${master.port}=${runId}`;
      }),
    );
    if (ids.length === 0) throw new Error('the Redis Cluster client knows no master');
    return ids.sort().join(',');
  }

  onConnection(listener: (state: 'lost' | 'ready') => void): () => void {
    const lost = () => listener('lost');
    const ready = () => listener('ready');
    for (const event of LOST_EVENTS) this.client.on(event, lost);
    for (const event of READY_EVENTS) this.client.on(event, ready);
    return () => {
      for (const event of LOST_EVENTS) this.unlisten(event, lost);
      for (const event of READY_EVENTS) this.unlisten(event, ready);
    };
  }

  onError(listener: (error: unknown) => void): () => void {
    for (const event of ERROR_EVENTS) this.client.on(event, listener);
    return () => {
      for (const event of ERROR_EVENTS) this.unlisten(event, listener);
    };
  }

  dispose(): void {
    this.disposed = true;
    this.heartbeats.dispose();
  }

  /**
   * Renews `writer`'s liveness keys: in every bucket while it holds leases (they may be in any),
   * else in the intents' bucket alone.
   */
  private beat(writer: string, reasons: ReadonlySet<HeartbeatReason>): void {
    const buckets = reasons.has('leases') ? [...Array(this.keyBuckets).keys()] : [INTENTS_BUCKET];
    for (const bucket of buckets) {
      const key = this.layout.writerPrefix(bucket) + writer;
      this.command(key, ['SET', key, '1', 'PX', String(WRITER_LIVENESS_MS)]).catch(() => undefined);
    }
  }

  private inBucket(keys: readonly string[], bucket: number): string[] {
    return keys.map((key) => this.layout.copyIn(key, bucket));
  }

  /** `EPOCH_SCRIPT` over keys of one bucket, with that bucket's writer liveness keys. */
  private async epochScript(
    bucket: number,
    mode: EpochMode,
    keys: readonly string[],
    writer: string,
    ttl: number,
    tokens: readonly string[] = keys.map(() => newEpochToken()),
    flags: readonly string[] = [],
    recordChange = false,
  ): Promise<unknown[]> {
    const args = [
      mode,
      this.layout.writerPrefix(bucket),
      writer,
      String(WRITER_LIVENESS_MS),
      String(ttl),
      recordChange ? Date.now().toString(36) : '',
    ];
    const values = (await this.command(keys[0], [
      'EVAL',
      EPOCH_SCRIPT,
      String(keys.length),
      ...keys,
      ...args,
      ...tokens,
      ...flags,
    ])) as Array<string | null | false>;
    return values.map((value) => (typeof value === 'string' ? value : undefined));
  }

  /** Sends one command to the slot of `firstKey` (see `RedisBackend.command` on connecting). */
  private async command(firstKey: string | undefined, args: string[]): Promise<unknown> {
    await this.ensureOpen();
    return this.client.sendCommand(firstKey, false, args);
  }

  private async ensureOpen(): Promise<void> {
    if (this.disposed) throw new Error('the page store was closed');
    if (this.client.isOpen === false) {
      if (this.opened) throw new Error('the Redis Cluster client was closed');
      this.connecting ??= this.connectClient().finally(() => (this.connecting = undefined));
      await this.connecting;
    }
    // Open but still discovering the slots (another caller started the connect): no master yet.
    if (this.client.masters.length === 0) await this.discovered();
    this.opened = true;
  }

  /** Resolves when the client has discovered the cluster's slots (or failed to). */
  private discovered(): Promise<void> {
    this.discovering ??= new Promise<void>((resolve) => {
      const done = () => {
        this.unlisten('connect', done);
        this.unlisten('error', done);
        resolve();
      };
      this.client.on('connect', done);
      this.client.on('error', done);
    }).finally(() => (this.discovering = undefined));
    return this.discovering;
  }

  private unlisten(event: string, listener: (...args: never[]) => void): void {
    (this.client.off ?? this.client.removeListener)?.call(this.client, event, listener as never);
  }
}
