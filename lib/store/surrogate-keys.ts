import { createHash } from 'node:crypto';

/** Hex digits of a surrogate key: 96 bits, far from any collision among one app's keys. */
const KEY_LENGTH = 24;
/** Keys remembered per process before the memo starts over (a miss only costs a hash). */
const MEMO_SIZE = 10_000;

const memo = new Map<string, string>();

/**
 * The surrogate key of one epoch key (a page path's, the global one, a dependency key's): the
 * same on every instance of the app, lower-case hex so that every edge takes it as it is (no
 * separators, case-insensitive edges included), and short, so that a page's keys fit the
 * edges' header limits. Pages carry them; invalidating the epoch key purges them.
 */
export function surrogateKeyOf(epochKey: string): string {
  let key = memo.get(epochKey);
  if (key === undefined) {
    key = createHash('sha256').update(epochKey).digest('hex').slice(0, KEY_LENGTH);
    if (memo.size >= MEMO_SIZE) memo.clear();
    memo.set(epochKey, key);
  }
  return key;
}

/**
 * A page's surrogate keys, space-separated: its path's, every page's (the global epoch's, which
 * `invalidateAll()` purges) and those of the data its render read (`dependencies: 'auto'`).
 */
export function pageSurrogateKeys(
  pathEpochKey: string,
  globalKey: string,
  dependencyKeys: readonly string[] = [],
): string {
  const keys = new Set([surrogateKeyOf(pathEpochKey), surrogateKeyOf(globalKey)]);
  for (const key of dependencyKeys) keys.add(surrogateKeyOf(key));
  return [...keys].join(' ');
}

/** Whether a stored value is a list of surrogate keys as `pageSurrogateKeys()` writes it. */
export const isSurrogateKeyList = (value: unknown): value is string =>
  typeof value === 'string' && /^[0-9a-f]+(?: [0-9a-f]+)*$/.test(value);
