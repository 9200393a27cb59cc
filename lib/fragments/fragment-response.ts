import { createHash } from 'node:crypto';
import { gzipWithFragments } from './fragment-gzip.js';
import { fillSlots, type FragmentSlot } from './fragment-template.js';

/** One visitor's copy of a page with fragments: the bytes to send, their encoding and entity tag. */
export interface FilledPage {
  readonly bytes: Buffer;
  readonly encoding: 'gzip' | undefined;
  /** The page's tag with a digest of this visitor's values: a changed value is never a `304`. */
  readonly etag: string;
}

/**
 * Fills the stored page's slots with one visitor's values, gzip-encoded (from pieces compressed
 * once) when `gzip`, otherwise identity.
 */
export function fillPage(
  template: Buffer,
  slots: readonly FragmentSlot[],
  templateEtag: string,
  values: readonly Buffer[],
  gzip: boolean,
): FilledPage {
  const filled = fillSlots(template, slots, values);
  const etag = fragmentEtag(templateEtag, values);
  if (!gzip) return { bytes: filled, encoding: undefined, etag };
  return { bytes: gzipWithFragments(template, slots, values, filled), encoding: 'gzip', etag };
}

/** `W/"<page tag>-<digest of the values>"`. */
export function fragmentEtag(templateEtag: string, values: readonly Buffer[]): string {
  const hash = createHash('sha1');
  for (const value of values) hash.update(value).update('\0');
  const quoted = templateEtag.endsWith('"') ? templateEtag.slice(0, -1) : templateEtag;
  return `${quoted}-${hash.digest('base64url').slice(0, 12)}"`;
}
