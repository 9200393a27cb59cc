import type { VariedInput } from '../store/page-entry.js';
import type { RequestInputs } from '../store/page-variants.js';
import type { ObservedReads } from './render-observation.js';

/** How a rendered page varies, and whether this render may be stored at all. */
export interface PageVariance {
  /** `false`: served as rendered, never stored (a personal page for a visitor who has an identity, `Vary: *`). */
  readonly storable: boolean;
  /** The inputs the page varies on, with this request's normalised values; empty if it does not vary. */
  readonly varied: readonly VariedInput[];
}

/** Encodings are the cache's own business: it stores identity bodies and serves what each client accepts. */
const HANDLED_BY_THE_CACHE = new Set(['accept-encoding']);

/**
 * Combines what the response said (`Vary`) with what its render was seen to read. A page that read per-visitor state varies on those inputs, and
 * only its variant for a visitor without them (no cookie, no credential) may be stored, so it
 * is only ever served to such visitors; with `public`, the route says its page is the same for
 * everyone whatever it read, and only `Vary` counts.
 */
export function pageVariance(
  vary: readonly string[],
  observed: ObservedReads | undefined,
  inputs: RequestInputs,
  isPublic: boolean,
): PageVariance {
  if (vary.includes('*')) return { storable: false, varied: [] };
  const personal = new Set<string>(vary.filter((name) => name === 'cookie' || name === 'authorization'));
  const dimensions = new Set(vary.filter((name) => !HANDLED_BY_THE_CACHE.has(name) && !personal.has(name)));
  if (observed && !isPublic) {
    for (const input of observed.personal) personal.add(input);
    for (const header of observed.headers) dimensions.add(header);
    for (const cookie of observed.cookies) dimensions.add(`cookie:${cookie}`);
  }
  const varied: VariedInput[] = [...dimensions, ...personal]
    .filter((input, index, all) => all.indexOf(input) === index)
    .sort()
    .map((input) => [input, inputs.valueOf(input)] as const);
  const storable = [...personal].every((input) => inputs.valueOf(input) === '');
  return { storable, varied };
}

/** The lower-case names of a `Vary` header value (`*` stays `*`). */
export function varyNames(value: string | number | readonly string[] | undefined): string[] {
  if (value === undefined) return [];
  const text = Array.isArray(value) ? value.join(',') : String(value);
  return text
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '');
}
