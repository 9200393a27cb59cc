import { createClient } from '@keyv/redis';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BlogProcess } from './blog-process.js';
import { edgeVarnishMissing, startEdgeVarnish } from './edge-varnish.js';
import { deleteKeys, type RedisClient } from './redis-stats.js';

const RESULTS = fileURLToPath(new URL('../results/', import.meta.url));
const LIBRARY = fileURLToPath(new URL('../../dist/index.js', import.meta.url));
const WRITES = Number(process.env.BENCH_EDGE_WRITES ?? 500);
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

interface Windows {
  readonly waitForPurge: boolean;
  readonly ms: readonly number[];
}

/**
 * `npm run bench:edge`: the window from a write's commit to Varnish's acknowledgement of its purge.
 * The fault tests' blog app (Express, SQLite, the library over Redis with the `edge` option and a
 * `VarnishPurger`) behind a varnishd running the package's VCL; BENCH_EDGE_WRITES (500) writes of
 * one post, one after the other, each once Varnish holds the post's page (so each purge forgets an
 * object). The app prints each write's window (`EDGE_TIMINGS=1`, measured in its own process):
 * with `waitForPurge`, from the commit to `flush()` resolving, which it does once Varnish
 * acknowledged; without, from the commit to the acknowledgement of the first purge sent after
 * `flush()` resolved. Prints Markdown and writes it to bench/results/edge-window.md.
 */
async function main(): Promise<void> {
  const missing = edgeVarnishMissing();
  if (missing) throw new Error(`bench:edge needs Varnish with the xkey vmod: ${missing}`);
  const started = Date.now();
  const results: Windows[] = [];
  for (const waitForPurge of [true, false]) {
    process.stderr.write(`${WRITES} writes, waitForPurge ${waitForPurge}…\n`);
    results.push({ waitForPurge, ms: await measure(waitForPurge) });
  }
  const text = [
    `${new Date(started).toISOString()} · Node ${process.version} · ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'} · ` +
      'Express, SQLite (libsql), Redis, Varnish 7 with xkey, each in its own process',
    '### From commit to purged: how long Varnish may serve the pages it held before the write',
    table(results),
  ].join('\n\n');
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(`${RESULTS}edge-window.md`, `${text}\n`);
  console.log(`\n${text}\n`);
  console.log(`(${Math.round((Date.now() - started) / 1000)} s; written to bench/results/edge-window.md)`);
}

async function measure(waitForPurge: boolean): Promise<number[]> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-edge-window-'));
  const [appPort, varnishPort] = [await freePort(), await freePort()];
  const keyPrefix = `bench-edge:${process.pid}:`;
  const varnish = await startEdgeVarnish(varnishPort, appPort);
  let blog: BlogProcess | undefined;
  try {
    blog = await BlogProcess.start({
      CACHE_PAGE_LIB: LIBRARY,
      ADAPTER: 'express',
      REDIS_URL,
      DB_KIND: 'sqlite',
      DB_URL: join(dir, 'blog.sqlite'),
      KEY_PREFIX: keyPrefix,
      CREATE_SCHEMA: '1',
      PORT: String(appPort),
      VARNISH_URL: varnish.baseUrl,
      EDGE_TIMINGS: '1',
      WAIT_FOR_PURGE: waitForPurge ? '1' : '0',
    });
    const windows: number[] = [];
    for (let version = 1; version <= WRITES; version++) {
      await untilVarnishKeeps(`${varnish.baseUrl}/posts/hello`);
      const query = new URLSearchParams({ title: `v${version}`, shape: 'flush' });
      const response = await fetch(`http://127.0.0.1:${appPort}/posts/hello?${query}`, { method: 'POST' });
      if (response.status !== 201)
        throw new Error(`write ${version}: ${response.status} ${await response.text()}`);
      await response.arrayBuffer();
      const line = await blog.waitFor(new RegExp(`^edge-window v${version} `));
      windows.push(Number(line.split(' ')[2]));
    }
    const warnings = blog.output.filter((line) => /did not acknowledge|purging .* failed/.test(line));
    if (warnings.length > 0) throw new Error(`purges failed or were slow:\n${warnings.join('\n')}`);
    return windows;
  } finally {
    await blog?.stop();
    await varnish.stop();
    rmSync(dir, { recursive: true, force: true });
    const client = createClient({ url: REDIS_URL });
    await client.connect();
    await deleteKeys(client as unknown as RedisClient, keyPrefix);
    await client.quit();
  }
}

/** Requests `url` through Varnish until Varnish answers it from its cache (a miss, an app hit, then kept). */
async function untilVarnishKeeps(url: string): Promise<void> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const response = await fetch(url);
    await response.arrayBuffer();
    if (/^\d+ \d+$/.test(response.headers.get('x-varnish') ?? '')) return;
  }
  throw new Error(`Varnish never kept ${url}`);
}

function table(results: readonly Windows[]): string {
  const at = (sorted: readonly number[], fraction: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))]!;
  const ms = (value: number) => `${value.toFixed(1)} ms`;
  return [
    `${WRITES} writes of one post, one after the other; the app's own clock (\`performance.now()\`) at its ` +
      "COMMIT (a MikroORM `afterTransactionCommit` subscriber, before the library's) and at the purge's " +
      "acknowledgement (the `VarnishPurger`'s `purge()` resolving: Varnish answered 200 to the `PURGE`).",
    '',
    '| edge.waitForPurge | the window ends when | p50 | p90 | p99 | max |',
    '|---|---|---:|---:|---:|---:|',
    ...results.map(({ waitForPurge, ms: values }) => {
      const sorted = [...values].sort((a, b) => a - b);
      const end = waitForPurge
        ? "`flush()` resolves (after Varnish's acknowledgement)"
        : 'Varnish acknowledges the first purge sent after `flush()` resolved';
      return `| ${waitForPurge ? 'true' : 'false (default)'} | ${end} | ${ms(at(sorted, 0.5))} | ${ms(at(sorted, 0.9))} | ${ms(at(sorted, 0.99))} | ${ms(sorted.at(-1)!)} |`;
    }),
  ].join('\n');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

void main().catch((error) => {
  console.error(error);
  process.exit(1);
});
