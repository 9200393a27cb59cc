import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { dependencyKeys, type PageDependencies } from './dependency-keys.js';
import { MISS_PAGE, missCost, type MissCost } from './miss-cost.js';
import type { SampleMode } from './sample-server.js';
import { trafficMix, type MixOptions, type MixResult } from './traffic-mix.js';

const RESULTS = fileURLToPath(new URL('../results/', import.meta.url));
const MISS_WARMUP = Number(process.env.BENCH_MISS_WARMUP ?? 30);
const MISS_REQUESTS = Number(process.env.BENCH_MISS_REQUESTS ?? 300);
const MIX: MixOptions = {
  views: Number(process.env.BENCH_VIEWS ?? 5_000),
  commentEvery: Number(process.env.BENCH_COMMENT_EVERY ?? 100),
  seed: Number(process.env.BENCH_SEED ?? 22),
};

/** One page of each route of the sample, for the dependency keys. */
const KEYED_PAGES = [
  '/',
  '/posts/caching-whole-pages',
  '/tags/caching',
  '/authors/ada-lovelace',
  '/feed.xml',
  '/api/posts',
  '/api/posts/caching-whole-pages',
];

/** What each mode is, in the tables. */
const MODE_NAMES: Partial<Record<SampleMode, string>> = {
  floor: 'uncached (`floor`)',
  'page-cache': "declared (`page-cache`: the sample as shipped, its tag page 'auto')",
  'page-cache-auto': "automatic (`page-cache-auto`: `dependencies: 'auto'` for every page)",
  'page-cache-every-page': 'every page (`page-cache-every-page`: `invalidateAllOnChange`, Jimmy Page mode)',
  'nest-cache':
    "control: Nest's `CacheInterceptor` (`nest-cache`: no invalidation; shows the checker can fail)",
};

/**
 * `npm run bench:dependencies`: what automatic dependencies cost and what they win on the sample
 * blog (Express, memory store). The miss cost: sequential misses of the post page, uncached,
 * declared and automatic, side by side. The hit ratio: the sample's traffic mix on the declared,
 * automatic and every-page modes (and Nest's CacheInterceptor, which never invalidates: the
 * control that shows a stale read is caught), each beside an uncached twin on the same database,
 * counting stale reads. Prints Markdown and writes it to bench/results/dependencies.md.
 */
async function main(): Promise<void> {
  const started = Date.now();
  process.stderr.write('dependency keys…\n');
  const keys = await dependencyKeys(KEYED_PAGES);
  process.stderr.write('miss cost…\n');
  const misses = await missCost({
    modes: ['floor', 'page-cache', 'page-cache-auto'],
    warmup: MISS_WARMUP,
    requests: MISS_REQUESTS,
    block: 10,
  });
  const mixes: MixResult[] = [];
  for (const mode of ['page-cache', 'page-cache-auto', 'page-cache-every-page', 'nest-cache'] as const) {
    process.stderr.write(`traffic mix, ${mode}…\n`);
    mixes.push(await trafficMix(mode, MIX));
  }
  const text = [
    `${new Date(started).toISOString()} · Node ${process.version} · ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'} · ` +
      'the sample blog on Express, pages in memory, SQLite (libsql) · each server in its own process',
    '### What an automatic page depends on: one render of each, from `stats()`',
    keysTable(keys),
    '### Miss cost: the post page, a new query-string variant per request',
    missTable(misses),
    "### Hit ratio and stale reads: the sample's traffic mix",
    mixTable(mixes),
  ].join('\n\n');
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(`${RESULTS}dependencies.md`, `${text}\n`);
  console.log(`\n${text}\n`);
  console.log(`(${Math.round((Date.now() - started) / 1000)} s; written to bench/results/dependencies.md)`);
}

function keysTable(pages: readonly PageDependencies[]): string {
  return [
    '`page-cache-auto`, each page rendered once on a fresh database; keys: the dependency keys a hit checks ' +
      "besides the page's own path and the global epoch (all in the one multi-get).",
    '',
    '| page | route | dependency keys | entity classes read | fell back to whole classes |',
    '|---|---|---:|---|---|',
    ...pages.map(
      (p) =>
        `| \`${p.path}\` | \`${p.route}\` | ${p.keys} | ${p.classes.join(', ')} | ${p.coarse ? 'yes' : 'no'} |`,
    ),
  ].join('\n');
}

function missTable(misses: readonly MissCost[]): string {
  const declared = misses.find((m) => m.mode === 'page-cache');
  const auto = misses.find((m) => m.mode === 'page-cache-auto');
  const lines = [
    `\`GET ${MISS_PAGE}?miss=<n>\`, one request after the other on one keep-alive connection; the servers take turns, ` +
      `10 requests each, ${MISS_WARMUP} of warm-up each, then ${MISS_REQUESTS} measured each (client-side latency, ` +
      'request sent to last byte).',
    '',
    '| mode | requests | median ms | p99 ms | mean ms | not a MISS | failed |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...misses.map(
      (m) =>
        `| ${MODE_NAMES[m.mode]} | ${m.requests} | ${m.medianMs.toFixed(2)} | ${m.p99Ms.toFixed(2)} | ` +
        `${m.meanMs.toFixed(2)} | ${m.mode === 'floor' ? '–' : m.notMiss} | ${m.failed} |`,
    ),
  ];
  if (declared && auto)
    lines.push(
      '',
      `Automatic − declared, per miss (the capture of what the render read, and its dependency keys stored): ` +
        `median ${signed(auto.medianMs - declared.medianMs)} ms, mean ${signed(auto.meanMs - declared.meanMs)} ms, ` +
        `p99 ${signed(auto.p99Ms - declared.p99Ms)} ms.`,
    );
  return lines.join('\n');
}

function mixTable(mixes: readonly MixResult[]): string {
  const first = mixes[0];
  const lines = [
    `${MIX.views.toLocaleString('en')} views (seed ${MIX.seed}) over the sample's ${first ? first.pages : '?'} public pages ` +
      `(home, feed, JSON list and its pages, every post page and its JSON, tag and author pages), page i of the list ` +
      `with weight 1/i; a new comment (the post page's form, on a post picked the same way) after every ` +
      `${MIX.commentEvery} views; the same sequence in every mode. Stale: the view's body differed from an uncached ` +
      'twin on the same SQLite file, read right after (the footer\'s "Rendered at" time blanked in both).',
    '',
    '| mode | views | hits | hit ratio | first views (cold misses) | re-renders after a write | comments | stale reads | failed |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...mixes.map(
      (m) =>
        `| ${MODE_NAMES[m.mode]} | ${m.views.toLocaleString('en')} | ${m.hits.toLocaleString('en')} | ` +
        `${((m.hits / m.views) * 100).toFixed(1)} % | ${m.firstViews} | ${(m.views - m.hits - m.firstViews).toLocaleString('en')} | ` +
        `${m.comments} | ${m.stale.toLocaleString('en')}${m.staleExamples.length ? ` (${m.staleExamples.join('; ')})` : ''} | ${m.failed} |`,
    ),
  ];
  return lines.join('\n');
}

const signed = (value: number): string => `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(2)}`;

void main().catch((error) => {
  console.error(error);
  process.exit(1);
});
