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
