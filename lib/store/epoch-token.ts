import { randomBytes } from 'node:crypto';

/**
 * A fresh random epoch token. Random rather than counted, so an evicted or reset counter can
 * never come back to a value an old entry was stored under (Jimmy Page's PR #8 bug).
 */
export const newEpochToken = (): string => randomBytes(12).toString('base64url');
