import {
  invalidInvalidationPathMessage,
  invalidationBatchTooLargeMessage,
  storeBackMessage,
  storeDownMessage,
  invalidationHeldMessage,
  invalidationRecoveredMessage,
  leaseFailedMessage,
  storeCallFailedMessage,
  storeRestoredMessage,
} from '../cache-page.messages.js';
import { thenMaybe, type MaybePromise } from '../utils/maybe-promise.js';
import { ThrottledLogger } from '../utils/throttled-logger.js';
import { GuardedBackend } from './backends/guarded-backend.js';
import type { BackendWrite, PageBackend } from './backends/page-backend.js';
import { isLeasedEpoch, newEpochToken } from './epoch-token.js';
import { LeaseBook } from './lease-book.js';
import {
  BodyTier,
  decodeStoredBody,
  encodeStoredBody,
  type BodyEncoding,
  type PageBody,
} from './page-body.js';
import {
  isPageEntry,
  isVaryManifest,
  PAGE_ENTRY_FORMAT,
  type PageEntry,
  type RenderEpochs,
  type VaryManifest,
} from './page-entry.js';
import { bodyKey, globalEpochKey, invalidationEpochKeys, variantKey, type PageKey } from './page-key.js';
import { PageVariants, variesAsRequested, type RequestInputs } from './page-variants.js';
import type { PathMapping } from './path-mapping.js';
import { PendingInvalidations } from './pending-invalidations.js';
import { attemptStoreCall, type StoreOperation } from './store-call.js';
import { StoreGuard } from './store-guard.js';
import { StoreServerWatch } from './store-server-watch.js';

/** Settings of the store that do not change after startup. */
export interface PageStoreSettings {
  readonly keyPrefix: string;
  /** Shared stores: the longest wait for one call, ms. */
  readonly storeTimeoutMs: number;
  /** Shared stores: keys nobody reads for this long expire (a hit renews them), ms. */
  readonly reclaimAfterMs: number;
  /** Bodies held in this process, bytes. */
  readonly maxBodyBytes: number;
  /** The app's path mapping (global prefix, versions), applied to invalidated paths. */
  readonly paths: PathMapping;
}

/** A page that may be served: its entry and its body. */
export interface CachedPage {
  readonly entry: PageEntry;
  readonly body: PageBody;
}

/** What one lookup found. */
export interface PageLookup {
  /** The page, if one is stored for this request under the current epochs. */
  readonly page: CachedPage | undefined;
  readonly pathEpoch: string | undefined;
  readonly globalEpoch: string | undefined;
  /** Inputs the page is known to vary on, if it does. */
  readonly vary: readonly string[] | undefined;
  /** Where this request's page is, or would be, stored. */
  readonly storageKey: string;
}

/** A lease taken before a commit: settle it after the commit, or after a rollback. */
export interface PageLease {
  settle(): Promise<void>;
}

/** Interval between probes of a shared store that stopped answering, ms. */
const PROBE_INTERVAL_MS = 1_000;
/**
 * After a shared store answers again, nothing is served from it for this long, so that the
 * invalidations other processes held during the outage land first (each retries as soon as its
 * own probe sees the store, within `PROBE_INTERVAL_MS`).
 */
const RECOVERY_GRACE_MS = 2 * PROBE_INTERVAL_MS;
/** Epochs created for a first render live this long until a stored page extends them, ms. */
const PROVISIONAL_EPOCH_MS = 5 * 60_000;
/** Beyond this many epoch keys, an invalidation of a shared store renews the global epoch instead. */
export const MAX_INVALIDATION_KEYS = 1_000;

/**
 * Pages and epochs over a backend (the memory LRU, Redis, or any cache-manager `Cache`). Knows
 * nothing of HTTP or ORMs.
 *
 * Never stale: a page is stored with the epochs its render began under, and served only while
 * both are unchanged. Invalidation renews the epochs, so a render that began before it can be
 * stored but never served after it. All query variants, spellings, hosts and `Vary` variants of a
 * path share the path's epoch. Nothing here ever calls `clear()`.
 */
export class PageStore {
  private readonly globalKey: string;
  private readonly writer = newEpochToken();
  private readonly log = new ThrottledLogger();
  private readonly pending: PendingInvalidations;
  private readonly bodies: BodyTier;
  private readonly leases = new LeaseBook();
  private readonly variants = new PageVariants();
  /** Entries of the memory backend already checked by `isWellFormed()`. */
  private readonly wellFormed = new WeakSet<object>();
  private readonly refreshing = new Set<string>();
  private readonly serverWatch: StoreServerWatch | undefined;
  private readonly guard: StoreGuard | undefined;
  private readonly backend: PageBackend;
  private readonly detachListeners: Array<() => void> = [];
  private recoveredAt = -Infinity;

  constructor(
    backend: PageBackend,
    private readonly settings: PageStoreSettings,
  ) {
    const prefix = settings.keyPrefix;
    this.globalKey = globalEpochKey(prefix);
    if (backend.scope === 'shared') {
      const probeKey = [this.globalKey];
      this.guard = new StoreGuard(
        { timeoutMs: settings.storeTimeoutMs, failuresToOpen: 3, probeIntervalMs: PROBE_INTERVAL_MS },
        async () => backend.read(probeKey),
        {
          opened: (reason) => this.log.error('store-down', () => storeDownMessage(reason, PROBE_INTERVAL_MS)),
          closed: (downForMs) => {
            this.log.log(storeBackMessage(downForMs, this.pending.size, RECOVERY_GRACE_MS));
            this.recoveredAt = Date.now();
            this.pending.retryNow();
            void this.serverWatch?.check();
          },
        },
      );
      const guard = this.guard;
      this.backend = new GuardedBackend(backend, guard);
      if (backend.server) {
        this.detachListeners.push(
          backend.server.onConnection((state) => {
            if (state === 'lost') guard.reportTrouble('the connection to the store was lost');
          }),
        );
      }
    } else {
      this.backend = backend;
    }
    this.bodies = new BodyTier(settings.maxBodyBytes);
    this.pending = new PendingInvalidations(
      { globalKey: this.globalKey, maxKeys: 10_000, initialDelayMs: 250, maxDelayMs: 5_000 },
      {
        retry: (keys) => this.renew(keys),
        failed: (count, retryInMs) =>
          this.log.error('invalidate', () => invalidationHeldMessage(count, retryInMs)),
        recovered: (count) => this.log.error('recovered', () => invalidationRecoveredMessage(count)),
      },
    );
    this.detachListeners.push(
      backend.onError((error) => {
        this.guard?.reportTrouble('the store client reported an error');
        this.log.error(
          'store',
          (suppressed) => storeCallFailedMessage('answer', 'its client reported an error', suppressed),
          error,
        );
      }),
    );
    if (this.backend.server) {
      this.serverWatch = new StoreServerWatch(this.backend.server, this.backend, `${prefix}server`, {
        restored: async (previous, runId) => {
          if (previous !== undefined) this.log.warn(storeRestoredMessage(previous, runId));
          return this.renew([this.globalKey]);
        },
      });
    }
  }

  /** Resolves once the store can be used (Redis: its data was checked against the server's run). */
  async ready(): Promise<void> {
    for (let attempt = 0; attempt < 3 && this.serverWatch && !this.serverWatch.verified; attempt++) {
      await this.serverWatch.check();
    }
  }

  /** The app's path mapping (global prefix, versions), which the HTTP side fills in at startup. */
  get paths(): PathMapping {
    return this.settings.paths;
  }

  /**
   * Reads the page for a request and both epochs, in one round trip (two when the page varies
   * and this process does not know on what yet). Gives `undefined` when the request must bypass
   * the cache: the store failed or is not trusted yet, an invalidation of this path is held, or a
   * writer is committing a change to it. Synchronous when the backend is, so a memory hit costs
   * no await.
   */
  lookup(key: PageKey, inputs: RequestInputs): MaybePromise<PageLookup | undefined> {
    if (!this.servable(key.epoch)) return undefined;
    const vary = this.variants.knownInputs(key.entry);
    const storageKey = vary ? this.variants.keyFor(key.entry, vary, inputs) : key.entry;
    return this.attempt('read a page', () =>
      thenMaybe(this.backend.read([storageKey, key.epoch, this.globalKey]), (values) =>
        this.interpret(key, inputs, storageKey, vary, values),
      ),
    );
  }

  /**
   * The epochs a render starting now runs under. Epochs that do not exist yet (first render, or
   * expired) are created, because a missing epoch can never validate an entry.
   */
  async beginRender(key: PageKey, lookup: PageLookup): Promise<RenderEpochs | undefined> {
    if (lookup.pathEpoch !== undefined && lookup.globalEpoch !== undefined) {
      return [lookup.pathEpoch, lookup.globalEpoch];
    }
    // Where expiry can be extended later, a first render's epochs start short-lived, so paths
    // that never produce a page (404s, a crawler's random URLs) leave nothing behind for long.
    const ttl = !this.shared
      ? 0
      : this.backend.extendsTtl
        ? PROVISIONAL_EPOCH_MS
        : this.settings.reclaimAfterMs;
    const seeds = [
      { key: key.epoch, token: lookup.pathEpoch ?? newEpochToken(), ttl },
      { key: this.globalKey, token: lookup.globalEpoch ?? newEpochToken(), ttl },
    ];
    const created = await this.attempt('write an epoch', () => this.backend.createEpochs(seeds));
    const [pathEpoch, globalEpoch] = created ?? [];
    if (typeof pathEpoch !== 'string' || typeof globalEpoch !== 'string') return undefined;
    if (isLeasedEpoch(pathEpoch) || isLeasedEpoch(globalEpoch)) return undefined;
    return [pathEpoch, globalEpoch];
  }

  /**
   * Stores a rendered page (see `newPageEntry`). Never rejects: a failed write only costs a later
   * miss. A page that varies is stored as a variant, with a manifest at the page's own key
   * naming its inputs.
   */
  async save(key: PageKey, { entry, body }: CachedPage): Promise<void> {
    if (!this.servable(key.epoch)) return;
    const varied = entry.y ?? [];
    const varyInputs = varied.map(([input]) => input);
    const storageKey =
      varied.length > 0 ? variantKey(key.entry, varied.map(([, value]) => value).join('\n')) : key.entry;
    if (varied.length > 0 && !this.variants.admit(key.entry, storageKey)) return;
    const ttl = this.storageTtl(entry.l);
    const writes: BackendWrite[] = [{ key: storageKey, value: entry, ttl }];
    if (varied.length > 0) {
      const manifest: VaryManifest = { v: PAGE_ENTRY_FORMAT, vary: varyInputs };
      writes.push({ key: key.entry, value: manifest, ttl });
    }
    if (this.backend.storesBodies) {
      const value = encodeStoredBody(body.bytes);
      writes.push({ key: bodyKey(this.settings.keyPrefix, body.digest), value, ttl: this.storageTtl(0) });
    }
    this.bodies.set(body);
    this.variants.remember(key.entry, varyInputs);
    await this.attempt('store a page', async () => {
      await this.backend.write(writes);
      if (this.backend.extendsTtl) {
        await this.backend.touch([key.epoch, this.globalKey], this.settings.reclaimAfterMs);
      }
    });
  }

  /**
   * Makes every cached variant of these paths unservable. Throws a `TypeError` for a value that
   * is not a page path; never rejects because of the store: a failed renewal is retried, and this
   * process bypasses the cache for those paths meanwhile.
   */
  async invalidate(paths: Iterable<string>): Promise<void> {
    await this.renewOrHold(this.epochKeysOf(paths));
  }

  /** The body in `encoding`, compressed once per process and kept with it. */
  encodedBody(body: PageBody, encoding: BodyEncoding): MaybePromise<Buffer> {
    return this.bodies.encoded(body, encoding);
  }

  /** Makes every page unservable with one epoch write (never `clear()`, never a key scan). */
  async invalidateAll(): Promise<void> {
    await this.renewOrHold([this.globalKey]);
  }

  /**
   * Before a commit that changes these pages (`'all'`: every page): on a store with leases, marks
   * their epochs as being changed by this process, so that if it dies before `settle()`, other
   * processes serve none of them until it is known dead (seconds), and never an old one. Resolves
   * within the store deadline whatever the store does. `settle()` invalidates them.
   */
  async lease(paths: Iterable<string> | 'all'): Promise<PageLease> {
    const keys = paths === 'all' ? [this.globalKey] : this.epochKeysOf(paths);
    const leases = this.backend.leases;
    if (!leases || keys.length === 0) return { settle: () => this.renewOrHold(keys) };
    this.leases.take(keys);
    leases.heartbeat(this.writer, true);
    try {
      await leases.lease(keys, this.writer, this.settings.reclaimAfterMs);
    } catch (error) {
      this.log.error('lease', () => leaseFailedMessage(keys.length), error);
    }
    let settled = false;
    return {
      settle: async () => {
        if (settled) return;
        settled = true;
        this.leases.end(keys);
        await this.renewOrHold(keys);
      },
    };
  }

  /** Stops timers and store listeners. */
  dispose(): void {
    this.pending.dispose();
    this.serverWatch?.dispose();
    this.guard?.dispose();
    for (const detach of this.detachListeners) detach();
    this.backend.leases?.heartbeat(this.writer, false);
    this.backend.dispose();
  }

  private get shared(): boolean {
    return this.backend.scope === 'shared';
  }

  private servable(epochKey: string): boolean {
    return (
      !this.pending.blocks(epochKey) &&
      Date.now() - this.recoveredAt >= RECOVERY_GRACE_MS &&
      (this.guard?.available ?? true) &&
      (this.serverWatch?.verified ?? true)
    );
  }

  /** Interprets `[stored value, path epoch, global epoch]` as read in one multi-get. */
  private interpret(
    key: PageKey,
    inputs: RequestInputs,
    storageKey: string,
    vary: readonly string[] | undefined,
    [stored, pathEpoch, globalEpoch]: readonly unknown[],
  ): MaybePromise<PageLookup | undefined> {
    const epochs = [asEpoch(pathEpoch), asEpoch(globalEpoch)] as const;
    if (isLeased(epochs[0]) || isLeased(epochs[1])) return this.heal(key, storageKey, vary);
    if (storageKey === key.entry && isVaryManifest(stored)) {
      this.variants.remember(key.entry, stored.vary);
      const variant = this.variants.keyFor(key.entry, stored.vary, inputs);
      return thenMaybe(this.backend.read([variant]), ([value]) =>
        this.interpret(key, inputs, variant, stored.vary, [value, pathEpoch, globalEpoch]),
      );
    }
    // The result of the lookup, a miss until the page and its body are found.
    const lookup: Mutable<PageLookup> = {
      page: undefined,
      pathEpoch: epochs[0],
      globalEpoch: epochs[1],
      vary,
      storageKey,
    };
    if (stored === undefined) return lookup;
    if (!this.isWellFormed(stored)) {
      // Another format, another app's key, or a corrupted write: a miss, and dropped.
      this.drop(storageKey);
      return lookup;
    }
    const current = stored.e[0] === epochs[0] && stored.e[1] === epochs[1];
    if (!current || !variesAsRequested(stored, inputs)) return lookup;
    return thenMaybe(this.bodyOf(stored), (body) => {
      if (!body) return lookup;
      this.refreshIfOld(key, storageKey, stored, body);
      lookup.page = { entry: stored, body };
      return lookup;
    });
  }

  /**
   * Whether a value read back is a well-formed entry. The memory backend hands back the object it
   * was given on every hit, never changed in place (a refresh stores a copy), so each is checked
   * once; a shared store's reads are new objects, checked every time.
   */
  private isWellFormed(stored: unknown): stored is PageEntry {
    if (this.shared) return isPageEntry(stored);
    if (typeof stored === 'object' && stored !== null && this.wellFormed.has(stored)) return true;
    if (!isPageEntry(stored)) return false;
    this.wellFormed.add(stored);
    return true;
  }

  /** Epochs under a lease: healed if their writers are dead, else the request bypasses the cache. */
  private async heal(
    key: PageKey,
    storageKey: string,
    vary: readonly string[] | undefined,
  ): Promise<PageLookup | undefined> {
    const leases = this.backend.leases;
    if (!leases) return undefined;
    const healed = await leases.heal([key.epoch, this.globalKey], this.settings.reclaimAfterMs);
    const [pathEpoch, globalEpoch] = healed.map(asEpoch);
    if (isLeased(pathEpoch) || isLeased(globalEpoch)) return undefined;
    // Nothing is ever stored under a lease, so the healed epochs hold no page yet.
    return { page: undefined, pathEpoch, globalEpoch, vary, storageKey };
  }

  private bodyOf(entry: PageEntry): MaybePromise<PageBody | undefined> {
    const held = this.bodies.get(entry.d);
    if (held || !this.backend.storesBodies) return held;
    return thenMaybe(this.backend.read([bodyKey(this.settings.keyPrefix, entry.d)]), ([value]) => {
      const body = decodeStoredBody(value, entry.d);
      if (body) this.bodies.set(body);
      return body;
    });
  }

  /**
   * A shared store's keys expire `reclaimAfter` after they were last stored, so pages nobody
   * requests are reclaimed. A hit on a page past half of that stores it again and extends its
   * epochs and body: safe, because it was current when read, and if an invalidation came in
   * between, the rewritten entry carries the old epochs and is never served.
   */
  private refreshIfOld(key: PageKey, storageKey: string, entry: PageEntry, body: PageBody): void {
    if (!this.shared || entry.l > 0) return;
    if (Date.now() - entry.a < this.settings.reclaimAfterMs / 2 || this.refreshing.has(storageKey)) return;
    this.refreshing.add(storageKey);
    const ttl = this.settings.reclaimAfterMs;
    const bodyAt = bodyKey(this.settings.keyPrefix, body.digest);
    void Promise.resolve(
      this.attempt('refresh a page', async () => {
        await this.backend.write([{ key: storageKey, value: { ...entry, a: Date.now() }, ttl }]);
        const manifest = storageKey === key.entry ? [] : [key.entry];
        await this.backend.touch([key.epoch, this.globalKey, bodyAt, ...manifest], ttl);
      }),
    ).finally(() => this.refreshing.delete(storageKey));
  }

  private epochKeysOf(paths: Iterable<string>): string[] {
    if (typeof (paths as Partial<Iterable<string>> | null)?.[Symbol.iterator] !== 'function') {
      throw new TypeError(invalidInvalidationPathMessage(paths));
    }
    const keys = new Set<string>();
    for (const path of paths) {
      for (const key of invalidationEpochKeys(this.settings.keyPrefix, path, (canonical) =>
        this.settings.paths.strip(canonical),
      )) {
        keys.add(key);
      }
    }
    if (this.shared && keys.size > MAX_INVALIDATION_KEYS) {
      this.log.warn(invalidationBatchTooLargeMessage(keys.size, MAX_INVALIDATION_KEYS));
      return [this.globalKey];
    }
    return [...keys];
  }

  private async renewOrHold(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    if (!(await this.renew(keys))) this.pending.add(keys, this.guard?.available ?? true);
  }

  /** Renews epochs; `true` once certain. Held retries settle as a side effect. */
  private async renew(keys: readonly string[]): Promise<boolean> {
    const stillHeld = this.leases.stillHeld;
    const renewed = await this.attempt('invalidate pages', () =>
      this.backend.invalidateEpochs(keys, this.writer, this.settings.reclaimAfterMs, stillHeld),
    );
    if (renewed !== true) return false;
    this.pending.settle(keys);
    this.leases.renewed(keys);
    if (!this.leases.isNamed) this.backend.leases?.heartbeat(this.writer, false);
    return true;
  }

  private drop(key: string): void {
    void this.attempt('drop an entry', () => this.backend.remove([key]));
  }

  private storageTtl(routeTtl: number): number {
    if (routeTtl > 0) return routeTtl;
    return this.shared ? this.settings.reclaimAfterMs : 0;
  }

  /** Runs one store call; a failure is logged (throttled, with what it cost) and gives `undefined`. */
  private attempt<T>(operation: StoreOperation, call: () => MaybePromise<T>): MaybePromise<T | undefined> {
    return attemptStoreCall(this.log, this.guard, operation, call);
  }
}

const asEpoch = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const isLeased = (epoch: string | undefined): boolean => epoch !== undefined && isLeasedEpoch(epoch);
type Mutable<T> = { -readonly [K in keyof T]: T[K] };
