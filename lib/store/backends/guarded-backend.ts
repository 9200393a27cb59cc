import type { StoreGuard } from '../store-guard.js';
import type {
  BackendWrite,
  EpochLeases,
  EpochSeed,
  PageBackend,
  PurgeIntentLog,
  InvalidationFeed,
  StoreServer,
} from './page-backend.js';

/** A shared backend whose every call runs under the store guard's deadline and circuit breaker. */
export class GuardedBackend implements PageBackend {
  readonly scope = 'shared';
  readonly storesBodies: boolean;
  readonly extendsTtl: boolean;
  readonly keyBuckets?: number;
  readonly leases?: EpochLeases;
  readonly server?: StoreServer;
  readonly purgeIntents?: PurgeIntentLog;
  readonly feed?: InvalidationFeed;

  constructor(
    private readonly inner: PageBackend,
    private readonly guard: StoreGuard,
  ) {
    this.storesBodies = inner.storesBodies;
    this.extendsTtl = inner.extendsTtl;
    this.keyBuckets = inner.keyBuckets;
    const leases = inner.leases;
    if (leases) {
      this.leases = {
        lease: (keys, writer, ttl) => guard.run(() => leases.lease(keys, writer, ttl)),
        heal: (keys, ttl) => guard.run(() => leases.heal(keys, ttl)),
        heartbeat: (writer, beating, reason) => leases.heartbeat(writer, beating, reason),
      };
    }
    const intents = inner.purgeIntents;
    if (intents) {
      this.purgeIntents = {
        record: (intent, writer) => guard.run(() => intents.record(intent, writer)),
        clear: (ids) => guard.run(() => intents.clear(ids)),
        claim: (writer) => guard.run(() => intents.claim(writer)),
      };
    }
    const feed = inner.feed;
    if (feed) {
      this.feed = {
        append: (key, entries, keepMs) => guard.run(() => feed.append(key, entries, keepMs)),
        since: (key, since) => guard.run(() => feed.since(key, since)),
      };
    }
    const server = inner.server;
    if (server) {
      this.server = {
        runId: () => guard.run(() => server.runId()),
        onConnection: (listener) => server.onConnection(listener),
      };
    }
  }

  read(keys: readonly string[], home?: string): Promise<readonly unknown[]> {
    return this.guard.run(async () => this.inner.read(keys, home));
  }

  write(writes: readonly BackendWrite[]): Promise<void> {
    return this.guard.run(async () => this.inner.write(writes));
  }

  remove(keys: readonly string[]): Promise<void> {
    return this.guard.run(async () => this.inner.remove(keys));
  }

  createEpochs(seeds: readonly EpochSeed[], home?: string): Promise<readonly unknown[]> {
    return this.guard.run(async () => this.inner.createEpochs(seeds, home));
  }

  invalidateEpochs(
    keys: readonly string[],
    writer: string,
    ttl: number,
    stillHeld: ReadonlySet<string>,
    recordChange: boolean,
  ): Promise<boolean> {
    return this.guard.run(async () =>
      this.inner.invalidateEpochs(keys, writer, ttl, stillHeld, recordChange),
    );
  }

  claim(key: string, ms: number): Promise<boolean> {
    return this.guard.run(async () => this.inner.claim(key, ms));
  }

  touch(keys: readonly string[], ttl: number): Promise<void> {
    return this.guard.run(async () => this.inner.touch(keys, ttl));
  }

  onError(listener: (error: unknown) => void): () => void {
    return this.inner.onError(listener);
  }

  dispose(): void {
    this.inner.dispose();
  }
}
