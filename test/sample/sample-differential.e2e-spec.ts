import { beforeAll, describe, expect, test } from '@jest/globals';
import type { AdapterName } from '../../sample/src/app.config.js';
import { runSampleDifferential, type SampleDifferentialReport } from './sample-differential.js';
import { buildSampleIfStale } from './sample-build.js';

/*
 * The differential checker (test/orm/differential/) on the sample blog, in declared mode (every
 * page but the tag page, which runs in auto mode): the sample as shipped against the same build
 * without its page cache, two processes on one SQLite file, a seeded mix of writes through the
 * sample's own forms. `SAMPLE_DIFF_WRITES` and `SAMPLE_DIFF_SEED` run it longer or otherwise:
 *   SAMPLE_DIFF_WRITES=300 SAMPLE_DIFF_SEED=7 node --experimental-vm-modules \
 *     node_modules/jest/bin/jest.js --runInBand test/sample/sample-differential -t express
 * A failure lists the first stale pages, each with the write after which it went stale; the same
 * seed replays the same writes.
 */
const writes = Number(process.env.SAMPLE_DIFF_WRITES ?? 40);
const seed = Number(process.env.SAMPLE_DIFF_SEED ?? 22);
/** Fastify runs half as many writes: the forms and pages are the same, only the platform differs. */
const RUNS: ReadonlyArray<[AdapterName, number]> = [
  ['express', writes],
  ['fastify', Math.ceil(writes / 2)],
];
const timeout = 60_000 + writes * 1_000;

beforeAll(buildSampleIfStale, 180_000);

/** The report without the detail that only matters when it fails. */
const summary = (report: SampleDifferentialReport) => ({
  mismatches: report.mismatches,
  stalePaths: report.stalePaths,
  firstMismatches: report.firstMismatches,
  warnings: report.warnings,
});

describe.each(RUNS)('differential checker on the sample blog (%s)', (adapter, writes) => {
  test(
    `as shipped: ${writes} writes through its forms (seed ${seed}), no public page ever stale`,
    async () => {
      const started = Date.now();
      const report = await runSampleDifferential({ adapter, seed, writes });
      if (process.env.SAMPLE_DIFF_WRITES !== undefined)
        console.log(adapter, {
          seconds: (Date.now() - started) / 1000,
          mismatches: report.mismatches,
          reads: report.reads,
          rereads: report.rereads,
          hitRatio: Math.round((100 * report.hits) / report.storable) / 100,
          pages: report.pages,
          writes: report.writes,
        });
      expect(summary(report)).toEqual({ mismatches: 0, stalePaths: [], firstMismatches: [], warnings: [] });
      // Of the pages that answer 200 (a 301 or 404 is never stored): a cache that never kept a
      // page, or dropped every page at each write, would have few hits.
      expect(report.hits / report.storable).toBeGreaterThan(0.5);
      // Every form really saved something, and the refused forms ran too.
      for (const name of ['create-post', 'edit-post', 'rename-tag', 'add-comment', 'delete-comment']) {
        expect({ name, saved: (report.writes[`${name} 303`] ?? 0) > 0 }).toEqual({ name, saved: true });
      }
      // 403: a comment form's CSRF token was refused, so the write never happened.
      expect(Object.keys(report.writes).filter((key) => / (403|500)$/.test(key))).toEqual([]);
    },
    timeout,
  );
});

describe('differential checker on the sample blog: it finds a forgotten path', () => {
  test(
    'Post.dependentPaths() without the author page: an edited post leaves its author page stale',
    async () => {
      const report = await runSampleDifferential({
        adapter: 'express',
        seed,
        writes: 20,
        omitPath: 'Post:/authors/',
      });
      console.log('Post:/authors/ omitted', {
        mismatches: report.mismatches,
        stalePaths: report.stalePaths,
        first: report.firstMismatches[0] && { ...report.firstMismatches[0], cached: '…', uncached: '…' },
      });
      expect(report.mismatches).toBeGreaterThan(0);
      expect(report.stalePaths.length).toBeGreaterThan(0);
      expect(report.stalePaths.every((path) => path.startsWith('/authors/'))).toBe(true);
      expect(report.firstMismatches[0]).toMatchObject({
        cache: 'HIT',
        write: expect.stringMatching(/^edit-post /),
      });
    },
    timeout,
  );
});
