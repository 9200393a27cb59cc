import type { Cache } from 'cache-manager';

/**
 * What the store needs of a node-redis client (v4, as cache-manager-redis-yet bundles it, or v5,
 * as @keyv/redis does): raw commands and connection events.
 */
export interface RedisCommandClient {
  sendCommand(args: readonly string[]): Promise<unknown>;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  off?(event: string, listener: (...args: unknown[]) => void): unknown;
  removeListener?(event: string, listener: (...args: unknown[]) => void): unknown;
  readonly isOpen?: boolean;
}

/** A node-redis client found behind a cache-manager `Cache`, and how to get it connected. */
export interface FoundRedisClient {
  readonly client: RedisCommandClient;
  /** Resolves once the client is connected (`@keyv/redis` connects lazily, on first use). */
  connect(): Promise<void>;
}

interface KeyvRedisLike {
  client?: unknown;
  getClient?: () => Promise<unknown>;
  isCluster?: () => boolean;
}

/**
 * The node-redis client of a cache whose only store is Redis: `@keyv/redis` (the `KeyvRedis`
 * passed to `CacheModule.register({ stores })`, or `createKeyv()`), or cache-manager-redis-yet
 * wrapped in cache-manager's `KeyvAdapter`. `undefined` for anything else (several stores, a
 * Redis cluster, another client library): the store then goes through cache-manager.
 */
export function findRedisClient(cache: Cache): FoundRedisClient | undefined {
  const stores = (cache as { stores?: unknown[] }).stores;
  if (!Array.isArray(stores) || stores.length !== 1) return undefined;
  const store = (stores[0] as { store?: unknown } | undefined)?.store as Record<string, unknown> | undefined;
  if (!store) return undefined;

  const keyvRedis = store as KeyvRedisLike;
  if (typeof keyvRedis.getClient === 'function' && isCommandClient(keyvRedis.client)) {
    if (keyvRedis.isCluster?.()) return undefined;
    return { client: keyvRedis.client, connect: async () => void (await keyvRedis.getClient!()) };
  }
  const legacy = (store._cache as { client?: unknown } | undefined)?.client;
  if (isCommandClient(legacy)) return { client: legacy, connect: async () => undefined };
  return undefined;
}

function isCommandClient(value: unknown): value is RedisCommandClient {
  const client = value as Partial<RedisCommandClient> | null;
  return (
    typeof client === 'object' &&
    client !== null &&
    typeof client.sendCommand === 'function' &&
    typeof client.on === 'function' &&
    // A cluster client routes by key and cannot run a multi-key script across slots.
    !('slots' in client) &&
    !('masters' in client)
  );
}
