import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SERVERS, startServer, type ChildServer } from './child-server.js';
import { PageClient } from './page-client.js';
import type { SampleMode } from './sample-server.js';

/** How the sample greets the reader: a personal fragment on the stored page, or rendered in it from the session. */
export type GreetingMode = 'fragment' | 'inline';

/** What the readers and the commenters of one mode saw. */
export interface MixResult {
  readonly mode: SampleMode;
  readonly greeting: GreetingMode;
  readonly views: number;
  /** Views by a signed-in reader, and how many of them were hits. */
  readonly signedInViews: number;
  readonly signedInHits: number;
  /** The public pages the readers pick from. */
  readonly pages: number;
  /** Views answered `X-Cache: HIT`. */
  readonly hits: number;
  /** Views of a path for the first time: a miss in every mode. */
  readonly firstViews: number;
  readonly comments: number;
  /** Views whose body differed from the uncached twin's right after (normalised, see below). */
  readonly stale: number;
  /** The first few stale views: `view <n> <path>`. */
  readonly staleExamples: readonly string[];
  /** Views or comments not answered as expected (200, or 303 for a comment). */
  readonly failed: number;
  /** How many views got each `X-Cache` value. */
  readonly answeredAs: Readonly<Record<string, number>>;
}

/** The size of the mix and its seed. */
export interface MixOptions {
  readonly views: number;
  /** A new comment after every this many views. */
  readonly commentEvery: number;
  readonly seed: number;
  /** The chance that a view is a signed-in reader's (one of `readers`, each with a session). @default 0 */
  readonly signedIn?: number;
  /** How many signed-in readers there are. @default 4 */
  readonly readers?: number;
}

/**
 * The sample's traffic mix (issue 9's: readers, and a comment every `commentEvery` views) on one
 * cached mode, with an uncached twin (`floor`) on the same SQLite file. Readers send sequential
 * GETs over the sample's public pages, the most popular first (1/rank, a seeded PRNG); with
 * `signedIn`, each view is by one of a few signed-in readers (sessions on both servers, under one
 * name) with that chance, from the same PRNG, else by a guest without cookies. Each comment goes
 * to a post picked the same way, through the post page's form, by a signed-in commenter with the
 * form's CSRF token. After each view the same path is read from the twin, as the same reader, and
 * the bodies compared: the footer's "Rendered at" time (a hit keeps its render's time) and the
 * form's CSRF token (each session's own) are the parts that differ legitimately, and are blanked.
 * `greeting` is the sample's SAMPLE_GREETING, on both servers.
 */
export async function trafficMix(
  mode: SampleMode,
  options: MixOptions,
  greeting: GreetingMode = 'fragment',
): Promise<MixResult> {
  const folder = mkdtempSync(join(tmpdir(), 'bench-mix-'));
  const database = join(folder, 'blog.sqlite');
  const servers: ChildServer[] = [];
  const start = async (serverMode: SampleMode) => {
    const env = {
      BENCH_MODE: serverMode,
      BENCH_ADAPTER: 'express',
      BENCH_DB_FILE: database,
      BENCH_GREETING: greeting,
    };
    servers.push(await startServer(env, SERVERS.sample));
    return servers.at(-1)!.baseUrl;
  };
  const clients: PageClient[] = [];
  const client = (baseUrl: string) => {
    clients.push(new PageClient(baseUrl));
    return clients.at(-1)!;
  };
  try {
    // The cached server first: it creates and seeds the database; the twin finds it seeded.
    const cachedUrl = await start(mode);
    const twinUrl = await start('floor');
    const cached = client(cachedUrl);
    const twin = client(twinUrl);
    const readers = await Promise.all(
      Array.from({ length: options.readers ?? 4 }, async (_, index) => ({
        cached: await client(cachedUrl).signIn(`Reader ${index + 1}`),
        twin: await client(twinUrl).signIn(`Reader ${index + 1}`),
      })),
    );
    const commenter = await client(cachedUrl).signIn('Commenter');
    const signedIn = options.signedIn ?? 0;
    const { pages, posts } = await samplePages(twin);
    const random = mulberry32(options.seed);
    const pickPage = zipf(pages.length, random);
    const pickPost = zipf(posts.length, random);
    const seen = new Set<string>();
    const answeredAs: Record<string, number> = {};
    const staleExamples: string[] = [];
    let hits = 0;
    let stale = 0;
    let failed = 0;
    let comments = 0;
    let signedInViews = 0;
    let signedInHits = 0;
    for (let view = 1; view <= options.views; view++) {
      const path = pages[pickPage()];
      seen.add(path);
      // No draw without signed-in readers: the sequence stays the one of the runs before them.
      const reader =
        signedIn > 0 && random() < signedIn ? readers[Math.floor(random() * readers.length)] : undefined;
      const page = await (reader?.cached ?? cached).get(path);
      const truth = await (reader?.twin ?? twin).get(path);
      answeredAs[page.cache] = (answeredAs[page.cache] ?? 0) + 1;
      if (page.cache === 'HIT') hits++;
      if (reader) {
        signedInViews++;
        if (page.cache === 'HIT') signedInHits++;
      }
      if (page.status !== 200 || truth.status !== 200) failed++;
      if (normalised(page.body) !== normalised(truth.body)) {
        stale++;
        if (staleExamples.length < 3) staleExamples.push(`view ${view} ${path} (${page.cache})`);
      }
      if (view % options.commentEvery === 0) {
        comments++;
        const post = `/posts/${posts[pickPost()]}`;
        const form = await commenter.get(post);
        const response = await commenter.postForm(`${post}/comments`, {
          _csrf: /name="_csrf" value="([^"]*)"/.exec(form.body)?.[1] ?? '',
          authorName: `Reader ${comments}`,
          body: `Comment ${comments} of the traffic mix.`,
        });
        if (response.status !== 303) failed++;
      }
    }
    return {
      mode,
      greeting,
      views: options.views,
      signedInViews,
      signedInHits,
      pages: pages.length,
      hits,
      firstViews: seen.size,
      comments,
      stale,
      staleExamples,
      failed,
      answeredAs,
    };
  } finally {
    for (const open of clients) open.close();
    await Promise.all(servers.map((server) => server.stop()));
    rmSync(folder, { recursive: true, force: true });
  }
}

/**
 * The sample's public pages, most popular first: home, the feed, the JSON list, the post pages
 * (newest first), the tag pages, the author pages, each post's JSON, the JSON list's later pages.
 * Found through the JSON API, so the list follows the seed data. Also the posts' slugs, newest first.
 */
async function samplePages(client: PageClient): Promise<{ pages: string[]; posts: string[] }> {
  const posts: string[] = [];
  const tags = new Set<string>();
  const authors = new Set<string>();
  let pageCount = 1;
  for (let page = 1; page <= pageCount; page++) {
    const response = await client.get(`/api/posts?page=${page}`);
    const list = JSON.parse(response.body) as {
      pages: number;
      posts: Array<{ slug: string; author: { slug: string }; tags: Array<{ slug: string }> }>;
    };
    pageCount = list.pages;
    for (const post of list.posts) {
      posts.push(post.slug);
      authors.add(post.author.slug);
      for (const tag of post.tags) tags.add(tag.slug);
    }
  }
  const pages = [
    '/',
    '/feed.xml',
    '/api/posts',
    ...posts.map((slug) => `/posts/${slug}`),
    ...[...tags].map((slug) => `/tags/${slug}`),
    ...[...authors].map((slug) => `/authors/${slug}`),
    ...posts.map((slug) => `/api/posts/${slug}`),
    ...Array.from({ length: pageCount - 1 }, (_, index) => `/api/posts?page=${index + 2}`),
  ];
  return { pages, posts };
}

/** The body without the footer's render time and the form's CSRF token, the parts that may differ. */
const normalised = (body: string): string =>
  body
    .replace(/<time class="rendered-at" datetime="[^"]*">[^<]*<\/time>/g, '<time class="rendered-at"></time>')
    .replace(/name="_csrf" value="[^"]*"/g, 'name="_csrf" value=""');

/** A seeded PRNG (mulberry32): the same seed, the same mix. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Picks an index below `size`, index i with a weight of 1 / (i + 1). */
function zipf(size: number, random: () => number): () => number {
  const cumulative: number[] = [];
  let total = 0;
  for (let rank = 1; rank <= size; rank++) cumulative.push((total += 1 / rank));
  return () => {
    const target = random() * total;
    const index = cumulative.findIndex((bound) => bound > target);
    return index === -1 ? size - 1 : index;
  };
}
