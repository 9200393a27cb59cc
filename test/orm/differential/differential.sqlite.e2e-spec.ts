import { describe, expect, test } from '@jest/globals';
import { runDifferential, type DifferentialReport } from './differential.js';
import { writesOf } from './writes.js';

/** `SOAK_WRITES=5000 npm run soak` runs longer; `SOAK_SEED` picks another seed. */
const writes = Number(process.env.SOAK_WRITES ?? 300);
const seed = Number(process.env.SOAK_SEED ?? 22);
const timeout = 120_000 + writes * 1_000;
/** A soak prints what it ran; `npm test` stays quiet unless a test fails. */
const soakLog = (label: string, ...details: unknown[]) => {
  if (process.env.SOAK_WRITES !== undefined) console.log(label, ...details);
};

/** The report without the detail that only matters when it fails. */
const summary = (report: DifferentialReport) => ({
  mismatches: report.mismatches,
  firstMismatches: report.firstMismatches,
  hitRatio: Math.round((100 * report.hits) / report.reads) / 100,
});

describe('differential checker: cached app vs uncached twin on one SQLite file', () => {
  test(
    `auto mode: ${writes} writes of every kind (seed ${seed}), no stale page, and pages really are served from the cache`,
    async () => {
      const report = await runDifferential({ seed, writes, mode: 'auto' });
      soakLog('auto', summary(report), report.writesByName);
      expect(summary(report)).toEqual({ mismatches: 0, firstMismatches: [], hitRatio: expect.any(Number) });
      // Of the first reads after each write: a cache that never kept a page, or dropped them all
      // at every write, would have next to none.
      expect(report.hits / report.reads).toBeGreaterThan(0.3);
      // Every trigger really ran (a mix that never moved a comment would prove nothing about moves).
      expect(Object.keys(report.writesByName).sort()).toEqual(
        writesOf('all')
          .map((write) => write.name)
          .sort(),
      );
    },
    timeout,
  );

  test(
    'declared mode, correct paths, flushes only: no stale page (the harness itself is sound)',
    async () => {
      const report = await runDifferential({
        seed,
        writes: 30,
        mode: 'declared',
        writeKinds: 'unit-of-work',
      });
      soakLog('declared', summary(report), report.writesByName);
      expect(summary(report)).toEqual({ mismatches: 0, firstMismatches: [], hitRatio: expect.any(Number) });
      expect(report.hits / report.reads).toBeGreaterThan(0.3);
    },
    timeout,
  );

  test(
    'declared mode with one path forgotten: the checker finds the stale page',
    async () => {
      const report = await runDifferential({
        seed,
        writes: 30,
        mode: 'declared',
        writeKinds: 'unit-of-work',
        omitPath: '/comments/count',
      });
      expect(report.mismatches).toBeGreaterThan(0);
      expect(report.firstMismatches[0]).toMatchObject({ path: '/comments/count', cache: 'HIT' });
    },
    timeout,
  );
});
