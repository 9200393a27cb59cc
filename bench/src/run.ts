import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createClient } from '@keyv/redis';
import { SERVERS, startServer } from './child-server.js';
import { LOAD, measure, type LoadResult } from './load.js';
import { commandCounts, commandsBetween, deleteKeys, type RedisClient } from './redis-stats.js';
import {
  ROUTE_LABELS,
  ROUTE_PATHS,
  serverScenarios,
  VARIANT_LABELS,
  type ServerScenario,
} from './scenarios.js';
import autocannon from 'autocannon';

const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const RESULTS = fileURLToPath(new URL('../results/', import.meta.url));

type Samples = Map<string, LoadResult[]>;
const sampleKey = (s: ServerScenario, route: string) => `${s.adapter}|${route}|${s.mode}/${s.store}`;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * `npm run bench`: every scenario in child processes, one at a time, repeats interleaved; then
 * invalidation cost and memory. Prints Markdown tables and writes them (and JSON) to
 * bench/results/.
 */
async function main(): Promise<void> {
  const started = Date.now();
  const withRedis = await reachable(REDIS_URL);
  if (!withRedis) console.warn(`\n*** skipped: Redis not reachable at ${REDIS_URL}: no Redis rows ***\n`);
  const scenarios = serverScenarios(withRedis);

  const samples: Samples = new Map();
  for (let repeat = 1; repeat <= REPEATS; repeat++) {
    for (const scenario of scenarios) {
      const server = await startServer(
        {
          BENCH_MODE: scenario.mode,
          BENCH_ADAPTER: scenario.adapter,
          BENCH_STORE: scenario.store,
          BENCH_REDIS_URL: REDIS_URL,
          BENCH_KEY_PREFIX: `bench:${process.pid}:`,
        },
        SERVERS[scenario.app],
      );
      for (const route of scenario.routes) {
        const result = await measure(`${server.baseUrl}${ROUTE_PATHS[route]}`);
        const key = sampleKey(scenario, route);
        samples.set(key, [...(samples.get(key) ?? []), result]);
        process.stderr.write(
          `  [${repeat}/${REPEATS}] ${key}: ${Math.round(result.requestsPerSecond)} req/s\n`,
        );
      }
      await server.stop();
    }
  }

  const sections = [
    header(started),
    throughputTable(samples, scenarios),
    withRedis ? await redisCommandsPerHit() : '_Redis rows skipped: Redis not reachable._',
    withRedis ? await invalidationTable() : '',
    await memoryTable(),
  ];
  const markdown = sections.filter(Boolean).join('\n\n') + '\n';
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(`${RESULTS}latest.md`, markdown);
  writeFileSync(`${RESULTS}latest.json`, JSON.stringify(Object.fromEntries(samples), null, 2));
  console.log(`\n${markdown}`);
  console.log(
    `(${Math.round((Date.now() - started) / 1000)} s; written to bench/results/latest.md and latest.json)`,
  );
}

function header(started: number): string {
  return [
    `# nestjs-cache-page benchmarks`,
    '',
    `${new Date(started).toISOString()} · Node ${process.version} · ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'} · ` +
      `${Math.round(totalmem() / 2 ** 30)} GiB · autocannon ${LOAD.connections} connections, ` +
      `${LOAD.durationSeconds} s per run after ${LOAD.warmupSeconds} s warm-up, median of ${REPEATS} interleaved runs`,
  ].join('\n');
}

function throughputTable(samples: Samples, scenarios: ServerScenario[]): string {
  const rows = [
    '| route | adapter | variant | req/s | × floor | × floor with a no-op interceptor | p99 ms |',
    '|---|---|---|---:|---:|---:|---:|',
  ];
  const routes = [...new Set(scenarios.flatMap((s) => s.routes))];
  for (const route of routes) {
    for (const adapter of ['express', 'fastify']) {
      const rpsOf = (variant: string) =>
        median((samples.get(`${adapter}|${route}|${variant}`) ?? []).map((r) => r.requestsPerSecond));
      const floor = rpsOf('floor/memory');
      const interceptorFloor = rpsOf('noop-interceptor/memory');
      for (const variant of Object.keys(VARIANT_LABELS)) {
        const results = samples.get(`${adapter}|${route}|${variant}`);
        if (!results) continue;
        const rps = median(results.map((r) => r.requestsPerSecond));
        const p99 = median(results.map((r) => r.p99Ms));
        const failures = results.reduce((sum, r) => sum + r.errors + r.non2xx, 0);
        const label =
          variant === 'floor/memory' && route.startsWith('sample') ? 'uncached' : VARIANT_LABELS[variant];
        rows.push(
          `| ${ROUTE_LABELS[route]} | ${adapter} | ${label}` +
            `${failures ? ` (${failures} failed)` : ''} | ${Math.round(rps)} | ${(rps / floor).toFixed(2)} | ` +
            `${interceptorFloor ? (rps / interceptorFloor).toFixed(2) : '–'} | ${p99} |`,
        );
      }
    }
  }
  return ['## Throughput (hits), side by side', '', ...rows].join('\n');
}

/** Redis commands per HIT: 2,000 hits on a cached page, counted with INFO commandstats. */
async function redisCommandsPerHit(): Promise<string> {
  const server = await startServer({
    BENCH_MODE: 'page-cache',
    BENCH_ADAPTER: 'express',
    BENCH_STORE: 'redis',
    BENCH_REDIS_URL: REDIS_URL,
    BENCH_KEY_PREFIX: `bench-hits:${process.pid}:`,
  });
  const client = createClient({ url: REDIS_URL });
  await client.connect();
  const stats = client as unknown as RedisClient;
  await fetch(`${server.baseUrl}/body-1k`).then((r) => r.text());
  const hits = 2_000;
  const before = await commandCounts(stats);
  await autocannon({ url: `${server.baseUrl}/body-1k`, connections: 10, amount: hits });
  const delta = commandsBetween(before, await commandCounts(stats));
  await server.stop();
  await deleteKeys(stats, `bench-hits:${process.pid}:`);
  await client.quit();
  const perHit = Object.entries(delta).map(
    ([name, calls]) => `${name.toUpperCase()} × ${(calls / hits).toFixed(2)}`,
  );
  return [
    '## Redis commands per HIT',
    '',
    `${hits} hits on one page: ${perHit.join(', ') || 'none'} per hit.`,
  ].join('\n');
}

async function invalidationTable(): Promise<string> {
  const results = (await runChild('invalidation-cost.js')) as Array<{
    paths: number;
    flushMs: number;
    baselineFlushMs: number;
    cacheCalls: number;
    redisCommands: Record<string, number>;
  }>;
  const rows = [
    '| paths from dependentPaths() | flush + invalidation, ms | same flush, undecorated entity, ms | store calls, in sequence | Redis commands |',
    '|---:|---:|---:|---:|---|',
    ...results.map(
      (r) =>
        `| ${r.paths} | ${r.flushMs.toFixed(2)} | ${r.baselineFlushMs.toFixed(2)} | ${r.cacheCalls} | ` +
        `${Object.entries(r.redisCommands)
          .map(([name, calls]) => `${name.toUpperCase()} ${calls}`)
          .join(', ')} |`,
    ),
  ];
  return [
    '## Invalidation cost (MikroORM 6 + libsql, Redis via @keyv/redis; median of 30 commits)',
    '',
    ...rows,
  ].join('\n');
}

async function memoryTable(): Promise<string> {
  const result = (await runChild('memory-cost.js', ['--expose-gc'])) as {
    pages: number;
    pageBytes: number;
    heapMiB: number;
    rssMiB: number;
    heapBytesPerPage: number;
  };
  return [
    '## Memory (built-in memory store, Express)',
    '',
    `${result.pages.toLocaleString('en')} cached pages of ${result.pageBytes} bytes: heap +${result.heapMiB.toFixed(1)} MiB ` +
      `(${Math.round(result.heapBytesPerPage)} bytes per page), RSS +${result.rssMiB.toFixed(1)} MiB.`,
  ].join('\n');
}

function runChild(script: string, nodeFlags: string[] = []): Promise<unknown> {
  const entry = fileURLToPath(new URL(`./${script}`, import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeFlags, entry], {
      env: { ...process.env, BENCH_REDIS_URL: REDIS_URL },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => {
      const line = /^RESULT (.*)$/m.exec(output);
      if (code !== 0 || !line) return reject(new Error(`${script} failed (exit ${code}): ${output}`));
      resolve(JSON.parse(line[1]));
    });
  });
}

function reachable(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) });
    socket.setTimeout(1_000, () => (socket.destroy(), resolve(false)));
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

void main().catch((error) => {
  console.error(error);
  process.exit(1);
});
