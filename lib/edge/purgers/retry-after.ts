/**
 * Reads a `Retry-After` header (RFC 9110 §10.2.3): either a number of seconds or an HTTP date.
 * Returns the wait in milliseconds (never negative), or `undefined` when the header is absent or
 * says nothing usable.
 */
export function parseRetryAfter(
  value: string | null | undefined,
  now: number = Date.now(),
): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // An HTTP date always names a weekday or a month; a bare number that is not an integer is no date.
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
