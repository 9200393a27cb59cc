import 'reflect-metadata';
import { createApp } from './server.js';

const PAGES = 10_000;

export interface MemoryCost {
  readonly pages: number;
  readonly pageBytes: number;
  readonly heapMiB: number;
  readonly rssMiB: number;
  readonly heapBytesPerPage: number;
}

/**
 * Heap and RSS growth for 10,000 distinct 20 KB pages cached in the built-in memory store,
 * measured after forced garbage collections (run with --expose-gc). Prints one JSON line.
 */
async function main(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  process.env.BENCH_KEY_PREFIX = 'bench-memory:';
  process.env.BENCH_MAX_ENTRIES = String(3 * PAGES); // a page and its path's epoch per document
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
  for (let i = 0; i < PAGES; i++) {
    const response = await fetch(`${base}/doc/${i}`);
    await response.text();
  }
  const cached = await fetch(`${base}/doc/0`);
  if (cached.headers.get('x-cache') !== 'HIT') throw new Error('the first page was not kept');
  await cached.text();
  const after = await settle();
  await app.close();

  const heap = after.heapUsed + after.external - (before.heapUsed + before.external);
  const result: MemoryCost = {
    pages: PAGES,
    pageBytes: Buffer.byteLength(sample),
    heapMiB: heap / 2 ** 20,
    rssMiB: (after.rss - before.rss) / 2 ** 20,
    heapBytesPerPage: heap / PAGES,
  };
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
}

void main();
