import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { trafficMix, type GreetingMode, type MixOptions, type MixResult } from './traffic-mix.js';

const RESULTS = fileURLToPath(new URL('../results/', import.meta.url));
const MIX: Required<MixOptions> = {
  views: Number(process.env.BENCH_VIEWS ?? 5_000),
  commentEvery: Number(process.env.BENCH_COMMENT_EVERY ?? 100),
  seed: Number(process.env.BENCH_SEED ?? 22),
  signedIn: Number(process.env.BENCH_SIGNED_IN ?? 0.2),
  readers: Number(process.env.BENCH_READERS ?? 4),
};

/** What each greeting is, in the table. */
const GREETINGS: Record<GreetingMode, string> = {
  inline: 'before: greeting rendered from the session (`SAMPLE_GREETING=inline`)',
  fragment: 'after: greeting as a personal fragment (`SAMPLE_GREETING=fragment`, the default)',
};

/**
 * `npm run bench:signed-in`: the sample's traffic mix (issue 9's hit-ratio measurement) with
 * BENCH_SIGNED_IN (20 % by default) of the views by signed-in readers, on the sample as shipped
 * (`page-cache`, Express, memory store), twice in one run: with the header's greeting rendered
 * into the page from the session, as an app without fragments does, and as the personal fragment
 * the sample ships. The same sequence of views both times. Prints Markdown and writes it to
 * bench/results/signed-in.md.
 */
async function main(): Promise<void> {
  const started = Date.now();
  const mixes: MixResult[] = [];
  for (const greeting of ['inline', 'fragment'] as const) {
    process.stderr.write(`traffic mix, greeting ${greeting}…\n`);
    mixes.push(await trafficMix('page-cache', MIX, greeting));
  }
  const text = [
    `${new Date(started).toISOString()} · Node ${process.version} · ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'} · ` +
      'the sample blog as shipped on Express, pages in memory, SQLite (libsql) · each server in its own process',
    "### Hit ratio and stale reads: the sample's traffic mix with signed-in readers",
    table(mixes),
  ].join('\n\n');
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(`${RESULTS}signed-in.md`, `${text}\n`);
  console.log(`\n${text}\n`);
  console.log(`(${Math.round((Date.now() - started) / 1000)} s; written to bench/results/signed-in.md)`);
}

function table(mixes: readonly MixResult[]): string {
  const percent = (part: number, whole: number) =>
    whole === 0 ? '–' : `${((part / whole) * 100).toFixed(1)} %`;
  return [
    `${MIX.views.toLocaleString('en')} views (seed ${MIX.seed}), each by one of ${MIX.readers} signed-in readers with ` +
      `a chance of ${MIX.signedIn * 100} %, else by a guest without cookies; a comment (by a signed-in reader, with ` +
      `the form's CSRF token) after every ${MIX.commentEvery} views. Stale: the view's body differed from an uncached ` +
      'twin on the same SQLite file, read right after by the same reader (render time and CSRF token blanked).',
    '',
    '| greeting | views | hits | hit ratio | signed-in views | their hits | guest views | their hits | stale reads | failed |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...mixes.map((m) => {
      const guestViews = m.views - m.signedInViews;
      const guestHits = m.hits - m.signedInHits;
      return (
        `| ${GREETINGS[m.greeting]} | ${m.views.toLocaleString('en')} | ${m.hits.toLocaleString('en')} | ` +
        `${percent(m.hits, m.views)} | ${m.signedInViews.toLocaleString('en')} | ${m.signedInHits.toLocaleString('en')} ` +
        `(${percent(m.signedInHits, m.signedInViews)}) | ${guestViews.toLocaleString('en')} | ` +
        `${guestHits.toLocaleString('en')} (${percent(guestHits, guestViews)}) | ` +
        `${m.stale.toLocaleString('en')}${m.staleExamples.length ? ` (${m.staleExamples.join('; ')})` : ''} | ${m.failed} |`
      );
    }),
  ].join('\n');
}

void main().catch((error) => {
  console.error(error);
  process.exit(1);
});
