import { randomBytes } from 'node:crypto';
import { invalidFragmentNameMessage } from '../cache-page.messages.js';

/** What a fragment may be called: letters, digits, `_`, `.` and `-`, up to 64 characters. */
export const FRAGMENT_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * A secret of this process, part of every marker. Markers never leave the server (every response
 * that carries one is filled first), so content cannot plant one: a comment that copies the
 * marker syntax lacks the secret and stays text.
 */
const SECRET = randomBytes(12).toString('hex');

/** How every marker of this process starts. */
const MARKER_PREFIX = `cache-page:${SECRET}:`;
export const MARKER_START = Buffer.from(MARKER_PREFIX);

/** The byte after a marker's name. */
export const MARKER_END = 0x3b; // ';'

/**
 * The place of the personal fragment `name` in a cached page: write what it returns into a
 * template or a handler's output where the visitor's value goes (text or an attribute value).
 * The page is stored once with the place kept, and every response, hit or miss, gets the value
 * of the `@PageFragment(name)` method for its visitor, escaped for HTML unless it returns
 * `{ html }`. The marker uses no character template engines escape, so it survives `{{ }}`.
 *
 * For example: `<p>${pageFragment('greeting')}</p>`
 *
 * @publicApi
 */
export function pageFragment(name: string): string {
  if (typeof name !== 'string' || !FRAGMENT_NAME.test(name)) {
    throw new TypeError(invalidFragmentNameMessage('pageFragment', name));
  }
  issued = true;
  return `${MARKER_PREFIX}${name};`;
}

let issued = false;

/** Whether `pageFragment()` has been called in this process. */
export const markersIssued = (): boolean => issued;

/** Whether `bytes` hold a marker of this process. */
export const hasMarker = (bytes: Buffer): boolean => bytes.includes(MARKER_START);
