import type { Cache } from 'cache-manager';

/** A node-redis client of one cluster node (a master), for commands that name no key. */
export interface RedisNodeClient {
  sendCommand(args: readonly string[]): Promise<unknown>;
}

/** One master of the cluster, as node-redis lists it. */
export interface RedisClusterMaster {
  readonly host: string;
  readonly port: number;
}

/**
 * What the store needs of a node-redis cluster client (`createCluster`, as `@keyv/redis` passes
 * it through): commands routed by their first key, the masters, and connection events.
 */
export interface RedisClusterCommandClient {
  sendCommand(
    firstKey: string | undefined,
    isReadonly: boolean | undefined,
    args: readonly string[],
  ): Promise<unknown>;
  readonly masters: readonly RedisClusterMaster[];
  nodeClient(node: RedisClusterMaster): Promise<RedisNodeClient> | RedisNodeClient;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  off?(event: string, listener: (...args: unknown[]) => void): unknown;
  removeListener?(event: string, listener: (...args: unknown[]) => void): unknown;
  readonly isOpen?: boolean;
}

/** A node-redis cluster client found behind a cache-manager `Cache`, and how to get it connected. */
export interface FoundRedisCluster {
  readonly client: RedisClusterCommandClient;
  /** Resolves once the client is connected (`@keyv/redis` connects lazily, on first use). */
  connect(): Promise<void>;
}

/**
 * The node-redis cluster client of a cache whose only store is `@keyv/redis` over a cluster
 * (`new KeyvRedis(createCluster({ rootNodes }))`, or `rootNodes` in its options); `undefined`
 * for anything else.
 */
export function findRedisCluster(cache: Cache): FoundRedisCluster | undefined {
  const stores = (cache as { stores?: unknown[] }).stores;
  if (!Array.isArray(stores) || stores.length !== 1) return undefined;
  const store = (stores[0] as { store?: unknown } | undefined)?.store as
    { client?: unknown; getClient?: () => Promise<unknown>; isCluster?: () => boolean } | undefined;
  if (!store || typeof store.getClient !== 'function' || store.isCluster?.() !== true) return undefined;
  const client = store.client as Partial<RedisClusterCommandClient> | undefined;
  if (typeof client?.sendCommand !== 'function' || typeof client.nodeClient !== 'function') return undefined;
  return {
    client: client as RedisClusterCommandClient,
    connect: async () => void (await store.getClient!()),
  };
}
