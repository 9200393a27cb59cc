import { createServer } from 'node:http';
import { PAGE_HTML } from './bodies.js';

/**
 * The ceiling: `node:http` answering every request with the bytes of the benchmark page.
 * Prints `READY <port>` when it listens.
 */
const page = Buffer.from(PAGE_HTML);
const headers = { 'content-type': 'text/html; charset=utf-8', 'content-length': String(page.length) };

const server = createServer((_request, response) => {
  response.writeHead(200, headers);
  response.end(page);
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`READY ${(server.address() as { port: number }).port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
