import { coarseNow } from '../utils/coarse-clock.js';

/** A page this process served lately. */
export interface HotPage {
  /** Its storage key (one per origin, path and query). */
  readonly id: string;
  readonly origin: string;
  readonly url: string;
  /** When it was last served, ms. */
  at: number;
  /** The epoch keys it depends on (its path's, and its dependency keys). */
  readonly keys: readonly string[];
}

/** A served page is moved to the back of the bound at most this often, ms. */
const REFRESH_MS = 1_000;

/**
 * The pages this process served lately (their shared variant: the URL and host), indexed by the
 * epoch keys they depend on, so an invalidation finds the ones worth warming. Bounded: past
 * `max` pages, the least recently served goes.
 */
export class HotPages {
  private readonly pages = new Map<string, HotPage>();
  private readonly byKey = new Map<string, Set<string>>();

  constructor(private readonly max = 10_000) {}

  /**
   * The page stored under `id` (from `url` under `origin`, under the path's `epochKey` and its
   * `dependencyKeys`) was served now. Cheap when it was served within the last second: one lookup.
   */
  served(
    id: string,
    origin: string,
    url: string,
    epochKey: string,
    dependencyKeys: readonly string[] | undefined,
    now = coarseNow(),
  ): void {
    const known = this.pages.get(id);
    if (known) {
      if (now - known.at < REFRESH_MS) return;
      known.at = now;
      this.pages.delete(id);
      this.pages.set(id, known);
      return;
    }
    const keys = dependencyKeys ? [epochKey, ...dependencyKeys] : [epochKey];
    this.pages.set(id, { id, origin, url, at: now, keys });
    for (const key of keys) {
      let ids = this.byKey.get(key);
      if (!ids) this.byKey.set(key, (ids = new Set()));
      ids.add(id);
    }
    if (this.pages.size > this.max) this.forget(this.pages.keys().next().value!);
  }

  /**
   * The pages that depend on any of `keys` (all of them for `everyPage`), served at or after
   * `since`.
   */
  dependingOn(keys: readonly string[], everyPage: string, since: number): HotPage[] {
    const found = new Map<string, HotPage>();
    const add = (page: HotPage | undefined) => {
      if (page && page.at >= since) found.set(page.id, page);
    };
    if (keys.includes(everyPage)) for (const page of this.pages.values()) add(page);
    else for (const key of keys) for (const id of this.byKey.get(key) ?? []) add(this.pages.get(id));
    return [...found.values()];
  }

  /** The origin of the page served last, if any. */
  get lastOrigin(): string | undefined {
    let last: HotPage | undefined;
    for (const page of this.pages.values()) if (!last || page.at >= last.at) last = page;
    return last?.origin;
  }

  private forget(id: string): void {
    const page = this.pages.get(id);
    if (!page) return;
    this.pages.delete(id);
    for (const key of page.keys) {
      const ids = this.byKey.get(key);
      ids?.delete(id);
      if (ids?.size === 0) this.byKey.delete(key);
    }
  }
}
