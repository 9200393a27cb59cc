import { StreamableFile } from '@nestjs/common';
import { Readable } from 'node:stream';

type Headers = Record<string, string | string[] | undefined>;

/** Whether the request carries credentials or a bypass cookie, making its page personal. */
export function isPersonalRequest(headers: Headers | undefined, bypassCookies: readonly string[]): boolean {
  if (!headers) return false;
  if (headers.authorization !== undefined) return true;
  if (bypassCookies.length === 0) return false;
  const cookie = headers.cookie;
  return typeof cookie === 'string' && cookie !== '' && hasAnyCookie(cookie, bypassCookies);
}

function hasAnyCookie(cookieHeader: string, names: readonly string[]): boolean {
  for (const pair of cookieHeader.split(';')) {
    const separator = pair.indexOf('=');
    const name = (separator === -1 ? pair : pair.slice(0, separator)).trim();
    if (names.includes(name)) return true;
  }
  return false;
}

/** Whether a handler's result is a body Nest will stream rather than send at once. */
export function isStreamingBody(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  return (
    value instanceof StreamableFile ||
    value instanceof Readable ||
    (typeof ReadableStream !== 'undefined' && value instanceof ReadableStream) ||
    (typeof Response !== 'undefined' && value instanceof Response) ||
    Symbol.asyncIterator in value
  );
}

/** Lower-case names of the headers a response already carries. */
export function headerNames(response: { getHeaders?: () => Record<string, unknown> }): Set<string> {
  const headers = typeof response.getHeaders === 'function' ? response.getHeaders() : {};
  return new Set(Object.keys(headers ?? {}).map((name) => name.toLowerCase()));
}
