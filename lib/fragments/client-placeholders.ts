import { fillSlots, type FragmentTemplate } from './fragment-template.js';

/**
 * `@CachePage({ fragments: 'client' })`: the page is the same for everyone (an edge may keep it),
 * and each place holds `<!--page-fragment:name-->`, which the module's script
 * (`/_cache-page/fragments.js`) fills from the visitor's values in the browser. A comment is
 * invisible before the script runs, in text, and plain text inside an attribute value.
 */
export const clientPlaceholder = (name: string): string => `<!--page-fragment:${name}-->`;

/** The page with a placeholder in each place. */
export function withClientPlaceholders({ bytes, slots }: FragmentTemplate): Buffer {
  return fillSlots(
    bytes,
    slots,
    slots.map(([, name]) => Buffer.from(clientPlaceholder(name))),
  );
}
