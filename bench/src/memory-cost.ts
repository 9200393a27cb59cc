import 'reflect-metadata';
import { createApp } from './server.js';

const PAGES = 10_000;
const CONCURRENCY = 16;

export interface MemoryCost {
  readonly pages: number;
  readonly pageBytes: number;
  readonly heapMiB: number;
  readonly rssMiB: number;
  /** Heap growth over the bodies' own bytes (identity), with their gzip and br copies held too. */
  readonly perBodyByte: number;
}

/**
 * Heap and RSS growth for 10,000 distinct 20 KB pages cached in the built-in memory store, each
 * also served once as gzip and once as br (so its compressed copies are held), measured after
 * forced garbage collections (run with --expose-gc). Prints one JSON line.
 */
async function main(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  process.env.BENCH_KEY_PREFIX = 'bench-memory:';
  process.env.BENCH_MAX_ENTRIES = String(3 * PAGES); // a page and its path's epoch per document
  process.env.BENCH_MAX_BYTES = String(1024 * 2 ** 20); // above the default 128 MiB, so every body stays
  const app = await createApp('page-cache', 'express', 'memory');
  await app.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  const sample = await (await fetch(`${base}/doc/warmup`)).text();

  const settle = async () => {
    for (let i = 0; i < 3; i++) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return process.memoryUsage();
  };
  const before = await settle();
  let next = 0;
  const worker = async () => {
    for (let page = next++; page < PAGES; page = next++)
      for (const encoding of (process.env.BENCH_ENCODINGS ?? 'identity,gzip,br').split(','))
        await (
          await fetch(`${base}/doc/${page}`, { headers: { 'accept-encoding': encoding } })
        ).arrayBuffer();
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const cached = await fetch(`${base}/doc/0`, { headers: { 'accept-encoding': 'br' } });
  if (cached.headers.get('x-cache') !== 'HIT' || cached.headers.get('content-encoding') !== 'br')
    throw new Error('the first page was not kept with its br copy');
  await cached.arrayBuffer();
  const after = await settle();
  await app.close();

  const heap = after.heapUsed + after.external - (before.heapUsed + before.external);
  const pageBytes = Buffer.byteLength(sample);
  const result: MemoryCost = {
    pages: PAGES,
    pageBytes,
    heapMiB: heap / 2 ** 20,
    rssMiB: (after.rss - before.rss) / 2 ** 20,
    perBodyByte: heap / (PAGES * pageBytes),
  };
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
}

void main();
