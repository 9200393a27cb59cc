import type { BackendWrite } from './backends/page-backend.js';
import { isLeasedEpoch, newEpochToken } from './epoch-token.js';
import { encodeStoredBody, type BodyTier } from './page-body.js';
import { PAGE_ENTRY_FORMAT, type RenderEpochs, type VaryManifest } from './page-entry.js';
import { bodyKey, variantKey, type PageKey } from './page-key.js';
import type { CachedPage, PageLookup } from './page-reader.js';
import type { PageVariants } from './page-variants.js';
import type { StoreContext } from './store-context.js';

/** Epochs created for a first render live this long until a stored page extends them, ms. */
const PROVISIONAL_EPOCH_MS = 5 * 60_000;

/**
 * The store's side of a render: the epochs it runs under, read (or created) before it starts,
 * and the save of what it produced (the entry, a manifest for a page that varies, the body).
 */
export class PageWriter {
  constructor(
    private readonly context: StoreContext,
    private readonly variants: PageVariants,
    private readonly bodies: BodyTier,
  ) {}

  /**
   * The epochs a render starting now runs under. Epochs that do not exist yet (first render, or
   * expired) are created, because a missing epoch can never validate an entry.
   */
  async beginRender(key: PageKey, lookup: PageLookup): Promise<RenderEpochs | undefined> {
    if (lookup.pathEpoch !== undefined && lookup.globalEpoch !== undefined) {
      return [lookup.pathEpoch, lookup.globalEpoch];
    }
    const { backend, globalKey } = this.context;
    const ttl = this.epochTtl();
    const seeds = [
      { key: key.epoch, token: lookup.pathEpoch ?? newEpochToken(), ttl },
      { key: globalKey, token: lookup.globalEpoch ?? newEpochToken(), ttl },
    ];
    const created = await this.context.attempt('write an epoch', () => backend.createEpochs(seeds));
    const [pathEpoch, globalEpoch] = created ?? [];
    if (typeof pathEpoch !== 'string' || typeof globalEpoch !== 'string') return undefined;
    if (isLeasedEpoch(pathEpoch) || isLeasedEpoch(globalEpoch)) return undefined;
    return [pathEpoch, globalEpoch];
  }

  /**
   * `dependencies: 'auto'`: the epochs of a render's guard keys (the classes it may read) as it
   * starts, created where missing; `undefined` when the store failed or a writer holds one.
   */
  async beginDependencies(
    key: PageKey,
    guard: readonly string[],
  ): Promise<ReadonlyMap<string, string> | undefined> {
    const epochs = await this.currentEpochs(key, guard);
    return epochs && new Map(guard.map((key, i) => [key, epochs[i]!]));
  }

  /**
   * The epochs of a finished render's dependency keys, read (created where missing) together
   * with its guard; `undefined` unless every guard key still holds the epoch it held when the
   * render began (a write to a class it read committed meanwhile: its keys' epochs may already
   * be the new ones while the page shows the old rows) and no key is leased.
   */
  async dependencyEpochs(
    key: PageKey,
    keys: readonly string[],
    guard: readonly string[],
    started: ReadonlyMap<string, string>,
  ): Promise<readonly string[] | undefined> {
    const epochs = await this.currentEpochs(key, [...keys, ...guard]);
    if (!epochs) return undefined;
    for (let i = 0; i < guard.length; i++) {
      if (epochs[keys.length + i] !== started.get(guard[i]!)) return undefined;
    }
    return epochs.slice(0, keys.length);
  }

  /**
   * Current epochs of `keys` (as the page at `page` sees them), created where missing;
   * `undefined` if the store failed or one is leased.
   */
  private async currentEpochs(
    page: PageKey,
    keys: readonly string[],
  ): Promise<readonly string[] | undefined> {
    if (keys.length === 0) return [];
    const ttl = this.epochTtl();
    const seeds = keys.map((key) => ({ key, token: newEpochToken(), ttl }));
    const created = await this.context.attempt('write an epoch', () =>
      this.context.backend.createEpochs(seeds, page.entry),
    );
    if (!created || created.length !== keys.length) return undefined;
    if (!created.every((epoch): epoch is string => typeof epoch === 'string' && !isLeasedEpoch(epoch))) {
      return undefined;
    }
    return created;
  }

  /** Where expiry can be extended later, epochs start short-lived: paths that never produce a page leave nothing behind for long. */
  private epochTtl(): number {
    const { shared, backend, settings } = this.context;
    return !shared ? 0 : backend.extendsTtl ? PROVISIONAL_EPOCH_MS : settings.reclaimAfterMs;
  }

  /**
   * Stores a rendered page (see `newPageEntry`). Never rejects: a failed write only costs a later
   * miss. A page that varies is stored as a variant, with a manifest at the page's own key
   * naming its inputs.
   */
  async save(key: PageKey, { entry, body }: CachedPage): Promise<void> {
    const { backend, settings, globalKey } = this.context;
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
    if (backend.storesBodies) {
      const value = encodeStoredBody(body.bytes);
      writes.push({ key: bodyKey(settings.keyPrefix, body.digest), value, ttl: this.storageTtl(0) });
    }
    this.bodies.set(body);
    this.variants.remember(key.entry, varyInputs);
    await this.context.attempt('store a page', async () => {
      await backend.write(writes);
      if (backend.extendsTtl) {
        await backend.touch([key.epoch, globalKey, ...(entry.k ?? [])], settings.reclaimAfterMs);
      }
    });
  }

  /** How long a page's keys live: the route's TTL, else until a shared store reclaims them. */
  private storageTtl(routeTtl: number): number {
    if (routeTtl > 0) return routeTtl;
    return this.context.shared ? this.context.settings.reclaimAfterMs : 0;
  }
}
