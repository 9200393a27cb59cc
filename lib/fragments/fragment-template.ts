import { FRAGMENT_NAME, MARKER_END, MARKER_START } from './fragment-marker.js';

import type { FragmentSlot } from '../store/page-entry.js';

export type { FragmentSlot };

/** A page as it is stored when it has fragments: the bytes without markers, and where values go. */
export interface FragmentTemplate {
  readonly bytes: Buffer;
  readonly slots: readonly FragmentSlot[];
}

/** Longest marker name looked at; names are at most 64 characters. */
const NAME_LIMIT = 65;

/**
 * Cuts the markers out of a rendered body, remembering where each was: the stored page is the
 * same for every visitor, and the places are offsets, never searched for again in content.
 * `undefined` when the body has no marker. A marker with a name `pageFragment()` would not have
 * written is dropped without a place (it can only come from something that knew the secret).
 */
export function splitFragments(body: Buffer): FragmentTemplate | undefined {
  let at = body.indexOf(MARKER_START);
  if (at === -1) return undefined;
  const parts: Buffer[] = [];
  const slots: FragmentSlot[] = [];
  let from = 0;
  let length = 0;
  while (at !== -1) {
    const nameStart = at + MARKER_START.length;
    const end = body.indexOf(MARKER_END, nameStart);
    const name = end === -1 || end - nameStart > NAME_LIMIT ? '' : body.toString('latin1', nameStart, end);
    const valid = FRAGMENT_NAME.test(name);
    const part = body.subarray(from, at);
    parts.push(part);
    length += part.length;
    if (valid) slots.push([length, name]);
    from = valid ? end + 1 : nameStart;
    at = body.indexOf(MARKER_START, from);
  }
  parts.push(body.subarray(from));
  return { bytes: Buffer.concat(parts), slots };
}

/** The body with each slot's value in its place (`values` in the order of `slots`). */
export function fillSlots(bytes: Buffer, slots: readonly FragmentSlot[], values: readonly Buffer[]): Buffer {
  const parts: Buffer[] = [];
  let from = 0;
  for (let index = 0; index < slots.length; index++) {
    const offset = slots[index][0];
    parts.push(bytes.subarray(from, offset), values[index]);
    from = offset;
  }
  parts.push(bytes.subarray(from));
  return Buffer.concat(parts);
}

/** The static pieces between the slots: `slots.length + 1` of them. */
export function staticPieces(bytes: Buffer, slots: readonly FragmentSlot[]): Buffer[] {
  const pieces: Buffer[] = [];
  let from = 0;
  for (const [offset] of slots) {
    pieces.push(bytes.subarray(from, offset));
    from = offset;
  }
  pieces.push(bytes.subarray(from));
  return pieces;
}
