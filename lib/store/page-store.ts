import { thenMaybe, type MaybePromise } from '../utils/maybe-promise.js';
import { ThrottledLogger } from '../utils/throttled-logger.js';
import type { PageBackend } from './backends/page-backend.js';
import { CommitLeases, type PageLease } from './commit-leases.js';
import { newEpochToken, ownPart } from './epoch-token.js';
import { LeaseBook } from './lease-book.js';
import { BodyTier, type BodyEncoding, type PageBody } from './page-body.js';
import type { RenderEpochs } from './page-entry.js';
import type { InvalidationFollower } from './invalidation-follower.js';
import { PageInvalidator } from './page-invalidator.js';
import { globalEpochKey, type PageKey } from './page-key.js';
import { PageReader, type CachedPage, type PageLookup } from './page-reader.js';
import { PageVariants, type RequestInputs } from './page-variants.js';
import { PageWriter } from './page-writer.js';
import type { PathMapping } from './path-mapping.js';
import { PurgeIntents } from './purge-intents.js';
import { attemptStoreCall } from './store-call.js';
import type { PageStoreSettings, StoreContext } from './store-context.js';
import { StoreHealth } from './store-health.js';

export type { PageLease } from './commit-leases.js';
export type { InvalidationFollower } from './invalidation-follower.js';
export type { PurgeIntent, PurgeIntents } from './purge-intents.js';
export { MAX_INVALIDATION_KEYS } from './page-invalidator.js';
export type { CachedPage, PageLookup } from './page-reader.js';
export type { PageStoreSettings } from './store-context.js';

/**
 * Pages and epochs over a backend (the memory LRU, Redis, or any cache-manager `Cache`). Knows
 * nothing of HTTP or ORMs. The facade the HTTP and ORM sides call: the lookup (`PageReader`), a
 * render's epochs and save (`PageWriter`), invalidation (`PageInvalidator`), leases
 * (`CommitLeases`) and the backend's health (`StoreHealth`) each live in their own file.
 *
 * Never stale: a page is stored with the epochs its render began under, and served only while
 * both are unchanged. Invalidation renews the epochs, so a render that began before it can be
 * stored but never served after it. All query variants, spellings, hosts and `Vary` variants of a
 * path share the path's epoch. Nothing here ever calls `clear()`.
 */
export class PageStore {
  private readonly context: StoreContext;
  private readonly health: StoreHealth;
  private readonly invalidator: PageInvalidator;
  private readonly commitLeases: CommitLeases;
  private readonly reader: PageReader;
  private readonly writer: PageWriter;
  private readonly bodies: BodyTier;
  private intents: PurgeIntents | undefined;

  constructor(
    backend: PageBackend,
    private readonly settings: PageStoreSettings,
  ) {
    const globalKey = globalEpochKey(settings.keyPrefix);
    const log = new ThrottledLogger();
    const health = new StoreHealth(backend, settings, globalKey, log, {
      held: () => this.invalidator.held,
      recovered: () => this.invalidator.retryNow(),
      restored: () => this.invalidator.renew([globalKey], false),
    });
    const guard = health.guard;
    this.health = health;
    this.context = {
      backend: health.backend,
      settings,
      globalKey,
      shared: backend.scope === 'shared',
      writer: newEpochToken(),
      log,
      attempt: (operation, call) => attemptStoreCall(log, guard, operation, call, health),
    };
    const leases = new LeaseBook();
    const variants = new PageVariants();
    this.bodies = new BodyTier(settings.maxBodyBytes);
    this.invalidator = new PageInvalidator(this.context, leases, health);
    this.commitLeases = new CommitLeases(this.context, leases, this.invalidator);
    this.reader = new PageReader(this.context, variants, this.bodies, (key) => this.invalidator.blocks(key));
    this.writer = new PageWriter(this.context, variants, this.bodies);
  }

  /** Resolves once the store can be used (Redis: its data was checked against the server's run). */
  ready(): Promise<void> {
    return this.health.ready();
  }

  /** How many buckets page keys are spread over (a Redis Cluster), else 0: see `pageKey`. */
  get keyBuckets(): number {
    return this.context.backend.keyBuckets ?? 0;
  }

  /** The app's path mapping (global prefix, versions), which the HTTP side fills in at startup. */
  get paths(): PathMapping {
    return this.settings.paths;
  }

  /**
   * Reads the page for a request and both epochs, in one round trip (two when the page varies
   * and this process does not know on what yet). Gives `undefined` when the request must bypass
   * the cache: the store failed or is not trusted yet, an invalidation of this path is held, or a
   * writer is committing a change to it; no page (a miss) within the grace after a stall.
   * Synchronous when the backend is, so a memory hit costs no await. `grace`: also give the page
   * one change behind (`stale`) when there is no current one.
   */
  lookup(key: PageKey, inputs: RequestInputs, grace = false): MaybePromise<PageLookup | undefined> {
    if (!this.servable(key.epoch)) return undefined;
    if (!this.context.shared) return this.reader.read(key, inputs, grace);
    // Asked once answered: after a stall, the page read may predate another instance's held
    // invalidation; the request is then a miss.
    return thenMaybe(this.reader.read(key, inputs, grace), (lookup) => {
      if (!lookup || !this.health.trusted) return undefined;
      if (this.health.calm || (!lookup.page && !lookup.stale)) return lookup;
      return { ...lookup, page: undefined, stale: undefined };
    });
  }

  /**
   * Claims the one refresh of a stale page across instances for `ms` (Redis: `SET NX PX`; the
   * memory store: this process), for the epochs the lookup read: each change gets its own.
   * `false` when another render holds the claim; `true` also when the store failed (this request
   * then renders, as it would without grace).
   */
  async claimRefresh(lookup: PageLookup, ms: number): Promise<boolean> {
    const change = `${ownPart(lookup.pathEpoch)}:${ownPart(lookup.globalEpoch)}`;
    const claimed = await this.context.attempt('claim a refresh', () =>
      this.context.backend.claim(`${lookup.storageKey}#refresh:${change}`, Math.max(1, Math.ceil(ms))),
    );
    return claimed !== false;
  }

  /**
   * The epochs a render starting now runs under. Epochs that do not exist yet (first render, or
   * expired) are created, because a missing epoch can never validate an entry.
   */
  beginRender(key: PageKey, lookup: PageLookup): Promise<RenderEpochs | undefined> {
    return this.writer.beginRender(key, lookup);
  }

  /** `dependencies: 'auto'`: see `PageWriter.beginDependencies`. */
  beginDependencies(
    key: PageKey,
    guard: readonly string[],
  ): Promise<ReadonlyMap<string, string> | undefined> {
    return this.writer.beginDependencies(key, guard);
  }

  /** `dependencies: 'auto'`: see `PageWriter.dependencyEpochs`. */
  dependencyEpochs(
    key: PageKey,
    keys: readonly string[],
    guard: readonly string[],
    started: ReadonlyMap<string, string>,
  ): Promise<readonly string[] | undefined> {
    return this.writer.dependencyEpochs(key, keys, guard, started);
  }

  /**
   * Stores a rendered page (see `newPageEntry`). Never rejects: a failed write only costs a later
   * miss. A page that varies is stored as a variant, with a manifest at the page's own key
   * naming its inputs.
   */
  async save(key: PageKey, page: CachedPage): Promise<void> {
    if (!this.servable(key.epoch)) return;
    await this.writer.save(key, page);
  }

  /**
   * Makes every cached variant of these paths unservable, and every page that depends on one of
   * `dependencyKeys` (`dependencies: 'auto'`). Throws a `TypeError` for a value that
   * is not a page path; never rejects because of the store: a failed renewal is retried, and this
   * process bypasses the cache for those paths meanwhile.
   */
  async invalidate(paths: Iterable<string>, dependencyKeys: Iterable<string> = []): Promise<void> {
    await this.renewFollowed(this.invalidator.epochKeysOf(paths, dependencyKeys));
  }

  /** The body in `encoding`, compressed once per process and kept with it. */
  encodedBody(body: PageBody, encoding: BodyEncoding): MaybePromise<Buffer> {
    return this.bodies.encoded(body, encoding);
  }

  /** Makes every page unservable with one epoch write (never `clear()`, never a key scan). */
  async invalidateAll(): Promise<void> {
    await this.renewFollowed([this.context.globalKey]);
  }

  /**
   * Keeps `follower` in step with every invalidation from now on (edge caches): told before
   * epoch keys are leased or renewed, and after each renewal; an invalidation resolves when the
   * follower's `renewed()` does.
   */
  follow(follower: InvalidationFollower): void {
    this.invalidator.follow(follower);
  }

  /** Whether every instance can read this store's feed of invalidations (Redis). */
  get hasFeed(): boolean {
    return this.context.backend.feed !== undefined;
  }

  /** Tells every instance these epoch keys were renewed `at` (ms); kept `keepMs`. Never rejects. */
  async announce(keys: readonly string[], at: number, keepMs: number): Promise<void> {
    const feed = this.context.backend.feed;
    if (!feed || keys.length === 0) return;
    const entries = keys.map((key) => [key, at] as const);
    await this.context.attempt('announce invalidations', () => feed.append(this.feedKey, entries, keepMs));
  }

  /** Renewals every instance announced at or after `since` (ms); `undefined` when the store failed. */
  async announcedSince(since: number): Promise<ReadonlyArray<readonly [string, number]> | undefined> {
    const feed = this.context.backend.feed;
    if (!feed) return [];
    return this.context.attempt('read announced invalidations', () => feed.since(this.feedKey, since));
  }

  /** Claims `name` for `ms` across instances (`SET NX PX`); `false` when taken, `undefined` when the store failed. */
  async claim(name: string, ms: number): Promise<boolean | undefined> {
    const key = `${this.settings.keyPrefix}claim:${name}`;
    return this.context.attempt('claim a warm-up', () => this.context.backend.claim(key, ms));
  }

  private get feedKey(): string {
    return `${this.settings.keyPrefix}invalidated`;
  }

  /** Durable purge intents, when the backend keeps them (Redis). */
  get purgeIntents(): PurgeIntents | undefined {
    const log = this.context.backend.purgeIntents;
    if (log && !this.intents) this.intents = new PurgeIntents(this.context, log);
    return this.intents;
  }

  /** The key every page depends on (`invalidateAll()` renews it). */
  get globalKey(): string {
    return this.context.globalKey;
  }

  /** Whether other processes share this store. */
  get shared(): boolean {
    return this.context.shared;
  }

  private async renewFollowed(keys: readonly string[]): Promise<void> {
    // The intent goes out first, on the same connection as the renewal that follows it (on a
    // cluster, to another node in parallel: a kill within that round trip can outrun the intent).
    const intended = this.invalidator.intend(keys);
    await Promise.all([intended, this.invalidator.renewOrHold(keys)]);
  }

  /**
   * Before a commit that changes these pages (`'all'`: every page): on a store with leases, marks
   * their epochs as being changed by this process, so that if it dies before `settle()`, other
   * processes serve none of them until it is known dead (seconds), and never an old one. Resolves
   * within the store deadline whatever the store does. `settle()` invalidates them.
   */
  lease(paths: Iterable<string> | 'all', dependencyKeys: Iterable<string> = []): Promise<PageLease> {
    return this.commitLeases.lease(paths, dependencyKeys);
  }

  /**
   * Why a lookup gave `undefined`: `'stale-blocked'` when an invalidation of the page is held
   * (this process serves none of its pages until it lands), else `'store-down'` (the store failed,
   * is not trusted yet, or a writer is committing a change to the page).
   */
  unavailableReason(key: PageKey): 'stale-blocked' | 'store-down' {
    return this.invalidator.blocks(key.epoch) ? 'stale-blocked' : 'store-down';
  }

  /**
   * The store's state for `stats()` and health checks: calls that failed or timed out since
   * startup, whether it answers now, and how many epoch keys' invalidations are held for a retry.
   */
  status(): { errors: number; down: boolean; heldInvalidations: number } {
    return {
      errors: this.health.errors,
      down: !this.health.available,
      heldInvalidations: this.invalidator.held,
    };
  }

  /** Calls `listener` with the epoch keys each successful invalidation renewed (for `stats()`). */
  onRenewed(listener: (keys: readonly string[]) => void): void {
    this.invalidator.onRenewed(listener);
  }

  /** Stops timers and store listeners. */
  dispose(): void {
    this.invalidator.dispose();
    this.health.dispose();
    this.context.backend.leases?.heartbeat(this.context.writer, false);
    this.context.backend.leases?.heartbeat(this.context.writer, false, 'intents');
    this.context.backend.dispose();
  }

  private servable(epochKey: string): boolean {
    return !this.invalidator.blocks(epochKey) && this.health.trusted;
  }
}
