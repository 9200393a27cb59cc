import { createHash } from 'node:crypto';

/**
 * A weak entity tag in Express's own format, so a hit's tag equals the one Express gave the
 * miss that stored it and a browser's `If-None-Match` keeps matching.
 */
export function weakEtag(body: Buffer): string {
  if (body.length === 0) return 'W/"0-2jmj7l5rSw0yVb/vlWAYkK/YBwk"';
  const hash = createHash('sha1').update(body).digest('base64').slice(0, 27);
  return `W/"${body.length.toString(16)}-${hash}"`;
}

/** `If-None-Match` semantics (weak comparison, lists, `*`). */
export function matchesIfNoneMatch(header: unknown, etag: string): boolean {
  if (typeof header !== 'string' || header === '') return false;
  if (header.trim() === '*') return true;
  const opaque = stripWeak(etag);
  return header.split(',').some((candidate) => stripWeak(candidate.trim()) === opaque);
}

const stripWeak = (tag: string): string => (tag.startsWith('W/') ? tag.slice(2) : tag);
