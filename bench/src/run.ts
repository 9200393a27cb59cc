import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createClient } from '@keyv/redis';
import { PINNED } from './cores.js';
import { LOAD } from './load.js';
import { measureRows } from './measure-rows.js';
import type { MemoryCost } from './memory-cost.js';
import { redisPerHit, redisPerHitTable, type RedisPerHit } from './redis-per-hit.js';
import { deleteKeys, type RedisClient } from './redis-stats.js';
import { targetsTable, throughputTable } from './report.js';
import { benchRows, type Row } from './scenarios.js';
import { checkTargets } from './targets.js';
import { varnishInstalled } from './varnish.js';

const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const RESULTS = fileURLToPath(new URL('../results/', import.meta.url));

/**
 * `npm run bench`: every row in child processes, rounds interleaved; then Redis traffic per hit,
 * invalidation cost and memory; then the targets. Prints Markdown and writes it (and the raw
 * samples as JSON) to bench/results/; `summary.md` is the part the README shows.
 */
async function main(): Promise<void> {
  const started = Date.now();
  const withRedis = await reachable(REDIS_URL);
  const withVarnish = varnishInstalled();
  if (!withRedis) console.warn(`\n*** Redis not reachable at ${REDIS_URL}: no Redis rows ***\n`);
  if (!withVarnish)
    console.warn('\n*** varnishd not installed (apt-get install varnish): no Varnish row ***\n');
  if (LOAD.tool !== 'wrk')
    console.warn(
      '\n*** wrk not installed (apt-get install wrk): autocannon loads, and may limit fast rows ***\n',
    );
  const only = process.env.BENCH_ONLY ? new RegExp(process.env.BENCH_ONLY) : undefined;
  const rows = benchRows({ withRedis, withVarnish }).filter((row) => !only || only.test(row.id));
  const keyPrefix = `bench:${process.pid}:`;
  const samples = await measureRows(rows, ROUNDS, { redisUrl: REDIS_URL, keyPrefix });
  if (withRedis) await deleteRunKeys(keyPrefix);

  const redis: RedisPerHit[] = [];
  if (withRedis)
    for (const adapter of ['express', 'fastify'] as const)
      for (const mode of ['page-cache-interceptor', 'page-cache'] as const)
        redis.push(await redisPerHit(REDIS_URL, adapter, mode));
  const memory = (await runChild('memory-cost.js', ['--expose-gc'])) as MemoryCost;
  const targets = targetsTable(checkTargets(samples, redis, memory));

  const summary = [
    header(started, rows),
    '### The 20 KB HTML page',
    throughputTable(samples, rows, 'page'),
    '### Targets',
    targets,
  ].join('\n\n');
  const full = [
    summary,
    '### The sample blog',
    throughputTable(samples, rows, 'sample'),
    '### Redis traffic per hit (20 KB page, 2,000 hits)',
    withRedis ? redisPerHitTable(redis) : '_Redis not reachable: not measured._',
    withRedis ? await invalidationTable() : '',
    '### Memory (built-in memory store, Express)',
    memoryLine(memory),
  ]
    .filter(Boolean)
    .join('\n\n');
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(`${RESULTS}summary.md`, `${summary}\n`);
  writeFileSync(`${RESULTS}latest.md`, `${full}\n`);
  writeFileSync(`${RESULTS}latest.json`, JSON.stringify(Object.fromEntries(samples), null, 2));
  console.log(`\n${full}\n`);
  console.log(`(${Math.round((Date.now() - started) / 1000)} s; written to bench/results/)`);
}

function header(started: number, rows: readonly Row[]): string {
  const servers = new Set(rows.map((row) => JSON.stringify(row.server))).size;
  return (
    `${new Date(started).toISOString()} · Node ${process.version} · ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'} · ` +
    `${Math.round(totalmem() / 2 ** 30)} GiB · ${LOAD.tool} ${LOAD.tool === 'wrk' ? '-t1 ' : ''}${LOAD.connections} connections, ` +
    `${LOAD.durationSeconds} s per row after ${LOAD.warmupSeconds} s of warm-up · ${servers} servers, each in its own ` +
    `process${PINNED ? ' on core 1 (the load on core 0)' : ''}, ${ROUNDS} interleaved rounds, medians · ` +
    'spread: half the range of the rounds'
  );
}

function memoryLine(memory: MemoryCost): string {
  return (
    `${memory.pages.toLocaleString('en')} pages of ${memory.pageBytes.toLocaleString('en')} bytes, each also served as gzip ` +
    `and br: heap +${memory.heapMiB.toFixed(1)} MiB (${memory.perBodyByte.toFixed(2)}× the bodies' bytes), ` +
    `RSS +${memory.rssMiB.toFixed(1)} MiB.`
  );
}

async function invalidationTable(): Promise<string> {
  const results = (await runChild('invalidation-cost.js')) as Array<{
    paths: number;
    flushMs: number;
    baselineFlushMs: number;
    cacheCalls: number;
    redisCommands: Record<string, number>;
  }>;
  return [
    '### Invalidation cost (MikroORM 6 + libsql, Redis via @keyv/redis; median of 30 commits)',
    '',
    '| paths from dependentPaths() | flush + invalidation, ms | same flush, undecorated entity, ms | store calls, in sequence | Redis commands |',
    '|---:|---:|---:|---:|---|',
    ...results.map(
      (r) =>
        `| ${r.paths} | ${r.flushMs.toFixed(2)} | ${r.baselineFlushMs.toFixed(2)} | ${r.cacheCalls} | ` +
        `${Object.entries(r.redisCommands)
          .map(([name, calls]) => `${name.toUpperCase()} ${calls}`)
          .join(', ')} |`,
    ),
  ].join('\n');
}

async function deleteRunKeys(keyPrefix: string): Promise<void> {
  const client = createClient({ url: REDIS_URL });
  await client.connect();
  await deleteKeys(client as unknown as RedisClient, keyPrefix);
  await client.quit();
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
