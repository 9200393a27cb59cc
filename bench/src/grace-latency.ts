import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { CachePage, CachePageModule, CachePageService, type CachePageModuleOptions } from 'nestjs-cache-page';

const RESULTS = fileURLToPath(new URL('../results/', import.meta.url));
/** How long the page takes to render, ms. */
const RENDER_MS = Number(process.env.BENCH_GRACE_RENDER_MS ?? 200);
/** Invalidations per scenario, and the time between two, ms. */
const CYCLES = Number(process.env.BENCH_GRACE_CYCLES ?? 15);
const CYCLE_MS = 1_500;
/** Readers of the busy page, each sending its next request when the last one is answered. */
const BUSY_READERS = 8;
/** The busy page's samples: requests sent this long after an invalidation (its render's time), ms. */
const BUSY_WINDOW_MS = RENDER_MS + 50;
/** The sparse page's one reader comes this long after each invalidation, ms. */
const SPARSE_AFTER_MS = 1_000;

interface Scenario {
  readonly name: string;
  readonly options: CachePageModuleOptions;
  readonly route: { staleWhileRevalidate?: number };
}

const GRACE = { staleWhileRevalidate: 10_000 };
const SCENARIOS: Scenario[] = [
  { name: 'never stale (default)', options: {}, route: {} },
  { name: 'grace (staleWhileRevalidate: 10 s)', options: {}, route: GRACE },
  { name: 'warm-up (warmUp: true)', options: { warmUp: true }, route: {} },
  { name: 'grace + warm-up', options: { warmUp: true }, route: GRACE },
];

interface Sample {
  readonly ms: number;
  readonly cache: string;
}

/**
 * `npm run bench:grace`: what a reader waits for right after an invalidation of a page whose
 * render takes BENCH_GRACE_RENDER_MS (200), with and without grace and warm-up. One Express app
 * per scenario on the memory store; CYCLES (15) invalidations 1.5 s apart. The busy page has 8
 * readers without pause: its samples are the requests sent within the render's time (+50 ms) after an invalidation. The
 * sparse page has one reader, 1 s after each invalidation (warm-up's case: nobody was waiting).
 * Prints Markdown and writes it to bench/results/grace-latency.md.
 */
async function main(): Promise<void> {
  const started = Date.now();
  const rows: string[] = [];
  for (const scenario of SCENARIOS) {
    process.stderr.write(`${scenario.name}…\n`);
    const { busy, sparse, renders } = await measure(scenario);
    rows.push(`| ${scenario.name} | ${line(busy)} | ${line(sparse)} | ${renders} |`);
  }
  const text = [
    `${new Date(started).toISOString()} · Node ${process.version} · ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'} · ` +
      `Express, memory store, a page that renders in ${RENDER_MS} ms, ${CYCLES} invalidations 1.5 s apart`,
    '### What a reader waits for right after an invalidation',
    `| scenario | busy page (8 readers; requests sent within ${BUSY_WINDOW_MS} ms after): p50 / p99 / max ms, answers | sparse page (one reader 1 s after): p50 / p99 / max ms, answers | renders |`,
    '| --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(`${RESULTS}grace-latency.md`, `${text}\n`);
  console.log(`\n${text}\n`);
  console.log(`(${Math.round((Date.now() - started) / 1000)} s; written to bench/results/grace-latency.md)`);
}

async function measure(scenario: Scenario): Promise<{ busy: Sample[]; sparse: Sample[]; renders: number }> {
  let renders = 0;
  const render = async (name: string) => {
    renders += 1;
    await new Promise((resolve) => setTimeout(resolve, RENDER_MS));
    return `<h1>${name}</h1><p>${'x'.repeat(2_000)}</p>`;
  };

  @Controller()
  class PagesController {
    @Get('busy')
    @CachePage(scenario.route)
    busy(): Promise<string> {
      return render('busy');
    }

    @Get('sparse')
    @CachePage(scenario.route)
    sparse(): Promise<string> {
      return render('sparse');
    }
  }

  @Module({ imports: [CachePageModule.forRoot(scenario.options)], controllers: [PagesController] })
  class BenchModule {}

  const app = await NestFactory.create(BenchModule, new ExpressAdapter(), { logger: false });
  await app.listen(0, '127.0.0.1');
  const port = (app.getHttpServer().address() as { port: number }).port;
  const agent = new Agent({ keepAlive: true, maxSockets: BUSY_READERS + 2 });
  const pages = app.get(CachePageService);
  const busy: Sample[] = [];
  const sparse: Sample[] = [];
  let invalidatedAt = -Infinity;
  let stopped = false;
  try {
    await get(agent, port, '/busy');
    await get(agent, port, '/sparse');
    const readers = Array.from({ length: BUSY_READERS }, async () => {
      while (!stopped) {
        const sent = Date.now();
        const answer = await get(agent, port, '/busy');
        if (sent - invalidatedAt < BUSY_WINDOW_MS) busy.push(answer);
      }
    });
    renders = 0;
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      await new Promise((resolve) => setTimeout(resolve, CYCLE_MS - SPARSE_AFTER_MS));
      invalidatedAt = Date.now();
      await pages.invalidate(['/busy', '/sparse']);
      await new Promise((resolve) => setTimeout(resolve, SPARSE_AFTER_MS));
      sparse.push(await get(agent, port, '/sparse'));
    }
    stopped = true;
    await Promise.all(readers);
  } finally {
    agent.destroy();
    await app.close();
  }
  return { busy, sparse, renders };
}

function get(agent: Agent, port: number, path: string): Promise<Sample> {
  const sent = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const outgoing = request({ host: '127.0.0.1', port, path, agent }, (response) => {
      response.resume();
      response.on('end', () => {
        const ms = Number(process.hrtime.bigint() - sent) / 1e6;
        resolve({ ms, cache: String(response.headers['x-cache'] ?? '-') });
      });
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

function line(samples: readonly Sample[]): string {
  const sorted = samples.map((sample) => sample.ms).sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  const counts = new Map<string, number>();
  for (const sample of samples) counts.set(sample.cache, (counts.get(sample.cache) ?? 0) + 1);
  const answers = [...counts].map(([cache, count]) => `${count} ${cache}`).join(', ');
  return `${at(0.5).toFixed(1)} / ${at(0.99).toFixed(1)} / ${(sorted.at(-1) ?? NaN).toFixed(1)} (${answers})`;
}

await main();
