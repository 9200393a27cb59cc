import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { isPromise, type MaybePromise } from '../utils/maybe-promise.js';
import { headersFromArguments, toBuffer } from './raw-response.js';

/** A response held back in full before it goes out. */
export interface HeldResponse {
  readonly status: number;
  readonly headers: OutgoingHttpHeaders;
  readonly body: Buffer;
}

/** What to send instead: another status, other headers (`undefined` removes one), another body. */
export interface HeldResponseChange {
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string | undefined>>;
  readonly body?: Buffer;
}

/** A hold in place: `release()` sends what was held as it is and stops holding (a stream comes). */
export interface ResponseHold {
  release(): void;
}

/** Headers that describe a body, left out of a `304`. */
const BODY_HEADERS = ['content-length', 'content-encoding', 'transfer-encoding'];

type WriteHead = ServerResponse['writeHead'];
type Write = ServerResponse['write'];
type End = ServerResponse['end'];

/**
 * Holds a response until it is complete, then lets `change` rewrite it: a miss that answers a
 * revalidation (`If-None-Match`) renders the full page, which is stored, and the client still
 * gets its `304`; an HTML page gets the Back/Forward script. Installed below the capture, so
 * the capture sees the response as the app made it. Pages the cache stores are sent in one
 * piece by the adapters anyway; anything else is let go with `release()`.
 */
export function holdResponse(
  raw: ServerResponse,
  change: (held: HeldResponse) => MaybePromise<HeldResponseChange | undefined>,
  /** Whether to go on holding, given the first chunk of the body; released at once when not. */
  holdFor: (chunk: Buffer, headers: OutgoingHttpHeaders) => boolean = () => true,
): ResponseHold {
  const original = {
    writeHead: raw.writeHead,
    write: raw.write,
    end: raw.end,
    flushHeaders: raw.flushHeaders,
  };
  const calls: Array<() => unknown> = [];
  const chunks: Buffer[] = [];
  let status: number | undefined;
  let headArguments: unknown[] = [];
  let released = false;

  const headersSoFar = (): OutgoingHttpHeaders => ({
    ...raw.getHeaders(),
    ...headersFromArguments(headArguments),
  });

  // Once released, the wrappers pass calls through. They are never taken off: the capture wraps
  // them in turn, and putting the originals back would take the capture's wrappers off too.
  const release = () => {
    if (released) return;
    released = true;
    for (const call of calls.splice(0)) call();
  };

  raw.writeHead = function (this: ServerResponse, statusCode: number, ...rest: unknown[]) {
    if (released) return (original.writeHead as Function).call(this, statusCode, ...rest);
    status = statusCode;
    headArguments = rest;
    calls.push(() => (original.writeHead as Function).call(this, statusCode, ...rest));
    return this;
  } as WriteHead;
  // A response that flushes its headers (an event stream) streams: let it go.
  raw.flushHeaders = function (this: ServerResponse) {
    release();
    return original.flushHeaders.call(this);
  };
  raw.write = function (this: ServerResponse, chunk: unknown, ...rest: unknown[]) {
    if (released) return (original.write as Function).call(this, chunk, ...rest);
    const buffer = toBuffer(chunk, rest[0]);
    if (!buffer || (chunks.length === 0 && !holdFor(buffer, headersSoFar()))) {
      calls.push(() => (original.write as Function).call(this, chunk, ...rest));
      release();
      return true;
    }
    chunks.push(buffer);
    calls.push(() => (original.write as Function).call(this, chunk, ...rest));
    return true;
  } as Write;
  raw.end = function (this: ServerResponse, chunk?: unknown, ...rest: unknown[]) {
    if (released) return (original.end as Function).call(this, chunk, ...rest);
    const buffer =
      chunk === undefined || chunk === null || typeof chunk === 'function'
        ? Buffer.alloc(0)
        : toBuffer(chunk, rest[0]);
    if (!buffer) {
      calls.push(() => (original.end as Function).call(this, chunk, ...rest));
      release();
      return this;
    }
    if (chunks.length === 0 && !holdFor(buffer, headersSoFar())) {
      calls.push(() => (original.end as Function).call(this, chunk, ...rest));
      release();
      return this;
    }
    chunks.push(buffer);
    const held: HeldResponse = {
      // Express sets the status without calling writeHead() until the body goes out.
      status: status ?? raw.statusCode,
      headers: headersSoFar(),
      body: Buffer.concat(chunks),
    };
    const send = (replaced: HeldResponseChange | undefined) => {
      if (!replaced) {
        calls.push(() => (original.end as Function).call(this, chunk, ...rest));
        release();
        return;
      }
      sendChanged(this, replaced, held);
    };
    const changed = change(held);
    if (isPromise(changed)) changed.then(send, () => send(undefined));
    else send(changed);
    return this;
  } as End;

  const sendChanged = (response: ServerResponse, replaced: HeldResponseChange, held: HeldResponse): void => {
    const status = held.status;
    released = true;
    const body = replaced.body ?? held.body;
    const headers: OutgoingHttpHeaders = { ...headersFromArguments(headArguments) };
    for (const [name, value] of Object.entries(replaced.headers ?? {})) {
      delete headers[name];
      if (value === undefined) raw.removeHeader(name);
      else raw.setHeader(name, value);
    }
    const finalStatus = replaced.status ?? status;
    if (finalStatus === 304) {
      for (const name of BODY_HEADERS) {
        delete headers[name];
        raw.removeHeader(name);
      }
    } else {
      if (headers['content-length'] !== undefined) headers['content-length'] = body.length;
      if (raw.getHeader('content-length') !== undefined) raw.setHeader('content-length', body.length);
    }
    if (raw.destroyed) return;
    (original.writeHead as Function).call(response, finalStatus, headers);
    (original.end as Function).call(response, finalStatus === 304 ? undefined : body);
  };

  return { release };
}
