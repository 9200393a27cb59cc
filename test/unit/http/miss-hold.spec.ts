import { afterEach, describe, expect, test } from '@jest/globals';
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { withBackForwardCheck } from '../../../lib/http/back-forward-script.js';
import { weakEtag } from '../../../lib/http/etag.js';
import type { HttpRequest } from '../../../lib/http/http-exchange.js';
import { holdMiss, rewriteMiss } from '../../../lib/http/miss-hold.js';
import type { HeldResponse } from '../../../lib/http/response-hold.js';

const HTML = Buffer.from('<html><head><title>Post</title></head><body>Hello</body></html>');
const held = (headers: HeldResponse['headers'], status = 200, body = HTML): HeldResponse => ({
  status,
  headers,
  body,
});

describe('what a held miss sends', () => {
  test('a 304 when the client already has the page the miss rendered', () => {
    const etag = weakEtag(HTML);
    expect(rewriteMiss(held({ 'content-type': 'text/html' }), { ifNoneMatch: etag }, false)).toEqual({
      status: 304,
      headers: { etag },
    });
    expect(
      rewriteMiss(
        held({ etag: '"v2"', 'last-modified': 'Mon, 01 Jan 2024 00:00:00 GMT' }),
        { ifModifiedSince: 'Tue, 02 Jan 2024 00:00:00 GMT' },
        false,
      ),
    ).toEqual({ status: 304, headers: { etag: '"v2"' } });
  });

  test('the page with the Back/Forward check when the client has another version', () => {
    const etag = weakEtag(HTML);
    const change = rewriteMiss(held({ 'content-type': 'text/html' }), { ifNoneMatch: '"old"' }, true);
    expect(change?.status).toBeUndefined();
    expect(change?.headers).toEqual({ etag });
    expect(change?.body).toEqual(withBackForwardCheck(HTML, etag));
  });

  test('the page as it is: not HTML, encoded, not a 200, or reloadOnBack off', () => {
    expect(rewriteMiss(held({ 'content-type': 'application/json' }), undefined, true)).toBeUndefined();
    expect(
      rewriteMiss(held({ 'content-type': 'text/html', 'content-encoding': 'gzip' }), undefined, true),
    ).toBeUndefined();
    expect(rewriteMiss(held({ 'content-type': 'text/html' }, 404), undefined, true)).toBeUndefined();
    expect(
      rewriteMiss(held({ 'content-type': 'text/html' }), { ifNoneMatch: '"old"' }, false),
    ).toBeUndefined();
  });
});

describe('holding a miss', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  /** Serves one request through `holdMiss` and a handler that renders the page in full. */
  async function serveMiss(headers: IncomingHttpHeaders, reloadOnBack: boolean) {
    let seenByHandler: IncomingHttpHeaders = {};
    let holding = false;
    server = createServer((req, res) => {
      // Express's request is Node's: the validators are on its own headers.
      holding = holdMiss(req as HttpRequest, res, reloadOnBack, undefined) !== undefined;
      seenByHandler = { ...req.headers };
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(HTML);
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      request({ port, host: '127.0.0.1', path: '/', headers }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
        .on('error', reject)
        .end();
    });
    return { ...answer, seenByHandler, holding };
  }

  test("a revalidating client's validators are taken off for the render, and it gets its 304", async () => {
    const answer = await serveMiss({ 'if-none-match': weakEtag(HTML) }, false);
    expect(answer.holding).toBe(true);
    expect(answer.seenByHandler['if-none-match']).toBeUndefined();
    expect(answer).toMatchObject({ status: 304, body: '' });
  });

  test('with reloadOnBack, the HTML page goes out with the Back/Forward check', async () => {
    const answer = await serveMiss({}, true);
    expect(answer.status).toBe(200);
    expect(answer.body).toBe(withBackForwardCheck(HTML, weakEtag(HTML)).toString());
  });

  test('nothing is held without validators or reloadOnBack', async () => {
    const answer = await serveMiss({}, false);
    expect(answer).toMatchObject({ holding: false, status: 200, body: HTML.toString() });
  });
});
