import { randomBytes } from 'node:crypto';

/**
 * A fresh random epoch token. Random rather than counted, so an evicted or reset counter can
 * never come back to a value an old entry was stored under (Jimmy Page's PR #8 bug).
 */
export const newEpochToken = (): string => randomBytes(12).toString('base64url');

/**
 * A leased epoch, `~<token>:<writer>,<writer>`: processes that are committing a change to the
 * pages under it. While one of them is alive, nothing under the epoch is served or stored; when
 * they have all settled or died, it is replaced by a plain token. Written only by the Redis store.
 */
export const isLeasedEpoch = (value: string): boolean => value.startsWith('~');

/**
 * The token an invalidation writes in place of `previous`, with what grace needs to know:
 * `<fresh>.<previous token's own part>.<when, ms, base 36>`. Only the one change right after a
 * page's epoch is recorded, so a page is known to be one change behind, since when, or not at
 * all. A lease's record is kept when it settles (the change began at the lease). Without `now`
 * (a restored store, a dead writer's lease) the token records nothing: no page is served stale
 * across it. The Redis epoch script does the same in Lua.
 */
export function renewedEpochToken(fresh: string, previous: unknown, now: number | undefined): string {
  if (now === undefined || typeof previous !== 'string') return fresh;
  if (isLeasedEpoch(previous)) {
    const own = previous.slice(1).split(':', 1)[0]!;
    const dot = own.indexOf('.');
    return dot === -1 ? fresh : fresh + own.slice(dot);
  }
  return `${fresh}.${ownPart(previous)}.${now.toString(36)}`;
}

/**
 * When the change that replaced `entryToken` by `current` was made (ms), if `current` replaced
 * it directly; `undefined` when more than one change, a graceless one, or no change lies between.
 */
export function changedSince(entryToken: string, current: string): number | undefined {
  const first = current.indexOf('.');
  if (first === -1) return undefined;
  const second = current.indexOf('.', first + 1);
  if (second === -1 || current.slice(first + 1, second) !== ownPart(entryToken)) return undefined;
  const at = parseInt(current.slice(second + 1), 36);
  return Number.isFinite(at) ? at : undefined;
}

/** A token's own random part, without what it records of the one it replaced. */
export const ownPart = (token: string | undefined = ''): string => {
  const dot = token.indexOf('.');
  return dot === -1 ? token : token.slice(0, dot);
};
