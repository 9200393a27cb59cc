import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MikroORM } from '@mikro-orm/libsql';
import type { CachePageModuleOptions } from 'nestjs-cache-page';
import { createAndSeed } from './database.js';
import { declaredPaths } from './declared-paths.js';
import { defineModel } from './entities.js';
import type { Model } from './model.js';
import { EVERY_PAGE } from './pages.js';
import { Random } from './random.js';
import { PagesApp, type Page } from './twin-apps.js';
import { writesOf } from './writes.js';

/** How the checker runs. */
export interface DifferentialOptions {
  readonly seed: number;
  /** How many writes (each followed by reading every page on both apps). */
  readonly writes: number;
  /**
   * `auto`: the cached app runs with `dependencies: 'auto'` on a model with no
   * `dependentPaths()`. `declared`: its entities declare their pages (see declared-paths.ts).
   */
  readonly mode: 'auto' | 'declared';
  /** Declared mode: a path left out of every `dependentPaths()` (the forgotten path). */
  readonly omitPath?: string;
  /** `unit-of-work`: only flushes (all that declared paths can see). Default: every write. */
  readonly writeKinds?: 'all' | 'unit-of-work';
  /** How many mismatches to keep in detail (default 5). */
  readonly keep?: number;
}

/** A page the cached app served differently from the uncached one, and the write before it. */
export interface Mismatch {
  readonly afterWrite: number;
  readonly write: string;
  readonly path: string;
  readonly cache: string | undefined;
  readonly cached: string;
  readonly uncached: string;
}

/** What the run saw on the cached app. */
export interface DifferentialReport {
  /** Reads (and rereads) of the cached app whose status or body differed from the uncached one. */
  readonly mismatches: number;
  /** Of `reads`: served from the cache. */
  readonly hits: number;
  /** Of `reads`: rendered (and stored). */
  readonly misses: number;
  /** First reads of the cached app: one per page after each write (and after the seed). */
  readonly reads: number;
  /** Second reads of the cached app after a miss (compared too, not counted in `reads`). */
  readonly rereads: number;
  /** The first pages that went stale, each with the write after which it did. */
  readonly firstMismatches: readonly Mismatch[];
  /** Writes that ran, by name. */
  readonly writesByName: Readonly<Record<string, number>>;
  /** Warnings and errors the cache module logged. */
  readonly warnings: readonly string[];
}

/** The option that turns on automatic dependencies. */
const autoOptions = (): CachePageModuleOptions => ({ dependencies: 'auto' });

/**
 * The differential checker: two Nest apps on one SQLite file, each with its own MikroORM, one
 * with the page cache and one without. A seeded mix of writes goes through the cached app's ORM;
 * after each, every page is read from both apps (and once more from the cached one, so the page
 * just stored is served as a hit) and the bodies compared. Zero mismatches is the claim.
 */
export async function runDifferential(options: DifferentialOptions): Promise<DifferentialReport> {
  const random = new Random(options.seed);
  const directory = await mkdtemp(join(tmpdir(), 'cache-page-differential-'));
  const dbName = join(directory, 'pages.db');
  const cachedModel: Model =
    options.mode === 'auto' ? defineModel() : defineModel(declaredPaths(options.omitPath));
  const plainModel = defineModel();
  const cachedOrm = await MikroORM.init({ dbName, entities: [...cachedModel.entities] });
  const plainOrm = await MikroORM.init({ dbName, entities: [...plainModel.entities] });
  const apps: PagesApp[] = [];
  try {
    await createAndSeed(cachedOrm, cachedModel, random);
    const cached = await PagesApp.start(cachedOrm, cachedModel, options.mode === 'auto' ? autoOptions() : {});
    apps.push(cached);
    const plain = await PagesApp.start(plainOrm, plainModel);
    apps.push(plain);
    const run = new Tally(options.keep ?? 5);
    await compareEveryPage(cached, plain, run, 0, 'seed');
    const writes = writesOf(options.writeKinds ?? 'all');
    for (let index = 1; index <= options.writes; index++) {
      const done = await oneWrite(cachedOrm, cachedModel, random, writes);
      run.wrote(done.name);
      // The cache invalidates after the commit, without an extra hop: one turn is all it gets.
      await new Promise((resolve) => setImmediate(resolve));
      await compareEveryPage(cached, plain, run, index, `${done.name}: ${done.what}`);
    }
    return {
      ...run.report(),
      warnings: [...cached.logs.of('warn'), ...cached.logs.of('error')],
    };
  } finally {
    for (const app of apps) await app.close();
    await cachedOrm.close(true);
    await plainOrm.close(true);
    await rm(directory, { recursive: true, force: true });
  }
}

/** Runs one applicable write, drawn at random, through a fork of the cached app's ORM. */
async function oneWrite(orm: MikroORM, model: Model, random: Random, writes: ReturnType<typeof writesOf>) {
  for (;;) {
    const write = random.pick(writes);
    const what = await write.run(orm.em.fork(), model, random);
    if (what !== undefined) return { name: write.name, what };
  }
}

/**
 * Reads every page from both apps (all at once: no write runs meanwhile), then once more from
 * the cached app where that read was a miss, so the page it just stored is served as a hit.
 */
async function compareEveryPage(
  cached: PagesApp,
  plain: PagesApp,
  run: Tally,
  afterWrite: number,
  write: string,
) {
  await Promise.all(
    EVERY_PAGE.map(async (path) => {
      const [expected, first] = await Promise.all([plain.get(path), cached.get(path)]);
      run.compare({ afterWrite, write, path }, first, expected);
      if (first.cache !== 'HIT') {
        run.compare({ afterWrite, write, path }, await cached.get(path), expected, 'reread');
      }
    }),
  );
}

/**
 * Counts reads, hits, misses and mismatches; keeps the first few mismatches that made a page
 * stale (not the later reads of a page that already was).
 */
class Tally {
  private mismatches = 0;
  private hits = 0;
  private misses = 0;
  private reads = 0;
  private rereads = 0;
  private readonly first: Mismatch[] = [];
  private readonly stale = new Set<string>();
  private readonly writes: Record<string, number> = {};

  constructor(private readonly keep: number) {}

  wrote(name: string): void {
    this.writes[name] = (this.writes[name] ?? 0) + 1;
  }

  /** A reread is checked like any read but not counted as one: it is a hit by construction. */
  compare(
    at: Pick<Mismatch, 'afterWrite' | 'write' | 'path'>,
    cached: Page,
    expected: Page,
    reread?: 'reread',
  ): void {
    if (reread) this.rereads++;
    else {
      this.reads++;
      if (cached.cache === 'HIT') this.hits++;
      else if (cached.cache === 'MISS') this.misses++;
    }
    if (cached.status === expected.status && cached.body === expected.body) {
      this.stale.delete(at.path);
      return;
    }
    this.mismatches++;
    // A page stays stale until something invalidates it: keep the write that made it so.
    if (this.stale.has(at.path)) return;
    this.stale.add(at.path);
    if (this.first.length < this.keep) {
      this.first.push({
        ...at,
        cache: cached.cache,
        cached: `${cached.status} ${cached.body}`,
        uncached: `${expected.status} ${expected.body}`,
      });
    }
  }

  report() {
    return {
      mismatches: this.mismatches,
      hits: this.hits,
      misses: this.misses,
      reads: this.reads,
      rereads: this.rereads,
      firstMismatches: this.first,
      writesByName: this.writes,
    };
  }
}
