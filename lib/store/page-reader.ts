import { thenMaybe, type MaybePromise } from '../utils/maybe-promise.js';
import { isLeasedEpoch } from './epoch-token.js';
import { decodeStoredBody, type BodyTier, type PageBody } from './page-body.js';
import { isPageEntry, isVaryManifest, type PageEntry } from './page-entry.js';
import { DependencyLists, sameKeys } from './dependency-lists.js';
import { bodyKey, type PageKey } from './page-key.js';
import { PageRefresh } from './page-refresh.js';
import { variesAsRequested, type PageVariants, type RequestInputs } from './page-variants.js';
import { staleSince, type StalePage } from './stale-page.js';
import type { StoreContext } from './store-context.js';

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
  /** Asked with `grace`: the page one change behind, when there is no current one. */
  readonly stale?: StalePage;
}

/**
 * The lookup of a request's page: its entry and both epochs in one multi-get (a second read when
 * the page varies on inputs this process has not seen yet, or its body is not held here), and
 * the hit decision: the entry's epochs equal the current ones, and it varies as requested.
 */
export class PageReader {
  /** Entries of the memory backend already checked by `isWellFormed()`. */
  private readonly wellFormed = new WeakSet<object>();
  private readonly refresh: PageRefresh;
  private readonly dependencies = new DependencyLists();

  constructor(
    private readonly context: StoreContext,
    private readonly variants: PageVariants,
    private readonly bodies: BodyTier,
    /** Whether an epoch key's invalidation is held (its pages must not be served). */
    private readonly held: (epochKey: string) => boolean,
  ) {
    this.refresh = new PageRefresh(context);
  }

  /**
   * Reads the page for a request; `undefined` when the store failed or a writer holds a lease.
   * `grace`: also find the page one change behind (`stale`) when there is no current one.
   */
  read(key: PageKey, inputs: RequestInputs, grace = false): MaybePromise<PageLookup | undefined> {
    const vary = this.variants.knownInputs(key.entry);
    const storageKey = vary ? this.variants.keyFor(key.entry, vary, inputs) : key.entry;
    const dependencies = this.dependencies.known(storageKey);
    const keys = [storageKey, key.epoch, this.context.globalKey];
    if (dependencies) keys.push(...dependencies);
    return this.context.attempt('read a page', () =>
      thenMaybe(this.context.backend.read(keys), (values) =>
        this.interpret(key, inputs, storageKey, vary, values, grace, dependencies),
      ),
    );
  }

  /**
   * Interprets `[stored value, path epoch, global epoch, ...epochs of dependencies]` as read in
   * one multi-get (`dependencies`: the keys this process expected the entry to depend on).
   */
  private interpret(
    key: PageKey,
    inputs: RequestInputs,
    storageKey: string,
    vary: readonly string[] | undefined,
    values: readonly unknown[],
    grace: boolean,
    dependencies?: readonly string[],
  ): MaybePromise<PageLookup | undefined> {
    const [stored, pathEpoch, globalEpoch] = values;
    const epochs = [asEpoch(pathEpoch), asEpoch(globalEpoch)] as const;
    if (isLeased(epochs[0]) || isLeased(epochs[1])) return this.heal(key, storageKey, vary);
    if (storageKey === key.entry && isVaryManifest(stored)) {
      this.variants.remember(key.entry, stored.vary);
      const variant = this.variants.keyFor(key.entry, stored.vary, inputs);
      return thenMaybe(this.context.backend.read([variant]), ([value]) =>
        this.interpret(key, inputs, variant, stored.vary, [value, pathEpoch, globalEpoch], grace),
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
    if (!variesAsRequested(stored, inputs)) return lookup;
    const current = stored.e[0] === epochs[0] && stored.e[1] === epochs[1];
    if (!current) return grace ? this.stale(stored, values, dependencies, lookup) : lookup;
    if (stored.k === undefined) return this.withBody(key, storageKey, stored, lookup);
    const keys = stored.k;
    if (sameKeys(dependencies, keys)) {
      if (this.dependenciesHold(stored, values, 3)) return this.withBody(key, storageKey, stored, lookup);
      return grace ? this.stale(stored, values, dependencies, lookup) : lookup;
    }
    // The entry's keys are new to this process: read their epochs now, and with the entry from now on.
    return thenMaybe(this.context.backend.read(keys, key.entry), (epochs) => {
      this.dependencies.remember(storageKey, keys);
      return this.dependenciesHold(stored, epochs, 0)
        ? this.withBody(key, storageKey, stored, lookup)
        : lookup;
    });
  }

  /**
   * The page one change behind, if every epoch it was stored under (dependencies included, when
   * read with it) changed at most once since, none is held, and it has no fragments (their
   * values are never served stale).
   */
  private stale(
    stored: PageEntry,
    values: readonly unknown[],
    dependencies: readonly string[] | undefined,
    lookup: Mutable<PageLookup>,
  ): MaybePromise<PageLookup> {
    if (stored.p) return lookup;
    const keys = stored.k ?? [];
    if (keys.length > 0 && (!sameKeys(dependencies, keys) || keys.some((key) => this.held(key)))) {
      return lookup;
    }
    const since = staleSince([...stored.e, ...(stored.x ?? [])], values.slice(1, 3 + keys.length));
    if (since === undefined) return lookup;
    return thenMaybe(this.bodyOf(stored), (body) => {
      if (body) lookup.stale = { page: { entry: stored, body }, since };
      return lookup;
    });
  }

  /** Whether every dependency's epoch (at `from` in `values`) is still the entry's, and none is held. */
  private dependenciesHold(entry: PageEntry, values: readonly unknown[], from: number): boolean {
    const keys = entry.k!;
    const epochs = entry.x!;
    for (let i = 0; i < keys.length; i++) {
      if (values[from + i] !== epochs[i] || this.held(keys[i]!)) return false;
    }
    return true;
  }

  private withBody(
    key: PageKey,
    storageKey: string,
    stored: PageEntry,
    lookup: Mutable<PageLookup>,
  ): MaybePromise<PageLookup | undefined> {
    return thenMaybe(this.bodyOf(stored), (body) => {
      if (!body) return lookup;
      this.refresh.ifOld(key, storageKey, stored, body);
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
    if (this.context.shared) return isPageEntry(stored);
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
    const leases = this.context.backend.leases;
    if (!leases) return undefined;
    const healed = await leases.heal(
      [key.epoch, this.context.globalKey],
      this.context.settings.reclaimAfterMs,
    );
    const [pathEpoch, globalEpoch] = healed.map(asEpoch);
    if (isLeased(pathEpoch) || isLeased(globalEpoch)) return undefined;
    // Nothing is ever stored under a lease, so the healed epochs hold no page yet.
    return { page: undefined, pathEpoch, globalEpoch, vary, storageKey };
  }

  private bodyOf(entry: PageEntry): MaybePromise<PageBody | undefined> {
    const held = this.bodies.get(entry.d);
    if (held || !this.context.backend.storesBodies) return held;
    const { backend, settings } = this.context;
    return thenMaybe(backend.read([bodyKey(settings.keyPrefix, entry.d)]), ([value]) => {
      const body = decodeStoredBody(value, entry.d);
      if (body) this.bodies.set(body);
      return body;
    });
  }

  private drop(key: string): void {
    void this.context.attempt('drop an entry', () => this.context.backend.remove([key]));
  }
}

const asEpoch = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const isLeased = (epoch: string | undefined): boolean => epoch !== undefined && isLeasedEpoch(epoch);
type Mutable<T> = { -readonly [K in keyof T]: T[K] };
