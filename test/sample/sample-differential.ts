import { slugify } from '../../sample/src/common/slugify.js';
import { Random } from '../orm/differential/random.js';
import {
  SampleTwins,
  type Response,
  type SampleProcess,
  type Submitted,
  type TwinOptions,
} from './sample-twins.js';

/** How the checker runs on the sample. */
export interface SampleDifferentialOptions extends TwinOptions {
  readonly seed: number;
  /** How many writes (each followed by reading every public page on both twins). */
  readonly writes: number;
  /** How many mismatches to keep in detail (default 5). */
  readonly keep?: number;
}

/** A page the cached twin served differently from the uncached one, and the write before it. */
export interface Mismatch {
  readonly afterWrite: number;
  readonly write: string;
  readonly path: string;
  readonly cache: string | undefined;
  readonly cached: string;
  readonly uncached: string;
}

export interface SampleDifferentialReport {
  /** Reads (and rereads) of the cached twin that differed from the uncached one. */
  readonly mismatches: number;
  /** Distinct pages that were stale at least once. */
  readonly stalePaths: readonly string[];
  /** First reads of the cached twin: one per page after each write (and after the seed). */
  readonly reads: number;
  /** Of `reads`: pages the uncached twin answered 200 (the only status the cache stores). */
  readonly storable: number;
  /** Of `reads`: served from the cache (HIT). */
  readonly hits: number;
  /** Second reads after a miss that stored a page (a hit by construction): compared too, not counted in `reads`. */
  readonly rereads: number;
  /** Pages read after the last write (the set grows with new posts, tags and former slugs). */
  readonly pages: number;
  readonly firstMismatches: readonly Mismatch[];
  /** `name status` → how many times: e.g. `edit-post 303`, `edit-post 409`. */
  readonly writes: Readonly<Record<string, number>>;
  /** WARN and ERROR lines either twin logged. */
  readonly warnings: readonly string[];
}

/*
 * What the random writes draw from. Small pools on purpose: titles and slugs collide with
 * the seed and with each other (409s, slugs taken back from a post that moved), tag names
 * collide with existing tags (`caching!` is the slug of `Caching`), so the forms' edge cases run.
 */
const POST_TITLES = [
  'Pages that know their data',
  'A forgotten path',
  'Stale for a second',
  'Caching whole pages',
  'Hello, world',
  'Tags in auto mode',
  'One database, two apps',
  'Epochs and leases',
  'The sixth place',
  'Diddly squat',
];
const POST_SLUGS = [
  'forgotten-path',
  'hello-world',
  'sixth-place',
  'moved-again',
  'invalidate-on-commit',
  'x',
];
const TAG_NAMES = [
  'Caching',
  'caching!',
  'Redis',
  'Edge Cases',
  'SQLite',
  'Node.js',
  'Testing',
  'MikroORM',
  'Typescript',
];
/** Names a rename takes besides those: mostly free, so most renames save (and move the tag's page). */
const NEW_TAG_NAMES = ['Web Perf', 'Streams', 'Latency', 'Deploys', 'Queues', 'Edge Cases'];
const WORDS = ['cache', 'page', 'epoch', 'commit', 'render', 'stale', 'fresh', 'lease', 'path', 'tag'];

/** Post and tag slugs read even before they exist: a page that 404s may be created by a write. */
const CANDIDATE_POST_SLUGS = [...POST_TITLES.map(slugify), ...POST_SLUGS];
const CANDIDATE_TAG_SLUGS = [...new Set([...TAG_NAMES, ...NEW_TAG_NAMES].map(slugify))];

/** What the admin dashboard (never cached) lists: the site as it is now. */
interface Site {
  readonly posts: readonly string[];
  readonly tags: ReadonlyArray<{ readonly slug: string; readonly name: string }>;
  readonly authors: readonly string[];
  readonly comments: readonly number[];
}

/** A write through one of the sample's forms, on the cached twin. */
interface Write {
  readonly name: string;
  readonly weight: number;
  /** Submits the form; undefined when nothing applies (no comment to delete). */
  run(
    app: SampleProcess,
    site: Site,
    seen: Seen,
    random: Random,
  ): Promise<{ what: string; result: Submitted } | undefined>;
}

/** Every slug that was ever current: a former one redirects (301), and old forms still post to it. */
class Seen {
  readonly postSlugs = new Set<string>();
  readonly tagSlugs = new Set<string>();
  readonly authorSlugs = new Set<string>();

  add(site: Site): void {
    for (const slug of site.posts) this.postSlugs.add(slug);
    for (const tag of site.tags) this.tagSlugs.add(tag.slug);
    for (const slug of site.authors) this.authorSlugs.add(slug);
  }

  formerPosts(site: Site): string[] {
    return [...this.postSlugs].filter((slug) => !site.posts.includes(slug));
  }

  formerTags(site: Site): string[] {
    return [...this.tagSlugs].filter((slug) => !site.tags.some((tag) => tag.slug === slug));
  }
}

const sentence = (random: Random) =>
  Array.from({ length: 4 + random.int(8) }, () => random.pick(WORDS)).join(' ') + '.';

/** Up to three tag names: existing ones (their names or other spellings) and new ones. */
function tagList(site: Site, random: Random): string {
  const names = [
    ...random.subset(site.tags.map((tag) => tag.name)).slice(0, 2),
    ...(random.chance(0.4) ? [random.pick(TAG_NAMES)] : []),
  ];
  return names.join(', ');
}

const WRITES: readonly Write[] = [
  {
    name: 'create-post',
    weight: 2,
    async run(app, site, _seen, random) {
      const form: Record<string, string> = {
        title: random.pick(POST_TITLES),
        author: random.chance(0.05) ? 'nobody' : random.pick(site.authors),
        tags: tagList(site, random),
        body: sentence(random),
      };
      if (random.chance(0.3)) form.slug = random.pick(POST_SLUGS);
      return { what: JSON.stringify(form), result: await app.submit('/admin/posts', form) };
    },
  },
  {
    name: 'edit-post',
    weight: 3,
    async run(app, site, seen, random) {
      const former = seen.formerPosts(site);
      // A form opened before its post moved posts to the former slug: a 409, nothing saved.
      const slug = former.length > 0 && random.chance(0.1) ? random.pick(former) : random.pick(site.posts);
      const form: Record<string, string> = {};
      if (random.chance(0.5)) form.title = random.pick(POST_TITLES);
      if (random.chance(0.3)) form.slug = random.pick([...POST_SLUGS, ...former]);
      if (random.chance(0.3)) form.body = sentence(random);
      // An empty list takes every tag off the post.
      if (random.chance(0.4)) form.tags = random.chance(0.15) ? '' : tagList(site, random);
      if (Object.keys(form).length === 0) form.title = random.pick(POST_TITLES);
      return {
        what: `${slug} ${JSON.stringify(form)}`,
        result: await app.submit(`/admin/posts/${slug}`, form),
      };
    },
  },
  {
    name: 'rename-tag',
    weight: 2,
    async run(app, site, seen, random) {
      const former = seen.formerTags(site);
      // The rename form of a page opened before an earlier rename posts to the former slug.
      const slug =
        former.length > 0 && random.chance(0.15) ? random.pick(former) : random.pick(site.tags).slug;
      const tag = site.tags.find((candidate) => candidate.slug === slug);
      const roll = random.next();
      // Another tag's name (a 409 unless it is its own), the same slug spelled otherwise (only
      // the name changes, the page stays), or a new name (the page moves, the old URL redirects).
      const name =
        roll < 0.25
          ? random.pick(TAG_NAMES)
          : roll < 0.45 && tag
            ? `${tag.name.toUpperCase()}!`
            : random.pick(NEW_TAG_NAMES);
      const form = { name };
      return {
        what: `${slug} ${JSON.stringify(form)}`,
        result: await app.submit(`/admin/tags/${slug}`, form),
      };
    },
  },
  {
    name: 'add-comment',
    weight: 3,
    async run(app, site, seen, random) {
      const former = seen.formerPosts(site);
      const roll = random.next();
      const slug =
        roll < 0.1 && former.length > 0
          ? random.pick(former)
          : roll > 0.95
            ? 'no-such-post'
            : random.pick(site.posts);
      const form = {
        authorName: random.pick(['Tess', 'Ada', 'Bob']),
        body: random.chance(0.05) ? ' ' : sentence(random),
      };
      return {
        what: `${slug} ${JSON.stringify(form)}`,
        // The form's token comes from a post page that exists now (the slug may be gone).
        result: await app.comment(`/posts/${slug}/comments`, form, `/posts/${site.posts[0]}`),
      };
    },
  },
  {
    name: 'delete-comment',
    weight: 2,
    async run(app, site, _seen, random) {
      if (site.comments.length === 0) return undefined;
      const id = random.pick(site.comments);
      return { what: `#${id}`, result: await app.submit(`/admin/comments/${id}/delete`, {}) };
    },
  },
];

const WEIGHTED = WRITES.flatMap((write) => Array.from({ length: write.weight }, () => write));

/** Handlebars' escapes, undone (tag names come back as they were typed). */
const unescape = (text: string) =>
  text.replace(
    /&(amp|lt|gt|quot|#x27|#x60|#x3D);/g,
    (_, name: string) =>
      ({ amp: '&', lt: '<', gt: '>', quot: '"', '#x27': "'", '#x60': '`', '#x3D': '=' })[name]!,
  );

/** The site as the admin dashboard of the uncached twin lists it. */
async function readSite(app: SampleProcess): Promise<Site> {
  const admin = await app.get('/admin');
  if (admin.status !== 200) throw new Error(`GET /admin: ${admin.status}`);
  const all = (pattern: RegExp) => [...admin.body.matchAll(pattern)].map((match) => match.slice(1));
  return {
    posts: all(/href="\/admin\/posts\/([^"]+)"/g).map(([slug]) => decodeURIComponent(slug!)),
    tags: all(/<a class="tag" href="\/tags\/([^"]+)">([^<]*)<\/a>/g).map(([slug, name]) => ({
      slug: decodeURIComponent(slug!),
      name: unescape(name!),
    })),
    authors: all(/<option value="([^"]+)">/g).map(([slug]) => slug!),
    comments: all(/action="\/admin\/comments\/(\d+)\/delete"/g).map(([id]) => Number(id)),
  };
}

/** Every public page: what exists now, what existed before (redirects), and what may exist next (404s). */
async function publicPages(uncached: SampleProcess, seen: Seen): Promise<string[]> {
  const list = JSON.parse((await uncached.get('/api/posts')).body) as { pages: number };
  const postSlugs = new Set([...seen.postSlugs, ...CANDIDATE_POST_SLUGS]);
  const tagSlugs = new Set([...seen.tagSlugs, ...CANDIDATE_TAG_SLUGS]);
  return [
    '/',
    '/feed.xml',
    '/api/posts',
    ...Array.from({ length: list.pages + 1 }, (_, index) => `/api/posts?page=${index + 1}`),
    ...[...postSlugs].flatMap((slug) => [`/posts/${slug}`, `/api/posts/${slug}`]),
    ...[...tagSlugs].map((slug) => `/tags/${slug}`),
    ...[...seen.authorSlugs, 'nobody'].map((slug) => `/authors/${slug}`),
  ];
}

/**
 * What may legitimately differ between two renders of one page: the footer's "Rendered at"
 * time (a cached page keeps the time of the render that filled it), and the comment form's CSRF
 * token (each visitor's own: a reader without cookies gets a new one each time). Nothing else is touched.
 */
const RENDERED_AT = /<time class="rendered-at" datetime="[^"]*">[^<]*<\/time>/g;
const CSRF_TOKEN = /name="_csrf" value="[^"]*"/g;
const normalised = (page: Response) =>
  `${page.status} ${page.contentType ?? '-'} ${page.location ?? '-'}\n${page.body
    .replace(RENDERED_AT, '<time class="rendered-at">…</time>')
    .replace(CSRF_TOKEN, 'name="_csrf" value="…"')}`;

/**
 * The differential checker on the sample blog: the sample as shipped (cached) and the same
 * build without its page cache, two processes on one SQLite file. A seeded mix of writes goes
 * through the cached twin's own forms (admin and comment form), so its ORM sees every change;
 * after each write's response, every public page is read from both twins (and once more from the
 * cached one after a miss, so the page just stored is served as a hit) and compared.
 */
export async function runSampleDifferential(
  options: SampleDifferentialOptions,
): Promise<SampleDifferentialReport> {
  const random = new Random(options.seed);
  const twins = await SampleTwins.start(options);
  try {
    const tally = new Tally(options.keep ?? 5);
    const seen = new Seen();
    let site = await readSite(twins.uncached);
    seen.add(site);
    let pages = await compareEveryPage(twins, seen, tally, 0, 'seed');
    for (let index = 1; index <= options.writes; index++) {
      const done = await oneWrite(twins.cached, site, seen, random);
      tally.wrote(`${done.name} ${done.result.status}`);
      site = await readSite(twins.uncached);
      seen.add(site);
      pages = await compareEveryPage(
        twins,
        seen,
        tally,
        index,
        `${done.name} ${done.what} → ${done.result.status}`,
      );
    }
    return { ...tally.report(), pages, warnings: [...twins.cached.warnings(), ...twins.uncached.warnings()] };
  } finally {
    await twins.stop();
  }
}

async function oneWrite(app: SampleProcess, site: Site, seen: Seen, random: Random) {
  for (;;) {
    const write = random.pick(WEIGHTED);
    const done = await write.run(app, site, seen, random);
    if (done) return { name: write.name, ...done };
  }
}

/**
 * Reads every public page from both twins, all at once (no write runs meanwhile), then once more
 * from the cached twin where that read stored a page, so the page just stored is served as a hit.
 */
async function compareEveryPage(
  twins: SampleTwins,
  seen: Seen,
  tally: Tally,
  afterWrite: number,
  write: string,
): Promise<number> {
  const paths = await publicPages(twins.uncached, seen);
  await Promise.all(
    paths.map(async (path) => {
      const [expected, first] = await Promise.all([twins.uncached.get(path), twins.cached.get(path)]);
      if (expected.cache !== undefined)
        throw new Error(`the uncached twin answered ${path} with X-Cache: ${expected.cache}`);
      tally.compare({ afterWrite, write, path }, first, expected);
      // Only a 200 is stored (the default cacheableStatuses): reread what the miss just stored.
      if (first.cache !== 'HIT' && first.status === 200) {
        tally.compare({ afterWrite, write, path }, await twins.cached.get(path), expected, 'reread');
      }
    }),
  );
  return paths.length;
}

/** Counts reads, hits and mismatches; keeps the first few mismatches that made a page stale. */
class Tally {
  private mismatches = 0;
  private reads = 0;
  private storable = 0;
  private hits = 0;
  private rereads = 0;
  private readonly first: Mismatch[] = [];
  private readonly staleNow = new Set<string>();
  private readonly everStale = new Set<string>();
  private readonly writes: Record<string, number> = {};

  constructor(private readonly keep: number) {}

  wrote(name: string): void {
    this.writes[name] = (this.writes[name] ?? 0) + 1;
  }

  compare(
    at: Pick<Mismatch, 'afterWrite' | 'write' | 'path'>,
    cached: Response,
    expected: Response,
    reread?: 'reread',
  ): void {
    if (reread) this.rereads++;
    else {
      this.reads++;
      if (expected.status === 200) this.storable++;
      if (cached.cache === 'HIT') this.hits++;
    }
    const [got, want] = [normalised(cached), normalised(expected)];
    if (got === want) {
      this.staleNow.delete(at.path);
      return;
    }
    this.mismatches++;
    this.everStale.add(at.path);
    // A page stays stale until something invalidates it: keep the write that made it so.
    if (this.staleNow.has(at.path)) return;
    this.staleNow.add(at.path);
    if (this.first.length < this.keep) {
      this.first.push({ ...at, cache: cached.cache, cached: got, uncached: want });
    }
  }

  report() {
    return {
      mismatches: this.mismatches,
      stalePaths: [...this.everStale].sort(),
      reads: this.reads,
      storable: this.storable,
      hits: this.hits,
      rereads: this.rereads,
      firstMismatches: this.first,
      writes: this.writes,
    };
  }
}
