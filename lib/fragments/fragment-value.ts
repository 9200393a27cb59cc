/** What a `@PageFragment()` method may return: text, or HTML sent as it is. */
export type PageFragmentValue = string | { html: string } | null | undefined;

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text made safe in HTML text and in a quoted attribute value alike. */
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (char) => ESCAPES[char]);

/**
 * The bytes a fragment's value puts in the page, or `undefined` when it is not a value
 * (`null`/`undefined` are an empty place; numbers are text).
 */
export function valueBytes(value: unknown): Buffer | undefined {
  if (value === null || value === undefined) return EMPTY;
  if (typeof value === 'string') return Buffer.from(escapeHtml(value));
  if (typeof value === 'number') return Buffer.from(String(value));
  if (typeof value === 'object' && typeof (value as { html?: unknown }).html === 'string') {
    return Buffer.from((value as { html: string }).html);
  }
  return undefined;
}

const EMPTY = Buffer.alloc(0);
