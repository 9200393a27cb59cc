import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { headersFromArguments, toBuffer } from './raw-response.js';

/** The response exactly as it went out: status, headers and body bytes. */
export interface CapturedResponse {
  readonly status: number;
  /** The headers as they were when the body's bytes were written (what describes `body`). */
  readonly headers: OutgoingHttpHeaders;
  /**
   * The headers as they finally went out: also what hooks of `writeHead` added (express-session
   * adds its `Set-Cookie` there, the `compression` middleware its `Content-Encoding`, applied to
   * bytes written after this capture saw them).
   */
  readonly sentHeaders: OutgoingHttpHeaders;
  readonly body: Buffer;
}

/** A capture in progress; `done` settles when the response finishes or is abandoned. */
export interface ResponseCapture {
  /** The captured response, or `undefined` if it was abandoned, aborted or too large. */
  readonly done: Promise<CapturedResponse | undefined>;
  /** Stop capturing (e.g. the handler returned a stream); `done` resolves `undefined`. */
  abandon(): void;
}

/** Bodies larger than this are sent as usual but not cached. */
export const MAX_CAPTURED_BYTES = 10 * 1024 * 1024;

type WriteHead = ServerResponse['writeHead'];
type Write = ServerResponse['write'];
type End = ServerResponse['end'];

/**
 * Records what the adapter writes to the raw `http.ServerResponse` (Express's `res`, Fastify's
 * `reply.raw`), after serialisation and template rendering, without changing what is sent.
 */
export function captureResponse(
  raw: ServerResponse,
  around: <T>(write: () => T) => T = (write) => write(),
): ResponseCapture {
  const chunks: Buffer[] = [];
  let size = 0;
  let status: number | undefined;
  let bodyHeaders: OutgoingHttpHeaders | undefined;
  let sentHeaders: OutgoingHttpHeaders | undefined;
  let abandoned = false;
  let settle!: (captured: CapturedResponse | undefined) => void;
  const done = new Promise<CapturedResponse | undefined>((resolve) => (settle = resolve));

  const original = { writeHead: raw.writeHead, write: raw.write, end: raw.end };
  // What the app made, as it was when it wrote the body (a hold below may send a 304 instead).
  const noteResponse = (): void => {
    status ??= raw.statusCode;
    bodyHeaders ??= raw.getHeaders();
  };
  const collect = (chunk: unknown, encoding: unknown): void => {
    noteResponse();
    if (abandoned || chunk === undefined || chunk === null || typeof chunk === 'function') return;
    const buffer = toBuffer(chunk, encoding);
    if (!buffer) return stop();
    size += buffer.length;
    if (size > MAX_CAPTURED_BYTES) return stop();
    chunks.push(buffer);
  };
  const restore = (): void => {
    raw.writeHead = original.writeHead;
    raw.write = original.write;
    raw.end = original.end;
    raw.off('finish', onFinish);
    raw.off('close', onClose);
  };
  const stop = (): void => {
    abandoned = true;
    chunks.length = 0;
  };
  const onFinish = (): void => {
    restore();
    settle(
      abandoned
        ? undefined
        : {
            status: status ?? raw.statusCode,
            headers: bodyHeaders ?? raw.getHeaders(),
            sentHeaders: sentHeaders ?? raw.getHeaders(),
            body: Buffer.concat(chunks),
          },
    );
  };
  const onClose = (): void => {
    if (raw.writableFinished) return onFinish();
    restore();
    settle(undefined);
  };

  raw.writeHead = function (this: ServerResponse, statusCode: number, ...rest: unknown[]) {
    // The status as the app gave it: a hold below may send a 304 in its place.
    status = statusCode;
    const given = headersFromArguments(rest);
    bodyHeaders = { ...raw.getHeaders(), ...given };
    const result = around(() => (original.writeHead as Function).call(this, statusCode, ...rest));
    sentHeaders = { ...raw.getHeaders(), ...given };
    return result;
  } as WriteHead;
  raw.write = function (this: ServerResponse, chunk: unknown, ...rest: unknown[]) {
    collect(chunk, rest[0]);
    return around(() => (original.write as Function).call(this, chunk, ...rest));
  } as Write;
  raw.end = function (this: ServerResponse, chunk?: unknown, ...rest: unknown[]) {
    collect(chunk, rest[0]);
    return around(() => (original.end as Function).call(this, chunk, ...rest));
  } as End;
  raw.once('finish', onFinish);
  raw.once('close', onClose);

  return { done, abandon: stop };
}
