import { StreamableFile } from '@nestjs/common';
import { Readable } from 'node:stream';

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
