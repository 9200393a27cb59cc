import { randomBytes } from 'node:crypto';
import { newEpochToken } from '../epoch-token.js';
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
import { EPOCH_SCRIPT } from './redis-epoch-script.js';
import { RedisInvalidationFeed } from './redis-invalidation-feed.js';
import { RedisPurgeIntents } from './redis-purge-intents.js';
import type { FoundRedisClient, RedisCommandClient } from './redis-client.js';
import { WriterHeartbeats } from './writer-heartbeats.js';

/** How long a writer counts as alive after its last sign of life, ms. */
export const WRITER_LIVENESS_MS = 3_000;

/**
 * Redis through the app's own node-redis client, with raw commands rather than through
 * cache-manager: one `MGET` per hit, bodies as plain strings, key lifetimes that can be extended
 * without rewriting a value, atomic epoch scripts (leases), and the server's run id.
 * Nothing here waits on its own: the page store puts a deadline on every call.
 */
export class RedisBackend implements PageBackend, EpochLeases, StoreServer {
  readonly scope = 'shared';
  readonly extendsTtl = true;
  readonly storesBodies = true;
  readonly leases: EpochLeases = this;
  readonly server: StoreServer = this;
  readonly purgeIntents: PurgeIntentLog;
  readonly feed: InvalidationFeed = new RedisInvalidationFeed((_key, args) => this.command(args));

  private readonly client: RedisCommandClient;
  private readonly connectClient: () => Promise<void>;
  private connecting: Promise<void> | undefined;
  private opened = false;
  private disposed = false;
  private readonly heartbeats = new WriterHeartbeats((writer) => {
    this.command(['SET', this.writerPrefix + writer, '1', 'PX', String(WRITER_LIVENESS_MS)]).catch(
      () => undefined,
    );
  });

  constructor(
    found: FoundRedisClient,
    private readonly writerPrefix: string,
    intentsKey: string,
  ) {
    this.client = found.client;
    this.connectClient = found.connect;
    this.purgeIntents = new RedisPurgeIntents(
      (args) => this.command(args),
      intentsKey,
      writerPrefix,
      WRITER_LIVENESS_MS,
    );
  }

  async read(keys: readonly string[]): Promise<unknown[]> {
    const values = (await this.command(['MGET', ...keys])) as Array<string | null>;
    return values.map(decode);
  }

  async write(writes: readonly BackendWrite[]): Promise<void> {
    await Promise.all(
      writes.map(({ key, value, ttl }) =>
        this.command(ttl > 0 ? ['SET', key, encode(value), 'PX', String(ttl)] : ['SET', key, encode(value)]),
      ),
    );
  }

  async remove(keys: readonly string[]): Promise<void> {
    if (keys.length > 0) await this.command(['UNLINK', ...keys]);
  }

  createEpochs(seeds: readonly EpochSeed[]): Promise<unknown[]> {
    const ttl = Math.max(...seeds.map((seed) => seed.ttl));
    const keys = seeds.map((seed) => seed.key);
    return this.epochScript(
      'create',
      keys,
      '',
      ttl,
      seeds.map((seed) => seed.token),
    );
  }

  async invalidateEpochs(
    keys: readonly string[],
    writer: string,
    ttl: number,
    stillHeld: ReadonlySet<string>,
    recordChange: boolean,
  ): Promise<boolean> {
    const flags = keys.map((key) => (stillHeld.has(key) ? '1' : '0'));
    await this.epochScript('settle', keys, writer, ttl, undefined, flags, recordChange);
    return true;
  }

  async lease(keys: readonly string[], writer: string, ttl: number): Promise<void> {
    await this.epochScript('lease', keys, writer, ttl, undefined, [], true);
  }

  heal(keys: readonly string[], ttl: number): Promise<unknown[]> {
    return this.epochScript('heal', keys, '', ttl);
  }

  heartbeat(writer: string, beating: boolean, reason: HeartbeatReason = 'leases'): void {
    this.heartbeats.set(writer, beating, reason);
  }

  async ping(): Promise<unknown> {
    return this.command(['PING']);
  }

  async claim(key: string, ms: number): Promise<boolean> {
    return (await this.command(['SET', key, '1', 'NX', 'PX', String(ms)])) === 'OK';
  }

  async touch(keys: readonly string[], ttl: number): Promise<void> {
    await Promise.all(keys.map((key) => this.command(['PEXPIRE', key, String(ttl)])));
  }

  async runId(): Promise<string> {
    const info = String(await this.command(['INFO', 'server']));
    const runId = /^run_id:(\S+)/m.exec(info)?.[1];
    if (!runId) throw new Error('Redis INFO did not report a run_id');
    return runId;
  }

  onConnection(listener: (state: 'lost' | 'ready') => void): () => void {
    const lost = () => listener('lost');
    const ready = () => listener('ready');
    for (const event of LOST_EVENTS) this.client.on(event, lost);
    this.client.on('ready', ready);
    return () => {
      for (const event of LOST_EVENTS) this.unlisten(event, lost);
      this.unlisten('ready', ready);
    };
  }

  onError(listener: (error: unknown) => void): () => void {
    this.client.on('error', listener);
    return () => this.unlisten('error', listener);
  }

  dispose(): void {
    this.disposed = true;
    this.heartbeats.dispose();
  }

  private async epochScript(
    mode: 'create' | 'lease' | 'settle' | 'heal',
    keys: readonly string[],
    writer: string,
    ttl: number,
    tokens: readonly string[] = keys.map(() => newEpochToken()),
    flags: readonly string[] = [],
    recordChange = false,
  ): Promise<unknown[]> {
    const args = [
      mode,
      this.writerPrefix,
      writer,
      String(WRITER_LIVENESS_MS),
      String(ttl),
      recordChange ? Date.now().toString(36) : '',
      ...tokens,
      ...flags,
    ];
    const values = (await this.command([
      'EVAL',
      EPOCH_SCRIPT,
      String(keys.length),
      ...keys,
      ...args,
    ])) as Array<string | null | false>;
    return values.map((value) => (typeof value === 'string' ? value : undefined));
  }

  /**
   * Sends one command, connecting the client first the one time it was never opened (@keyv/redis
   * connects lazily). A client closed after that was closed by the app (shutting down): it is
   * never reopened from here, or a late call would leave a connection nobody closes.
   */
  private async command(args: string[]): Promise<unknown> {
    if (this.disposed) throw new Error('the page store was closed');
    if (this.client.isOpen === false) {
      if (this.opened) throw new Error('the Redis client was closed');
      this.connecting ??= this.connectClient().finally(() => (this.connecting = undefined));
      await this.connecting;
    }
    this.opened = true;
    return this.client.sendCommand(args);
  }

  private unlisten(event: string, listener: (...args: never[]) => void): void {
    (this.client.off ?? this.client.removeListener)?.call(this.client, event, listener as never);
  }
}

/** Node-redis events that mean the connection was lost. */
const LOST_EVENTS = ['end', 'reconnecting'];

/** A unique id for this process as a writer of leases. */
export const newWriterId = (): string => randomBytes(9).toString('base64url');

/** Entries and manifests are JSON objects; epochs and bodies are strings and stay as they are. */
export function encode(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** A value read back: `undefined` for a missing key, JSON objects parsed. */
export function decode(value: string | null): unknown {
  if (value === null) return undefined;
  if (!value.startsWith('{')) return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}
