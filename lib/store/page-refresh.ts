import type { PageBody } from './page-body.js';
import type { PageEntry } from './page-entry.js';
import { bodyKey, type PageKey } from './page-key.js';
import type { StoreContext } from './store-context.js';

/**
 * Keeps pages that are read alive in a shared store. Its keys expire `reclaimAfter` after they
 * were last stored, so pages nobody requests are reclaimed. A hit on a page past half of that
 * stores it again and extends its epochs and body: safe, because it was current when read, and
 * if an invalidation came in between, the rewritten entry carries the old epochs and is never
 * served.
 */
export class PageRefresh {
  private readonly refreshing = new Set<string>();

  constructor(private readonly context: StoreContext) {}

  /** Stores the page again, in the background, if it is past half its time; once at a time per key. */
  ifOld(key: PageKey, storageKey: string, entry: PageEntry, body: PageBody): void {
    const { shared, settings, backend, globalKey } = this.context;
    if (!shared || entry.l > 0) return;
    if (Date.now() - entry.a < settings.reclaimAfterMs / 2 || this.refreshing.has(storageKey)) return;
    this.refreshing.add(storageKey);
    const ttl = settings.reclaimAfterMs;
    const bodyAt = bodyKey(settings.keyPrefix, body.digest);
    void Promise.resolve(
      this.context.attempt('refresh a page', async () => {
        await backend.write([{ key: storageKey, value: { ...entry, a: Date.now() }, ttl }]);
        const manifest = storageKey === key.entry ? [] : [key.entry];
        await backend.touch([key.epoch, globalKey, bodyAt, ...manifest, ...(entry.k ?? [])], ttl);
      }),
    ).finally(() => this.refreshing.delete(storageKey));
  }
}
