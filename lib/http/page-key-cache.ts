import { pageKeyFromUrl, type PageKey } from '../store/page-key.js';

/** A page key plus whether `ignorePaths` excludes it; both depend only on the URL. */
export interface RequestPageKey extends PageKey {
  readonly ignored: boolean;
}

const CAPACITY = 2_000;

/**
 * Remembers the keys of recently requested URLs, so a hit on a hot page does not decode,
 * normalise and match its path again. Bounded: when full it starts over.
 */
export class PageKeyCache {
  private readonly keys = new Map<string, RequestPageKey>();

  constructor(
    private readonly keyPrefix: string,
    private readonly ignorePaths: readonly RegExp[],
  ) {}

  get(url: string): RequestPageKey {
    let key = this.keys.get(url);
    if (key === undefined) {
      const pageKey = pageKeyFromUrl(this.keyPrefix, 'GET', url);
      const ignored = this.ignorePaths.some(
        (pattern) => pattern.test(pageKey.path) || pattern.test(pageKey.normalisedPath),
      );
      key = { ...pageKey, ignored };
      if (this.keys.size >= CAPACITY) this.keys.clear();
      this.keys.set(url, key);
    }
    return key;
  }
}
