import { bucketTagOf, isSharedEpochKey } from '../page-key.js';

/** How many buckets a Redis Cluster store spreads page paths over. */
export const CLUSTER_BUCKETS = 16;

/** The bucket that keeps the purge intents, and whose writer liveness keys they are checked by. */
export const INTENTS_BUCKET = 0;

/** Keys of one bucket, as stored (`physical`) and as the page store names them (`logical`). */
export interface BucketKeys {
  readonly bucket: number;
  readonly physical: string[];
  readonly logical: string[];
}

/**
 * Where each key of the page store lives on a Redis Cluster. The keys of one page path carry
 * their bucket's hash tag already (`<prefix>{b7}GET:…`, `<prefix>{b7}epoch:…`: see `pageKey`).
 * The keys every page depends on (the global epoch, auto-mode dependency keys, writer liveness
 * keys) are kept once per bucket (`<prefix>{b7}epoch`, `<prefix>{b7}dep:Post#1`), so a page's
 * lookup and every epoch script stay within one slot; the purge intents are one hash in bucket 0.
 * Other keys (bodies, the server marker) are
 * single keys wherever their own hash puts them.
 */
export class ClusterKeyLayout {
  private readonly tagStart: string;

  constructor(
    private readonly prefix: string,
    readonly buckets = CLUSTER_BUCKETS,
  ) {
    this.tagStart = `${prefix}{b`;
  }

  /** The bucket a key names in its hash tag, if it does. */
  bucketOf(key: string): number | undefined {
    if (!key.startsWith(this.tagStart)) return undefined;
    const end = key.indexOf('}', this.tagStart.length);
    const bucket = Number(key.slice(this.tagStart.length, end));
    return end > 0 && Number.isInteger(bucket) ? bucket : undefined;
  }

  /** Whether one copy of the key is kept per bucket. */
  isShared(key: string): boolean {
    return isSharedEpochKey(this.prefix, key);
  }

  /** The copy of a shared key in `bucket` (any other key as it is). */
  copyIn(key: string, bucket: number): string {
    return this.isShared(key) ? this.prefix + bucketTagOf(bucket) + key.slice(this.prefix.length) : key;
  }

  /** `<prefix>{b<n>}writer:`, where writers of leases in `bucket` show they are alive. */
  writerPrefix(bucket: number): string {
    return `${this.prefix}${bucketTagOf(bucket)}writer:`;
  }

  /**
   * `<prefix>{b0}edge-intents`, the hash of purge intents: in `INTENTS_BUCKET`, so its scripts
   * check writers through that bucket's liveness keys, in the same slot.
   */
  get intentsKey(): string {
    return `${this.prefix}${bucketTagOf(INTENTS_BUCKET)}edge-intents`;
  }

  /**
   * The bucket of a call for one page: the first key (else `home`) that names one; `undefined`
   * when nothing does (shared keys are then read in bucket 0).
   */
  homeOf(keys: readonly string[], home?: string): number | undefined {
    for (const key of keys) {
      const bucket = this.bucketOf(key);
      if (bucket !== undefined) return bucket;
    }
    return home === undefined ? undefined : this.bucketOf(home);
  }

  /**
   * Epoch keys to write everywhere, by bucket: each page path's key in its own bucket, each
   * shared key in every bucket. Throws for a key that is neither (it has no bucket to go to).
   */
  everyCopy(keys: readonly string[]): BucketKeys[] {
    const groups = new Map<number, BucketKeys>();
    const add = (bucket: number, physical: string, logical: string) => {
      let group = groups.get(bucket);
      if (!group) groups.set(bucket, (group = { bucket, physical: [], logical: [] }));
      group.physical.push(physical);
      group.logical.push(logical);
    };
    for (const key of keys) {
      if (this.isShared(key)) {
        for (let bucket = 0; bucket < this.buckets; bucket++) add(bucket, this.copyIn(key, bucket), key);
      } else {
        const bucket = this.bucketOf(key);
        if (bucket === undefined) throw new Error(`"${key}" is no epoch key of a Redis Cluster store`);
        add(bucket, key, key);
      }
    }
    return [...groups.values()];
  }
}
