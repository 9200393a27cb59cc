import type { OutgoingHttpHeaders } from 'node:http';

/** Pieces shared by the wrappers of a raw `http.ServerResponse` (the capture and the hold). */

/** `writeHead(status, [message], [headers])`: headers as an object or a flat/nested array. */
export function headersFromArguments(rest: readonly unknown[]): OutgoingHttpHeaders {
  const headers = typeof rest[0] === 'string' ? rest[1] : rest[0];
  if (!headers || typeof headers !== 'object') return {};
  const result: OutgoingHttpHeaders = {};
  if (Array.isArray(headers)) {
    const pairs = Array.isArray(headers[0]) ? headers : chunkPairs(headers);
    for (const [name, value] of pairs as Array<[string, string]>) result[String(name).toLowerCase()] = value;
    return result;
  }
  for (const [name, value] of Object.entries(headers)) result[name.toLowerCase()] = value as string;
  return result;
}

function chunkPairs(flat: readonly unknown[]): unknown[][] {
  const pairs: unknown[][] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) pairs.push([flat[i], flat[i + 1]]);
  return pairs;
}

export function toBuffer(chunk: unknown, encoding: unknown): Buffer | undefined {
  if (typeof chunk === 'string') {
    return Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
  }
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  return undefined;
}
