import { createServer } from 'node:http';
import { PAGE_HTML } from './bodies.js';

/**
 * The ceiling: `node:http` answering every request with the bytes of the benchmark page. With
 * BENCH_RAW_HEADERS=hit it sends the headers an Express fast-path hit sends, to tell what Node
 * spends on a longer header list from what the cache spends. Prints `READY <port>` when it listens.
 */
const page = Buffer.from(PAGE_HTML);
const basic = { 'content-type': 'text/html; charset=utf-8', 'content-length': String(page.length) };
const hit = {
  'x-powered-by': 'Express',
  'content-type': 'text/html; charset=utf-8',
  vary: 'Accept-Encoding',
  etag: 'W/"5013-eWay441jKNJmbToYK9gwjBcpP+8"',
  'X-Cache': 'HIT',
  'content-length': String(page.length),
};
const headers = process.env.BENCH_RAW_HEADERS === 'hit' ? hit : basic;

const server = createServer((_request, response) => {
  response.writeHead(200, headers);
  response.end(page);
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`READY ${(server.address() as { port: number }).port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
